#if MPI
  import CMPI
  import Foundation

  /// The one gateway to MPI (CMPI): MPI_COMM_WORLD as a `Communicator`. MPI is initialised once
  /// per process with MPI_THREAD_SINGLE, as hpcc and the OSU benchmarks do (plain MPI_Init): only
  /// the main thread calls MPI, and the kernels' worker threads are joined before any MPI
  /// benchmark starts. (Open MPI 4.1's FUNNELED level costs ~25 ns a message: 0.16 vs 0.13 µs
  /// one-way for 8 bytes in the same C ping-pong here.) The watchdog never calls MPI: it exits
  /// the process, and the launcher tears the job down.
  public final class MPIWorld: Communicator, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    public let library: String
    private let world: MPI_Comm

    /// Initialises MPI when this process was started by a launcher (mpirun, srun): it set one
    /// of these variables. A process started alone gets nil and runs without MPI.
    public static func initializeIfLaunched() -> MPIWorld? {
      let environment = ProcessInfo.processInfo.environment
      let markers = [
        "OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "SLURM_STEP_ID", "MPI_LOCALNRANKS",
      ]
      guard markers.contains(where: { environment[$0] != nil }) else { return nil }
      var provided: Int32 = 0
      guard MPI_Init_thread(nil, nil, Int32(MPI_THREAD_SINGLE), &provided) == MPI_SUCCESS else {
        return nil
      }
      return MPIWorld()
    }

    private init() {
      world = shim_comm_world()
      var r: Int32 = 0
      var s: Int32 = 0
      MPI_Comm_rank(world, &r)
      MPI_Comm_size(world, &s)
      rank = Int(r)
      size = Int(s)
      var buffer = [CChar](repeating: 0, count: Int(MPI_MAX_LIBRARY_VERSION_STRING))
      var length: Int32 = 0
      MPI_Get_library_version(&buffer, &length)
      let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
      let first =
        text.split(separator: "\n").first.map { String($0).trimmingCharacters(in: .whitespaces) }
        ?? text
      library = first + " (MPI_THREAD_SINGLE)"
    }

    public func finalize() { MPI_Finalize() }

    public func barrier() { MPI_Barrier(world) }

    public func time() -> Double { MPI_Wtime() }

    public func send(_ buffer: UnsafeRawPointer, bytes: Int, to peer: Int, tag: Int) {
      MPI_Send(buffer, Int32(bytes), shim_byte(), Int32(peer), Int32(tag), world)
    }

    public func receive(_ buffer: UnsafeMutableRawPointer, bytes: Int, from peer: Int, tag: Int) {
      MPI_Recv(
        buffer, Int32(bytes), shim_byte(), Int32(peer), Int32(tag), world, shim_status_ignore())
    }

    public func pingPong(
      send: UnsafeRawPointer, receive: UnsafeMutableRawPointer, bytes: Int, iterations: Int,
      initiator: Bool, peer: Int, tag: Int
    ) {
      let count = Int32(bytes)
      let byte = shim_byte()
      let status = shim_status_ignore()
      let other = Int32(peer)
      let label = Int32(tag)
      if initiator {
        for _ in 0..<iterations {
          MPI_Send(send, count, byte, other, label, world)
          MPI_Recv(receive, count, byte, other, label, world, status)
        }
      } else {
        for _ in 0..<iterations {
          MPI_Recv(receive, count, byte, other, label, world, status)
          MPI_Send(send, count, byte, other, label, world)
        }
      }
    }

    public func sendWindow(
      _ buffer: UnsafeRawPointer, bytes: Int, count: Int, to peer: Int, tag: Int
    ) {
      var requests = [MPI_Request?](repeating: shim_request_null(), count: count)
      for i in 0..<count {
        MPI_Isend(buffer, Int32(bytes), shim_byte(), Int32(peer), Int32(tag), world, &requests[i])
      }
      MPI_Waitall(Int32(count), &requests, shim_statuses_ignore())
    }

    public func receiveWindow(
      _ buffer: UnsafeMutableRawPointer, bytes: Int, count: Int, from peer: Int, tag: Int
    ) {
      var requests = [MPI_Request?](repeating: shim_request_null(), count: count)
      for i in 0..<count {
        MPI_Irecv(buffer, Int32(bytes), shim_byte(), Int32(peer), Int32(tag), world, &requests[i])
      }
      MPI_Waitall(Int32(count), &requests, shim_statuses_ignore())
    }

    public func exchangeWindow(
      send: UnsafeRawPointer, receive: UnsafeMutableRawPointer, bytes: Int, count: Int, peer: Int,
      tag: Int
    ) {
      var requests = [MPI_Request?](repeating: shim_request_null(), count: 2 * count)
      for i in 0..<count {
        MPI_Irecv(receive, Int32(bytes), shim_byte(), Int32(peer), Int32(tag), world, &requests[i])
      }
      for i in 0..<count {
        MPI_Isend(
          send, Int32(bytes), shim_byte(), Int32(peer), Int32(tag), world, &requests[count + i])
      }
      MPI_Waitall(Int32(2 * count), &requests, shim_statuses_ignore())
    }

    public func allreduceSum(
      _ input: UnsafePointer<Double>, _ output: UnsafeMutablePointer<Double>, count: Int
    ) {
      MPI_Allreduce(input, output, Int32(count), shim_double(), shim_op_sum(), world)
    }

    public func maxOverRanks(_ value: Double) -> Double {
      var input = value
      var output = 0.0
      MPI_Allreduce(&input, &output, 1, shim_double(), shim_op_max(), world)
      return output
    }

    /// Fixed 1 KiB per rank: enough for one line of placement or an error.
    public func gather(_ text: String) -> [String] {
      let width = 1024
      var mine = [CChar](repeating: 0, count: width)
      for (i, byte) in text.utf8.prefix(width - 1).enumerated() {
        mine[i] = CChar(bitPattern: byte)
      }
      var all = [CChar](repeating: 0, count: rank == 0 ? width * size : 1)
      MPI_Gather(&mine, Int32(width), shim_char(), &all, Int32(width), shim_char(), 0, world)
      guard rank == 0 else { return [] }
      return (0..<size).map { r in
        all[(r * width)..<((r + 1) * width)].withUnsafeBufferPointer {
          String(cString: $0.baseAddress!)
        }
      }
    }

    public func release() {
      guard rank == 0 else { return }
      var token: Int32 = 1
      for peer in 1..<max(1, size) {
        MPI_Send(&token, 1, MPI_INT_shim(), Int32(peer), 99, world)
      }
    }

    public func waitForRelease() {
      guard rank != 0 else { return }
      var token: Int32 = 0
      var request: MPI_Request? = shim_request_null()
      MPI_Irecv(&token, 1, MPI_INT_shim(), 0, 99, world, &request)
      var done: Int32 = 0
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

  private func MPI_INT_shim() -> MPI_Datatype { shim_int() }
#endif
