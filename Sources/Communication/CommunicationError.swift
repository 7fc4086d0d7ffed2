/// Why a communication did not complete: each one line naming the rank and what it waited for.
public enum CommunicationError: Error, CustomStringConvertible, Equatable {
  /// A blocking operation waited longer than the world's time-out: a peer never sent, or hangs.
  case timedOut(rank: Int, operation: String, seconds: Double)
  /// Another rank failed (threw or timed out), so this one stopped waiting for it.
  case peerFailed(rank: Int, failedRank: Int, reason: String)
  /// A peer or root outside 0..<size.
  case invalidRank(rank: Int, peer: Int, size: Int)
  /// A message longer than the buffer posted for it.
  case truncated(rank: Int, operation: String, expectedBytes: Int, receivedBytes: Int)
  /// More elements in one operation than the library can count (a gather past 2³¹ elements).
  case tooLarge(rank: Int, operation: String, count: Int)

  public var description: String {
    switch self {
    case .timedOut(let rank, let operation, let seconds):
      return
        "rank \(rank): \(operation) did not complete within \(seconds) s (a peer never sent, or hangs)"
    case .peerFailed(let rank, let failedRank, let reason):
      return "rank \(rank): stopped because rank \(failedRank) failed: \(reason)"
    case .invalidRank(let rank, let peer, let size):
      return "rank \(rank): peer \(peer) is not a rank of this communicator (size \(size))"
    case .truncated(let rank, let operation, let expected, let received):
      return
        "rank \(rank): \(operation): a \(received)-byte message arrived for a \(expected)-byte buffer"
    case .tooLarge(let rank, let operation, let count):
      return "rank \(rank): \(operation): \(count) elements is more than one call can count"
    }
  }
}
