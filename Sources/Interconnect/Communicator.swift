/// What the interconnect benchmarks need from a message-passing library: point-to-point sends
/// (blocking, and a window of non-blocking ones as OSU's bandwidth tests post), allreduce,
/// a barrier and a clock. `MPIWorld` implements it over MPI.
public protocol Communicator: AnyObject, Sendable {
  var rank: Int { get }
  var size: Int { get }
  /// "Open MPI v4.1.4, ..." — the library, for the report.
  var library: String { get }

  func barrier()
  /// Seconds from an arbitrary origin (MPI_Wtime).
  func time() -> Double
  func send(_ buffer: UnsafeRawPointer, bytes: Int, to peer: Int, tag: Int)
  func receive(_ buffer: UnsafeMutableRawPointer, bytes: Int, from peer: Int, tag: Int)
  /// `iterations` round trips with `peer`: the initiator sends then receives, the other side
  /// receives then sends. A primitive of its own so that the timed loop is a tight loop of
  /// library calls, as in osu_latency (a loop of protocol calls costs ~25 ns a message here).
  func pingPong(
    send: UnsafeRawPointer, receive: UnsafeMutableRawPointer, bytes: Int, iterations: Int,
    initiator: Bool, peer: Int, tag: Int)
  /// Posts `count` non-blocking sends of the buffer and waits for all.
  func sendWindow(_ buffer: UnsafeRawPointer, bytes: Int, count: Int, to peer: Int, tag: Int)
  /// Posts `count` non-blocking receives into the buffer and waits for all.
  func receiveWindow(
    _ buffer: UnsafeMutableRawPointer, bytes: Int, count: Int, from peer: Int, tag: Int)
  /// Posts `count` receives from and `count` sends to `peer`, and waits for all (osu_bibw).
  func exchangeWindow(
    send: UnsafeRawPointer, receive: UnsafeMutableRawPointer, bytes: Int, count: Int, peer: Int,
    tag: Int)
  func allreduceSum(
    _ input: UnsafePointer<Double>, _ output: UnsafeMutablePointer<Double>, count: Int)
  func maxOverRanks(_ value: Double) -> Double
  /// Every rank's text, on rank 0 (empty elsewhere).
  func gather(_ text: String) -> [String]
  /// Rank 0: lets the other ranks out of `waitForRelease` (after work only rank 0 does).
  func release()
  /// Ranks > 0: wait for rank 0's `release`, sleeping between polls so that a waiting rank
  /// does not spin on a core rank 0 is measuring.
  func waitForRelease()
  /// Stops every rank of the job with a message (a peer died or hangs).
  func abort(_ message: String) -> Never
}
