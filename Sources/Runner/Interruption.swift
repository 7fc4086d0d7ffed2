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
          _exit(130)
        }
      }
      source.resume()
      return source
    }
  }

  var stopped: Bool { counter.value.load(ordering: .sequentiallyConsistent) > 0 }
}
