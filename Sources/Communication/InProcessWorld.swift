import Foundation
#if canImport(Glibc)
  import Glibc
#endif
import Synchronization

/// N ranks in one process, each a thread, for tests that must not start MPI: messages are
/// copied into the receiver's mailbox at once (a send never blocks, as an eager MPI send), and
/// a receive polls for a few microseconds (yielding its core) and then sleeps on a condition
/// until its message is there — ranks wait without spinning, so many ranks run on few cores. Matching follows MPI: by communicator, source and tag, in
/// the order sent. A receive that waits longer than `timeoutSeconds` throws a clear error; once
/// any rank fails, every other waiting rank stops with `peerFailed` instead of hanging.
///
/// `ranksPerNode` places ranks on made-up nodes (rank / ranksPerNode) for `splitByNode`;
/// `delay` holds each message back for the seconds it returns (a model network: latency +
/// bytes / bandwidth), and `corrupt` may change a message's bytes on the way.
public final class InProcessWorld: Sendable {
  public typealias Delay = @Sendable (_ source: Int, _ destination: Int, _ bytes: Int) -> Double
  public typealias Corruption = @Sendable (_ bytes: inout [UInt8]) -> Void

  public let size: Int
  public let ranksPerNode: Int
  public let timeoutSeconds: Double
  /// How long a receive polls (yielding its core) before it sleeps on a condition variable.
  /// Short by default, so that many ranks share few cores; a world with one rank per core
  /// (HPCG's threads as ranks) polls longer: in a virtual machine a vCPU left idle is halted
  /// and takes milliseconds to wake — a cost MPI's busy-polling ranks never pay.
  public let pollSeconds: Double
  let delay: Delay?
  let corrupt: Corruption?
  let mailboxes: [Mailbox]
  private let failure = Mutex<(rank: Int, reason: String)?>(nil)

  public init(
    size: Int, ranksPerNode: Int? = nil, timeoutSeconds: Double = 60, pollSeconds: Double = 30e-6,
    delay: Delay? = nil, corrupt: Corruption? = nil
  ) {
    precondition(size >= 1, "a world needs at least one rank")
    self.size = size
    self.ranksPerNode = max(1, ranksPerNode ?? size)
    self.timeoutSeconds = timeoutSeconds
    self.pollSeconds = pollSeconds
    self.delay = delay
    self.corrupt = corrupt
    mailboxes = (0..<size).map { _ in Mailbox() }
  }

  /// The node a world rank sits on.
  public func node(of rank: Int) -> Int { rank / ranksPerNode }

  /// Rank `rank` of the world communicator.
  public func communicator(rank: Int) -> Communicator {
    InProcessCommunicator(world: self, context: "w", members: Array(0..<size), rank: rank)
  }

  /// Runs `body` once per rank, each on its own thread, and returns the values in rank order.
  /// If any rank throws, the others are stopped and the error of the lowest failing rank that
  /// did not merely stop for another is thrown.
  public func run<T: Sendable>(_ body: @escaping @Sendable (Communicator) throws -> T) throws -> [T]
  {
    let results = Mutex([Result<T, Error>?](repeating: nil, count: size))
    let finished = DispatchGroup()
    for rank in 0..<size {
      finished.enter()
      let thread = Thread { [self] in
        let outcome: Result<T, Error>
        do { outcome = .success(try body(communicator(rank: rank))) } catch {
          fail(rank: rank, reason: String(describing: error))
          outcome = .failure(error)
        }
        results.withLock { $0[rank] = outcome }
        finished.leave()
      }
      thread.stackSize = 16 << 20
      thread.name = "suanli-rank-\(rank)"
      thread.start()
    }
    finished.wait()
    let all = results.withLock { $0 }
    let errors = all.compactMap { result -> Error? in
      if case .failure(let error)? = result { return error }
      return nil
    }
    if let first = errors.first(where: { !isSecondary($0) }) ?? errors.first { throw first }
    return all.compactMap { result in
      if case .success(let value)? = result { return value }
      return nil
    }
  }

  /// Convenience: a new world of `ranks` ranks running `body`.
  public static func run<T: Sendable>(
    ranks: Int, ranksPerNode: Int? = nil, timeoutSeconds: Double = 60, delay: Delay? = nil,
    corrupt: Corruption? = nil, _ body: @escaping @Sendable (Communicator) throws -> T
  ) throws -> [T] {
    try InProcessWorld(
      size: ranks, ranksPerNode: ranksPerNode, timeoutSeconds: timeoutSeconds, delay: delay,
      corrupt: corrupt
    ).run(body)
  }

  private func isSecondary(_ error: Error) -> Bool {
    if case CommunicationError.peerFailed? = error as? CommunicationError { return true }
    return false
  }

  /// Marks the world failed and wakes every waiting rank.
  func fail(rank: Int, reason: String) {
    failure.withLock { if $0 == nil { $0 = (rank, reason) } }
    for mailbox in mailboxes { mailbox.wakeAll() }
  }

  var failed: (rank: Int, reason: String)? { failure.withLock { $0 } }
}

/// The messages waiting for one rank, keyed by communicator context, source and tag; each key's
/// messages in the order sent.
final class Mailbox: @unchecked Sendable {
  struct Key: Hashable {
    var context: String
    var source: Int
    var tag: Int
  }

  struct Message {
    var bytes: [UInt8]
    /// Uptime nanoseconds when the message may be received (its modelled arrival).
    var arrival: UInt64
  }

  private let condition = NSCondition()
  private var queues: [Key: [Message]] = [:]

  func post(_ message: Message, key: Key) {
    condition.lock()
    queues[key, default: []].append(message)
    condition.broadcast()
    condition.unlock()
  }

  func wakeAll() {
    condition.lock()
    condition.broadcast()
    condition.unlock()
  }

  /// The first message for `key` that has arrived, removed from the queue; nil if none yet.
  private func takeArrived(_ key: Key, now: UInt64) -> Message? {
    guard let first = queues[key]?.first, first.arrival <= now else { return nil }
    queues[key]!.removeFirst()
    return first
  }

  func poll(_ key: Key) -> Message? {
    condition.lock()
    defer { condition.unlock() }
    return takeArrived(key, now: DispatchTime.now().uptimeNanoseconds)
  }

  /// Waits for a message for `key` until `deadline` (uptime nanoseconds); `stop` is checked on
  /// every wake-up and its error thrown (another rank failed).
  func take(_ key: Key, deadline: UInt64, poll: UInt64, stop: () -> Error?) throws -> Message? {
    condition.lock()
    defer { condition.unlock() }
    // A rank on another core usually answers within microseconds, and waking from a condition
    // wait costs tens of them (milliseconds for a halted vCPU): poll for `poll` ns first,
    // yielding the core each time (so ranks oversubscribing the cores still run), unless a
    // delayed message is due later.
    let spinEnd = DispatchTime.now().uptimeNanoseconds &+ poll
    while queues[key]?.first == nil, DispatchTime.now().uptimeNanoseconds < spinEnd {
      condition.unlock()
      sched_yield()
      condition.lock()
    }
    while true {
      let now = DispatchTime.now().uptimeNanoseconds
      if let message = takeArrived(key, now: now) { return message }
      if let error = stop() { throw error }
      if now >= deadline { return nil }
      // Sleep until the next message could arrive (a delayed one) or the deadline.
      var wake = deadline
      if let first = queues[key]?.first { wake = min(wake, first.arrival) }
      let seconds = Double(wake - now) * 1e-9
      _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
    }
  }
}
