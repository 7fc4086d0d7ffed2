#if MPI
  import CMPI
  import Communication
  import Foundation

  /// The one gateway to MPI (CMPI): an MPI communicator (MPI_COMM_WORLD, or one split from it)
  /// as a `Communicator`, every operation a native MPI call. MPI is initialised once per
  /// process with MPI_THREAD_SINGLE, as hpcc and the OSU benchmarks do (plain MPI_Init): only
  /// the main thread calls MPI, and the kernels' worker threads are joined before any MPI call.
  /// (Open MPI 4.1's FUNNELED level costs ~25 ns a message: 0.16 vs 0.13 µs one-way for 8 bytes
  /// in the same C ping-pong here.) The watchdog never calls MPI: it exits the process, and the
  /// launcher tears the job down.
  ///
  /// Counts are elements; MPI counts them in a 32-bit int, so point-to-point messages,
  /// broadcasts and reductions of more than `maximumChunk` elements go as several calls
  /// (messages of one source and tag never overtake, so the pieces arrive in order).
  public final class MPIWorld: Communicator, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    public let library: String
    public let threadLevel: ThreadLevel
    private let comm: MPI_Comm

    /// Elements per MPI call: Int32.max, or SUANLI_MPI_MAX_CHUNK (tests use a small one to
    /// exercise the splitting).
    static let maximumChunk: Int = {
      if let text = ProcessInfo.processInfo.environment["SUANLI_MPI_MAX_CHUNK"],
        let value = Int(text), value > 0
      {
        return min(value, Int(Int32.max))
      }
      return Int(Int32.max)
    }()

    /// Initialises MPI when this process was started by a launcher (mpirun, srun): it set one
    /// of these variables. A process started alone gets nil and runs without MPI. `level`: the
    /// thread level to ask for (single unless a benchmark calls MPI from a worker thread: the
    /// levels above cost Open MPI ~25 ns a message); the report records what MPI granted.
    public static func initializeIfLaunched(level: ThreadLevel = .single) -> MPIWorld? {
      let environment = ProcessInfo.processInfo.environment
      let markers = [
        "OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "SLURM_STEP_ID", "MPI_LOCALNRANKS",
      ]
      guard markers.contains(where: { environment[$0] != nil }) else { return nil }
      let requested: Int32
      switch level {
      case .single: requested = Int32(MPI_THREAD_SINGLE)
      case .funneled: requested = Int32(MPI_THREAD_FUNNELED)
      case .serialized: requested = Int32(MPI_THREAD_SERIALIZED)
      case .multiple: requested = Int32(MPI_THREAD_MULTIPLE)
      }
      var provided: Int32 = 0
      guard MPI_Init_thread(nil, nil, requested, &provided) == MPI_SUCCESS else {
        return nil
      }
      let granted: ThreadLevel
      switch provided {
      case Int32(MPI_THREAD_MULTIPLE): granted = .multiple
      case Int32(MPI_THREAD_SERIALIZED): granted = .serialized
      case Int32(MPI_THREAD_FUNNELED): granted = .funneled
      default: granted = .single
      }
      var buffer = [CChar](repeating: 0, count: Int(MPI_MAX_LIBRARY_VERSION_STRING))
      var length: Int32 = 0
      MPI_Get_library_version(&buffer, &length)
      let text = String(
        decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      let first =
        text.split(separator: "\n").first.map { String($0).trimmingCharacters(in: .whitespaces) }
        ?? text
      return MPIWorld(
        comm: shim_comm_world(),
        library: first + " (MPI_THREAD_\(granted.name.uppercased()))", threadLevel: granted)
    }

    private init(comm: MPI_Comm, library: String, threadLevel: ThreadLevel) {
      self.comm = comm
      self.library = library
      self.threadLevel = threadLevel
      var r: Int32 = 0
      var s: Int32 = 0
      MPI_Comm_rank(comm, &r)
      MPI_Comm_size(comm, &s)
      rank = Int(r)
      size = Int(s)
    }

    public func finalize() { MPI_Finalize() }

    public func time() -> Double { MPI_Wtime() }

    static func datatype(_ type: ElementType) -> MPI_Datatype {
      switch type {
      case .byte: return shim_byte()
      case .int32: return shim_int32()
      case .int64: return shim_int64()
      case .float32: return shim_float()
      case .float64: return shim_double()
      }
    }

    static func op(_ operation: ReduceOperation, _ type: ElementType) -> (MPI_Op, MPI_Datatype) {
      // MPI defines no arithmetic on MPI_BYTE: reduce bytes as unsigned chars.
      let element: MPI_Datatype = type == .byte ? shim_unsigned_char() : Self.datatype(type)
      switch operation {
      case .sum: return (shim_op_sum(), element)
      case .max: return (shim_op_max(), element)
      case .min: return (shim_op_min(), element)
      }
    }

    /// Calls `body(byteOffset, count)` for consecutive pieces of at most `maximumChunk`
    /// elements (once, with 0 elements, for an empty message), as one blocking call.
    private func pieces(_ count: Int, _ type: ElementType, _ body: (Int, Int32) -> Void) {
      RankActivity.enter()
      defer { RankActivity.leave() }
      var done = 0
      repeat {
        let piece = min(count - done, Self.maximumChunk)
        body(done * type.size, Int32(piece))
        done += piece
      } while done < count
    }

    private func oneCall(_ count: Int, _ operation: String) throws -> Int32 {
      guard count <= Self.maximumChunk else {
        throw CommunicationError.tooLarge(rank: rank, operation: operation, count: count)
      }
      return Int32(count)
    }

    public func send(
      _ buffer: UnsafeRawPointer, count: Int, type: ElementType, to peer: Int, tag: Int
    ) throws {
      let datatype = Self.datatype(type)
      pieces(count, type) { offset, n in
        MPI_Send(buffer + offset, n, datatype, Int32(peer), Int32(tag), comm)
      }
    }

    public func receive(
      _ buffer: UnsafeMutableRawPointer, count: Int, type: ElementType, from peer: Int, tag: Int
    ) throws {
      let datatype = Self.datatype(type)
      pieces(count, type) { offset, n in
        MPI_Recv(
          buffer + offset, n, datatype, Int32(peer), Int32(tag), comm, shim_status_ignore())
      }
    }

    /// An MPI_Request that a `CommunicationRequest` tests and waits on.
    private final class Pending: @unchecked Sendable {
      var request: MPI_Request? = shim_request_null()
    }

    private func request(_ pending: Pending) -> CommunicationRequest {
      CommunicationRequest(
        test: {
          var done: Int32 = 0
          MPI_Test(&pending.request, &done, shim_status_ignore())
          return done != 0
        },
        wait: { RankActivity.blocking { _ = MPI_Wait(&pending.request, shim_status_ignore()) } })
    }

    public func startSend(
      _ buffer: UnsafeRawPointer, count: Int, type: ElementType, to peer: Int, tag: Int
    ) throws -> CommunicationRequest {
      let n = try oneCall(count, "non-blocking send")
      let pending = Pending()
      MPI_Isend(buffer, n, Self.datatype(type), Int32(peer), Int32(tag), comm, &pending.request)
      return request(pending)
    }

    public func startReceive(
      _ buffer: UnsafeMutableRawPointer, count: Int, type: ElementType, from peer: Int, tag: Int
    ) throws -> CommunicationRequest {
      let n = try oneCall(count, "non-blocking receive")
      let pending = Pending()
      MPI_Irecv(buffer, n, Self.datatype(type), Int32(peer), Int32(tag), comm, &pending.request)
      return request(pending)
    }

    public func split(color: Int, key: Int) throws -> Communicator {
      var newComm: MPI_Comm? = nil
      RankActivity.blocking { _ = MPI_Comm_split(comm, Int32(color), Int32(key), &newComm) }
      guard let newComm else {
        throw CommunicationError.invalidRank(rank: rank, peer: -1, size: size)
      }
      return MPIWorld(comm: newComm, library: library, threadLevel: threadLevel)
    }

    public func splitByNode() throws -> Communicator {
      var newComm: MPI_Comm? = nil
      RankActivity.blocking {
        _ = MPI_Comm_split_type(
          comm, shim_comm_type_shared(), Int32(rank), shim_info_null(), &newComm)
      }
      guard let newComm else {
        throw CommunicationError.invalidRank(rank: rank, peer: -1, size: size)
      }
      return MPIWorld(comm: newComm, library: library, threadLevel: threadLevel)
    }

    public func barrier() throws { RankActivity.blocking { _ = MPI_Barrier(comm) } }

    public func broadcast(
      _ buffer: UnsafeMutableRawPointer, count: Int, type: ElementType, root: Int
    ) throws {
      let datatype = Self.datatype(type)
      pieces(count, type) { offset, n in MPI_Bcast(buffer + offset, n, datatype, Int32(root), comm)
      }
    }

    public func allreduce(
      _ input: UnsafeRawPointer, _ output: UnsafeMutableRawPointer, count: Int, type: ElementType,
      operation: ReduceOperation
    ) throws {
      let (op, datatype) = Self.op(operation, type)
      pieces(count, type) { offset, n in
        MPI_Allreduce(input + offset, output + offset, n, datatype, op, comm)
      }
    }

    public func reduce(
      _ input: UnsafeRawPointer, _ output: UnsafeMutableRawPointer?, count: Int,
      type: ElementType, operation: ReduceOperation, root: Int
    ) throws {
      let (op, datatype) = Self.op(operation, type)
      pieces(count, type) { offset, n in
        MPI_Reduce(input + offset, output.map { $0 + offset }, n, datatype, op, Int32(root), comm)
      }
    }

    public func allgatherv(
      _ input: UnsafeRawPointer, count: Int, type: ElementType,
      into output: UnsafeMutableRawPointer, counts: [Int], displacements: [Int]
    ) throws {
      guard zip(displacements, counts).map(+).max() ?? 0 <= Self.maximumChunk else {
        throw CommunicationError.tooLarge(
          rank: rank, operation: "allgatherv", count: counts.reduce(0, +))
      }
      let datatype = Self.datatype(type)
      var counts32 = counts.map { Int32($0) }
      var displacements32 = displacements.map { Int32($0) }
      RankActivity.blocking {
        _ = MPI_Allgatherv(
          input, Int32(count), datatype, output, &counts32, &displacements32, datatype, comm)
      }
    }

    public func gather(
      _ input: UnsafeRawPointer, count: Int, type: ElementType,
      into output: UnsafeMutableRawPointer?, root: Int
    ) throws {
      _ = try oneCall(count * size, "gather")
      let datatype = Self.datatype(type)
      RankActivity.blocking {
        _ = MPI_Gather(
          input, Int32(count), datatype, output, Int32(count), datatype, Int32(root), comm)
      }
    }

    public func allgather(
      _ input: UnsafeRawPointer, count: Int, type: ElementType, into output: UnsafeMutableRawPointer
    ) throws {
      _ = try oneCall(count * size, "allgather")
      let datatype = Self.datatype(type)
      RankActivity.blocking {
        _ = MPI_Allgather(input, Int32(count), datatype, output, Int32(count), datatype, comm)
      }
    }

    public func sendReceive(
      _ sendBuffer: UnsafeRawPointer, sendCount: Int, to destination: Int,
      _ receiveBuffer: UnsafeMutableRawPointer, receiveCount: Int, from source: Int,
      type: ElementType, tag: Int
    ) throws {
      let sent = try oneCall(sendCount, "send-receive")
      let received = try oneCall(receiveCount, "send-receive")
      let datatype = Self.datatype(type)
      RankActivity.blocking {
        _ = MPI_Sendrecv(
          sendBuffer, sent, datatype, Int32(destination), Int32(tag), receiveBuffer, received,
          datatype, Int32(source), Int32(tag), comm, shim_status_ignore())
      }
    }

    public func pingPong(
      send: UnsafeRawPointer, receive: UnsafeMutableRawPointer, bytes: Int, iterations: Int,
      initiator: Bool, peer: Int, tag: Int
    ) throws {
      let count = try oneCall(bytes, "ping-pong")
      let byte = shim_byte()
      let status = shim_status_ignore()
      let other = Int32(peer)
      let label = Int32(tag)
      // One mark around the whole loop: the latency measured is MPI's alone.
      RankActivity.enter()
      defer { RankActivity.leave() }
      if initiator {
        for _ in 0..<iterations {
          MPI_Send(send, count, byte, other, label, comm)
          MPI_Recv(receive, count, byte, other, label, comm, status)
        }
      } else {
        for _ in 0..<iterations {
          MPI_Recv(receive, count, byte, other, label, comm, status)
          MPI_Send(send, count, byte, other, label, comm)
        }
      }
    }

    public func sendWindow(
      _ buffer: UnsafeRawPointer, bytes: Int, count: Int, to peer: Int, tag: Int
    ) throws {
      let n = try oneCall(bytes, "send window")
      var requests = [MPI_Request?](repeating: shim_request_null(), count: count)
      for i in 0..<count {
        MPI_Isend(buffer, n, shim_byte(), Int32(peer), Int32(tag), comm, &requests[i])
      }
      RankActivity.blocking { _ = MPI_Waitall(Int32(count), &requests, shim_statuses_ignore()) }
    }

    public func receiveWindow(
      _ buffer: UnsafeMutableRawPointer, bytes: Int, count: Int, from peer: Int, tag: Int
    ) throws {
      let n = try oneCall(bytes, "receive window")
      var requests = [MPI_Request?](repeating: shim_request_null(), count: count)
      for i in 0..<count {
        MPI_Irecv(buffer, n, shim_byte(), Int32(peer), Int32(tag), comm, &requests[i])
      }
      RankActivity.blocking { _ = MPI_Waitall(Int32(count), &requests, shim_statuses_ignore()) }
    }

    public func exchangeWindow(
      send: UnsafeRawPointer, receive: UnsafeMutableRawPointer, bytes: Int, count: Int, peer: Int,
      tag: Int
    ) throws {
      let n = try oneCall(bytes, "exchange window")
      var requests = [MPI_Request?](repeating: shim_request_null(), count: 2 * count)
      for i in 0..<count {
        MPI_Irecv(receive, n, shim_byte(), Int32(peer), Int32(tag), comm, &requests[i])
      }
      for i in 0..<count {
        MPI_Isend(send, n, shim_byte(), Int32(peer), Int32(tag), comm, &requests[count + i])
      }
      RankActivity.blocking {
        _ = MPI_Waitall(Int32(2 * count), &requests, shim_statuses_ignore())
      }
    }

    public func release() throws {
      guard rank == 0 else { return }
      var token: Int32 = 1
      RankActivity.enter()
      defer { RankActivity.leave() }
      for peer in 1..<max(1, size) {
        MPI_Send(&token, 1, shim_int32(), Int32(peer), 99, comm)
      }
    }

    /// Polls with a 1 ms sleep: a waiting rank must not spin on a core rank 0 is measuring.
    public func waitForRelease() throws {
      guard rank != 0 else { return }
      var token: Int32 = 0
      var request: MPI_Request? = shim_request_null()
      MPI_Irecv(&token, 1, shim_int32(), 0, 99, comm, &request)
      var done: Int32 = 0
      RankActivity.enter()
      defer { RankActivity.leave() }
      while done == 0 {
        MPI_Test(&request, &done, shim_status_ignore())
        if done == 0 { usleep(1000) }
      }
    }

    /// Called from the watchdog's thread while the main thread is blocked in MPI: no MPI call
    /// here. A rank that exits non-zero makes mpirun abort the whole job.
    public func abort(_ message: String) -> Never {
      FileHandle.standardError.write(Data("suanli: rank \(rank): \(message)\n".utf8))
      _exit(3)
    }
  }
#endif
