/// What Suanli's distributed code needs from a message-passing library, in MPI's terms: ranks
/// 0..<size, point-to-point messages matched by source and tag and never overtaking one another
/// (two messages from one source with one tag arrive in the order sent), non-blocking
/// operations, sub-communicators, and collectives. Counts are in elements of an `ElementType`.
///
/// Two implementations: Interconnect's `MPIWorld` calls MPI for everything; `InProcessWorld`
/// runs each rank as a thread for tests and implements only the point-to-point part, taking
/// the collectives from the defaults in `Communicator+Collectives.swift`. Every operation can
/// throw a `CommunicationError` (a time-out in process; MPI itself aborts the job on error).
public protocol Communicator: AnyObject, Sendable {
  var rank: Int { get }
  var size: Int { get }
  /// "Open MPI v4.1.4 (MPI_THREAD_SINGLE)", "in-process (6 threads)": the library, for reports.
  var library: String { get }

  /// Which threads may call it (MPI's thread level).
  var threadLevel: ThreadLevel { get }
  /// Seconds from an arbitrary origin (MPI_Wtime).
  func time() -> Double

  // MARK: Point to point (tags ≥ 0; negative tags are reserved for the default collectives)

  func send(_ buffer: UnsafeRawPointer, count: Int, type: ElementType, to peer: Int, tag: Int)
    throws
  /// Receives a message of at most `count` elements from `peer` with `tag`.
  func receive(
    _ buffer: UnsafeMutableRawPointer, count: Int, type: ElementType, from peer: Int, tag: Int)
    throws
  func startSend(
    _ buffer: UnsafeRawPointer, count: Int, type: ElementType, to peer: Int, tag: Int
  ) throws -> CommunicationRequest
  func startReceive(
    _ buffer: UnsafeMutableRawPointer, count: Int, type: ElementType, from peer: Int, tag: Int
  ) throws -> CommunicationRequest

  // MARK: Communicators

  /// Collective: ranks with the same `color` form a new communicator, ordered by `key` (then by
  /// rank here), as MPI_Comm_split.
  func split(color: Int, key: Int) throws -> Communicator
  /// Collective: the ranks that share this rank's node (MPI_Comm_split_type with
  /// MPI_COMM_TYPE_SHARED), grouped by the launcher's placement, never by host name.
  func splitByNode() throws -> Communicator
  /// Stops every rank of the job with a message (a peer died or hangs).
  func abort(_ message: String) -> Never

  // MARK: Collectives (defaults built on point to point)

  func barrier() throws
  func broadcast(_ buffer: UnsafeMutableRawPointer, count: Int, type: ElementType, root: Int)
    throws
  /// Every rank receives the same result (same bits), `count` elements combined by `operation`.
  func allreduce(
    _ input: UnsafeRawPointer, _ output: UnsafeMutableRawPointer, count: Int, type: ElementType,
    operation: ReduceOperation) throws
  /// `count` elements combined by `operation` into `output` on `root` (nil elsewhere).
  func reduce(
    _ input: UnsafeRawPointer, _ output: UnsafeMutableRawPointer?, count: Int, type: ElementType,
    operation: ReduceOperation, root: Int) throws
  /// `count` elements from each rank into `output` on `root`, in rank order (nil elsewhere).
  func gather(
    _ input: UnsafeRawPointer, count: Int, type: ElementType, into output: UnsafeMutableRawPointer?,
    root: Int) throws
  /// `count` elements from each rank into `output` on every rank, in rank order.
  func allgather(
    _ input: UnsafeRawPointer, count: Int, type: ElementType, into output: UnsafeMutableRawPointer)
    throws
  /// `count` elements from this rank (`counts[r]` from rank r, every rank passing the same
  /// `counts`) into `output` on every rank, rank r's at element `displacements[r]`.
  func allgatherv(
    _ input: UnsafeRawPointer, count: Int, type: ElementType, into output: UnsafeMutableRawPointer,
    counts: [Int], displacements: [Int]) throws
  /// Sends to `destination` and receives from `source` at once (MPI_Sendrecv): never deadlocks
  /// when two ranks exchange.
  func sendReceive(
    _ sendBuffer: UnsafeRawPointer, sendCount: Int, to destination: Int,
    _ receiveBuffer: UnsafeMutableRawPointer, receiveCount: Int, from source: Int,
    type: ElementType, tag: Int) throws

  // MARK: The OSU benchmarks' primitives (bytes), so a timed loop is a loop of library calls

  /// `iterations` round trips with `peer`: the initiator sends then receives, the other side
  /// receives then sends (osu_latency).
  func pingPong(
    send: UnsafeRawPointer, receive: UnsafeMutableRawPointer, bytes: Int, iterations: Int,
    initiator: Bool, peer: Int, tag: Int) throws
  /// Posts `count` non-blocking sends of the buffer and waits for all (osu_bw).
  func sendWindow(_ buffer: UnsafeRawPointer, bytes: Int, count: Int, to peer: Int, tag: Int)
    throws
  /// Posts `count` non-blocking receives into the buffer and waits for all.
  func receiveWindow(
    _ buffer: UnsafeMutableRawPointer, bytes: Int, count: Int, from peer: Int, tag: Int) throws
  /// Posts `count` receives from and `count` sends to `peer`, and waits for all (osu_bibw).
  func exchangeWindow(
    send: UnsafeRawPointer, receive: UnsafeMutableRawPointer, bytes: Int, count: Int, peer: Int,
    tag: Int) throws

  // MARK: Suanli's own

  /// Rank 0: lets the other ranks out of `waitForRelease` (after work only rank 0 does).
  func release() throws
  /// Ranks > 0: wait for rank 0's `release` without spinning on a core rank 0 is measuring.
  func waitForRelease() throws
}

/// MPI's thread levels: who may call the library.
public enum ThreadLevel: Int, Sendable, Comparable {
  /// One thread in the process.
  case single
  /// Only the main thread calls.
  case funneled
  /// Any thread, one at a time.
  case serialized
  /// Any thread, at once.
  case multiple

  public static func < (a: ThreadLevel, b: ThreadLevel) -> Bool { a.rawValue < b.rawValue }

  public var name: String {
    switch self {
    case .single: return "single"
    case .funneled: return "funneled"
    case .serialized: return "serialized"
    case .multiple: return "multiple"
    }
  }
}
