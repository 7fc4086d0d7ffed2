import Foundation
import Synchronization

/// SIGINT and SIGTERM during `suanli run`: the first stops the run — the running benchmark's
/// child is terminated, the rest is skipped — and the report is written with what completed,
/// `complete: false`, signed like any report. The second exits at once.
final class Interruption: @unchecked Sendable {
  final class Counter: Sendable {
    let value = Atomic<Int>(0)
  }

  private let counter = Counter()
  private let sources: [any DispatchSourceSignal]

  /// `announce`: what to say on the first signal (rank 0 only: the other ranks write no report).
  /// `first`: what the first signal does besides stopping the suite (from the signal's thread).
  init(announce: @escaping @Sendable () -> Void, first: @escaping @Sendable () -> Void) {
    let counter = self.counter
    sources = [SIGINT, SIGTERM].map { number in
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler {
        if counter.value.add(1, ordering: .sequentiallyConsistent).newValue == 1 {
          announce()
          first()
        } else {
          InProcessCleanup.runNow()
          _exit(130)
        }
      }
      source.resume()
      return source
    }
  }

  var stopped: Bool { counter.value.load(ordering: .sequentiallyConsistent) > 0 }
}

/// What a benchmark running inside this process (`--no-isolation`, or a collective one) leaves
/// behind if the process must exit before the benchmark returns — the storage benchmarks'
/// files: the child-process case is the parent's `afterAbnormalEnd`; this is the same call made
/// by the process itself on its way out.
enum InProcessCleanup {
  private static let pending = Mutex<(@Sendable () -> Void)?>(nil)

  /// Runs `body` with `entry`'s cleanup armed.
  static func during<T>(_ entry: SuiteEntry, _ body: () throws -> T) rethrows -> T {
    let values = entry.values
    if let clean = entry.descriptor.afterAbnormalEnd {
      pending.withLock { $0 = { clean(values, getpid()) } }
    }
    defer { pending.withLock { $0 = nil } }
    return try body()
  }

  /// Called just before `_exit` while a benchmark may still run.
  static func runNow() {
    pending.withLock { $0 }?()
  }
}
