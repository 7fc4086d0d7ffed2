import Foundation

/// Calls `expired` unless cancelled within `seconds`.
public final class Watchdog: @unchecked Sendable {
  private let lock = NSLock()
  private var cancelled = false

  public init(seconds: Double, expired: @escaping @Sendable () -> Void) {
    DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
      lock.lock()
      let fire = !cancelled
      lock.unlock()
      if fire { expired() }
    }
  }

  public func cancel() {
    lock.lock()
    cancelled = true
    lock.unlock()
  }
}
