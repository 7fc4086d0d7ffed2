import Foundation
import Synchronization

/// A fixed team of worker threads, each placed once (pinned) when it starts, that run one
/// job at a time: `run { index in ... }` returns when every worker has finished its part.
///
/// The CPU "device" of the kernels. Workers are long-lived so that a kernel's timing does not
/// include thread creation, and each worker keeps its core, so first-touch placement of the
/// memory it initialised stays local to it (STREAM, HPL rules).
public final class ThreadTeam: @unchecked Sendable {
  public let size: Int
  private let state: TeamState

  /// Starts `size` workers; worker `i` calls `place(i)` first (e.g. bind to core i). Throws the
  /// first placement error, after stopping the team.
  public init(size: Int, place: @escaping @Sendable (Int) throws -> Void) throws {
    precondition(size >= 1, "a team needs at least one worker")
    self.size = size
    let state = TeamState(size: size)
    self.state = state
    let errors = Mutex<[Error]>([])
    let placed = DispatchSemaphore(value: 0)
    for index in 0..<size {
      // Workers hold the shared state, never the team: the team can be released while they
      // sleep, and its deinit stops them and waits for them to leave.
      let thread = Thread {
        do { try place(index) } catch { errors.withLock { $0.append(error) } }
        placed.signal()
        state.workerLoop(index)
      }
      thread.stackSize = 16 << 20
      thread.name = "suanli-worker-\(index)"
      thread.start()
    }
    for _ in 0..<size { placed.wait() }
    if let error = errors.withLock({ $0.first }) {
      state.stop()
      throw error
    }
  }

  /// A team whose workers are not pinned (for tests and non-host topologies).
  public convenience init(unpinnedSize size: Int) {
    // Placement that cannot fail never throws.
    try! self.init(size: size) { _ in }
  }

  deinit { state.stop() }

  /// Runs `body(i)` on every worker i in 0..<size, and waits for all of them.
  public func run(_ body: (Int) -> Void) {
    withoutActuallyEscaping(body) { escapable in state.run(escapable) }
  }

  /// Splits 0..<count into `size` contiguous ranges whose bounds are multiples of `alignment`
  /// (so that no two workers share a cache line), and returns worker `index`'s range.
  public func chunk(_ index: Int, of count: Int, alignment: Int = 8) -> Range<Int> {
    let blocks = (count + alignment - 1) / alignment
    let lower = min(count, (blocks * index / size) * alignment)
    let upper = min(count, (blocks * (index + 1) / size) * alignment)
    return lower..<upper
  }
}

/// What the team's workers share. The semaphores order every access: `job` and `stopping` are
/// written by the owner before it signals the workers and read by them after they wake.
private final class TeamState: @unchecked Sendable {
  let size: Int
  let startSignals: [DispatchSemaphore]
  let finished = DispatchSemaphore(value: 0)
  let exited = DispatchSemaphore(value: 0)
  let remaining = Atomic<Int>(0)
  var job: ((Int) -> Void)?
  var stopping = false

  init(size: Int) {
    self.size = size
    startSignals = (0..<size).map { _ in DispatchSemaphore(value: 0) }
  }

  func workerLoop(_ index: Int) {
    while true {
      startSignals[index].wait()
      if stopping {
        exited.signal()
        return
      }
      job?(index)
      if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
        finished.signal()
      }
    }
  }

  func run(_ body: @escaping (Int) -> Void) {
    job = body
    remaining.store(size, ordering: .releasing)
    for signal in startSignals { signal.signal() }
    finished.wait()
    job = nil
  }

  /// Wakes every worker with `stopping` set and waits until all have left their loop.
  func stop() {
    guard !stopping else { return }
    stopping = true
    for signal in startSignals { signal.signal() }
    for _ in 0..<size { exited.wait() }
  }
}
