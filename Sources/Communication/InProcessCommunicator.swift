import Foundation
import Synchronization

/// One rank's view of an `InProcessWorld` communicator: its members (world ranks, in the
/// communicator's rank order) and a context name that keeps its messages apart from every
/// other communicator's, as an MPI context id does.
final class InProcessCommunicator: Communicator, @unchecked Sendable {
  let world: InProcessWorld
  let context: String
  let members: [Int]
  let rank: Int
  var size: Int { members.count }
  var library: String { "in-process (\(world.size) threads)" }
  var threadLevel: ThreadLevel { .multiple }
  /// How many communicators this one has split off: the same count on every member (splits are
  /// collective), so a new context name agrees without talking.
  private let splits = Atomic<Int>(0)

  init(world: InProcessWorld, context: String, members: [Int], rank: Int) {
    self.world = world
    self.context = context
    self.members = members
    self.rank = rank
  }

  func time() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

  private func stopError() -> Error? {
    guard let failed = world.failed, failed.rank != members[rank] else { return nil }
    return CommunicationError.peerFailed(
      rank: rank, failedRank: failed.rank, reason: failed.reason)
  }

  func send(_ buffer: UnsafeRawPointer, count: Int, type: ElementType, to peer: Int, tag: Int)
    throws
  {
    try checkRank(peer)
    if let error = stopError() { throw error }
    let bytes = count * type.size
    var message = Array(UnsafeRawBufferPointer(start: buffer, count: bytes))
    world.corrupt?(&message)
    let destination = members[peer]
    let seconds = world.delay?(members[rank], destination, bytes) ?? 0
    let arrival = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds) * 1e9)
    world.mailboxes[destination].post(
      Mailbox.Message(bytes: message, arrival: arrival),
      key: Mailbox.Key(context: context, source: rank, tag: tag))
  }

  private func deliver(
    _ message: Mailbox.Message, into buffer: UnsafeMutableRawPointer, bytes: Int,
    operation: @autoclosure () -> String
  ) throws {
    guard message.bytes.count <= bytes else {
      throw CommunicationError.truncated(
        rank: rank, operation: operation(), expectedBytes: bytes, receivedBytes: message.bytes.count)
    }
    message.bytes.withUnsafeBytes {
      if let base = $0.baseAddress { buffer.copyMemory(from: base, byteCount: $0.count) }
    }
  }

  func receive(
    _ buffer: UnsafeMutableRawPointer, count: Int, type: ElementType, from peer: Int, tag: Int
  ) throws {
    try checkRank(peer)
    var operation: String { "receive from rank \(peer) (tag \(tag))" }
    let deadline =
      DispatchTime.now().uptimeNanoseconds + UInt64(world.timeoutSeconds * 1e9)
    let key = Mailbox.Key(context: context, source: peer, tag: tag)
    guard
      let message = try world.mailboxes[members[rank]].take(
        key, deadline: deadline, poll: UInt64(world.pollSeconds * 1e9), stop: stopError)
    else {
      let error = CommunicationError.timedOut(
        rank: rank, operation: operation, seconds: world.timeoutSeconds)
      world.fail(rank: members[rank], reason: error.description)
      throw error
    }
    try deliver(message, into: buffer, bytes: count * type.size, operation: operation)
  }

  func startSend(
    _ buffer: UnsafeRawPointer, count: Int, type: ElementType, to peer: Int, tag: Int
  ) throws -> CommunicationRequest {
    try send(buffer, count: count, type: type, to: peer, tag: tag)
    return .completed()
  }

  func startReceive(
    _ buffer: UnsafeMutableRawPointer, count: Int, type: ElementType, from peer: Int, tag: Int
  ) throws -> CommunicationRequest {
    try checkRank(peer)
    let key = Mailbox.Key(context: context, source: peer, tag: tag)
    let mailbox = world.mailboxes[members[rank]]
    let bytes = count * type.size
    let operation = "receive from rank \(peer) (tag \(tag))"
    return CommunicationRequest(
      test: { [self] in
        if let error = stopError() { throw error }
        guard let message = mailbox.poll(key) else { return false }
        try deliver(message, into: buffer, bytes: bytes, operation: operation)
        return true
      },
      wait: { [self] in
        try receive(buffer, count: count, type: type, from: peer, tag: tag)
      })
  }

  func split(color: Int, key: Int) throws -> Communicator {
    let index = splits.add(1, ordering: .relaxed).oldValue
    let pairs = try allgather([color, key])
    var group: [(key: Int, rank: Int)] = []
    for r in 0..<size where pairs[2 * r] == color { group.append((pairs[2 * r + 1], r)) }
    group.sort { ($0.key, $0.rank) < ($1.key, $1.rank) }
    let newRank = group.firstIndex { $0.rank == rank } ?? 0
    return InProcessCommunicator(
      world: world, context: "\(context).\(index):\(color)",
      members: group.map { members[$0.rank] },
      rank: newRank)
  }

  func splitByNode() throws -> Communicator {
    try split(color: world.node(of: members[rank]), key: rank)
  }

  func abort(_ message: String) -> Never {
    FileHandle.standardError.write(Data("suanli: rank \(rank): \(message)\n".utf8))
    _exit(3)
  }
}
