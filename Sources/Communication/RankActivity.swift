import Foundation
import Synchronization

/// What this process is doing with MPI, for the post-mortem of a job that stalled: whether it
/// is inside a blocking call now, how many it has made, and since when it is in (or out of)
/// one. `MPIWorld` marks each blocking call; the job's heartbeat thread reads it (atomics only:
/// that thread never calls MPI). A rank that stays outside MPI while the others wait inside a
/// collective is the one that hangs.
public enum RankActivity {
  public struct Snapshot: Sendable, Equatable {
    /// Inside a blocking call (a collective, a send, a receive, a wait).
    public var inside: Bool
    /// Blocking calls begun so far.
    public var calls: Int
    /// Seconds since it last went in or came out.
    public var seconds: Double

    public init(inside: Bool, calls: Int, seconds: Double) {
      self.inside = inside
      self.calls = calls
      self.seconds = seconds
    }
  }

  private static let depth = Atomic<Int>(0)
  private static let count = Atomic<Int>(0)
  private static let changed = Atomic<UInt64>(nanoseconds())

  /// A blocking call begins.
  @inline(__always)
  public static func enter() {
    count.add(1, ordering: .relaxed)
    if depth.add(1, ordering: .relaxed).newValue == 1 {
      changed.store(nanoseconds(), ordering: .relaxed)
    }
  }

  /// A blocking call has returned.
  @inline(__always)
  public static func leave() {
    if depth.subtract(1, ordering: .relaxed).newValue == 0 {
      changed.store(nanoseconds(), ordering: .relaxed)
    }
  }

  /// `body`, marked as one blocking call.
  @inline(__always)
  public static func blocking<T>(_ body: () throws -> T) rethrows -> T {
    enter()
    defer { leave() }
    return try body()
  }

  public static func snapshot() -> Snapshot {
    let since = changed.load(ordering: .relaxed)
    let now = nanoseconds()
    return Snapshot(
      inside: depth.load(ordering: .relaxed) > 0, calls: count.load(ordering: .relaxed),
      seconds: now > since ? Double(now - since) * 1e-9 : 0)
  }

  /// The module's monotonic clock (the in-process world's too), in nanoseconds.
  public static func nanoseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
