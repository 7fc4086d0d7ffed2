import Foundation
import Synchronization

/// The round-trip latency of a cache line between two cores: two threads, pinned to the two
/// cores, take turns incrementing one atomic word on its own cache line. Each round trip moves
/// the line there and back; the count in the word at the end checks that every round trip
/// happened.
public enum CoreToCore {
  public struct Pair: Sendable, Equatable {
    public var first: Int
    public var second: Int
    /// Median round-trip time over the repeats, seconds.
    public var seconds: Double
    public var samples: [Double]
    /// The word's final value was 2 × round trips in every repeat.
    public var countChecked: Bool
  }

  final class Line: @unchecked Sendable {
    // Padding keeps the word alone on its 64-byte line (and away from the adjacent-line
    // prefetcher's pair).
    private let before = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    let word = Atomic<Int>(0)
    private let after = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
  }

  /// Measures one pair: `roundTrips` per repeat, `repeats` times. `pin(core)` binds the calling
  /// thread to a core.
  public static func measure(
    first: Int, second: Int, roundTrips: Int, repeats: Int,
    pin: @escaping @Sendable (Int) throws -> Void
  ) throws -> Pair {
    var samples: [Double] = []
    var checked = true
    for _ in 0..<repeats {
      let line = Line()
      let ready = DispatchSemaphore(value: 0)
      let done = DispatchSemaphore(value: 0)
      let failure = Mutex<Error?>(nil)
      let responder = Thread {
        do { try pin(second) } catch { failure.withLock { $0 = error } }
        ready.signal()
        for k in 0..<roundTrips {
          while line.word.load(ordering: .acquiring) != 2 * k + 1 {}
          line.word.store(2 * k + 2, ordering: .releasing)
        }
        done.signal()
      }
      responder.start()
      ready.wait()
      if let error = failure.withLock({ $0 }) {
        // The responder runs its loop anyway: drive it to the end, then report.
        for k in 0..<roundTrips {
          line.word.store(2 * k + 1, ordering: .releasing)
          while line.word.load(ordering: .acquiring) != 2 * k + 2 {}
        }
        done.wait()
        throw error
      }
      let drive: @Sendable () -> Double = {
        let start = DispatchTime.now().uptimeNanoseconds
        for k in 0..<roundTrips {
          line.word.store(2 * k + 1, ordering: .releasing)
          while line.word.load(ordering: .acquiring) != 2 * k + 2 {}
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 / Double(roundTrips)
      }
      let seconds: Double
      do {
        seconds = try onPinnedThread(core: first, pin: pin, drive)
      } catch {
        // The responder is waiting for round trips: give them to it, then report.
        _ = drive()
        done.wait()
        throw error
      }
      done.wait()
      checked = checked && line.word.load(ordering: .acquiring) == 2 * roundTrips
      samples.append(seconds)
    }
    let sorted = samples.sorted()
    return Pair(
      first: first, second: second, seconds: sorted[sorted.count / 2], samples: samples,
      countChecked: checked)
  }

  /// Runs `body` on a new thread pinned to `core` and returns its value.
  static func onPinnedThread(
    core: Int, pin: @escaping @Sendable (Int) throws -> Void,
    _ body: @escaping @Sendable () -> Double
  ) throws -> Double {
    let result = Mutex<Result<Double, Error>>(.success(0))
    let finished = DispatchSemaphore(value: 0)
    let thread = Thread {
      do {
        try pin(core)
        let value = body()
        result.withLock { $0 = .success(value) }
      } catch {
        result.withLock { $0 = .failure(error) }
      }
      finished.signal()
    }
    thread.start()
    finished.wait()
    return try result.withLock { $0 }.get()
  }

  /// All pairs (i < j) of `cores` cores, or an evenly spread sample of `limit` of them.
  public static func pairs(cores: Int, limit: Int) -> [(Int, Int)] {
    var all: [(Int, Int)] = []
    for i in 0..<cores { for j in (i + 1)..<max(i + 1, cores) { all.append((i, j)) } }
    guard limit > 0, all.count > limit else { return all }
    return (0..<limit).map { all[$0 * all.count / limit] }
  }
}
