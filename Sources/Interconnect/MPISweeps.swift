import Communication

/// One message size of a sweep.
public struct SweepPoint: Sendable, Equatable {
  public var size: Int
  /// One-way latency (pingpong), time per operation (allreduce, barrier), or time of the
  /// whole window loop divided by its messages (bandwidth tests).
  public var seconds: Double
  /// bytes / time for bandwidth tests; algbw for allreduce.
  public var bandwidth: Double?
  public var busBandwidth: Double?
}

public struct SweepOutcome: Sendable {
  public var points: [SweepPoint]
  /// The first payload that arrived wrong, on any rank; nil when every byte checked out.
  public var payloadError: String?

  public init(points: [SweepPoint], payloadError: String?) {
    self.points = points
    self.payloadError = payloadError
  }
}

/// OSU micro-benchmark methods (osu_latency, osu_bw, osu_bibw, osu_allreduce, osu_barrier)
/// and nccl-tests' bandwidth definitions, over any `Communicator`. Point-to-point tests run
/// between ranks 0 and 1; other ranks wait. Every received payload is checked at the end of
/// each size; the verdict is agreed over all ranks.
public enum MPISweeps {
  /// osu_latency: rank 0 sends, rank 1 answers; one-way latency = time / (2 · iterations).
  public static func pingpong(_ comm: Communicator, sizes: [Int], scale: Double) throws
    -> SweepOutcome
  {
    try pointToPoint(comm, sizes: sizes, receivers: [0, 1]) { size, send, receive in
      let (iterations, warmup) = Payload.iterations(
        size: size, small: (10_000, 100), large: (1_000, 10), scale: scale)
      let initiator = comm.rank == 0
      try comm.pingPong(
        send: send, receive: receive, bytes: size, iterations: warmup, initiator: initiator,
        peer: 1 - comm.rank, tag: 1)
      let start = comm.time()
      try comm.pingPong(
        send: send, receive: receive, bytes: size, iterations: iterations, initiator: initiator,
        peer: 1 - comm.rank, tag: 1)
      let seconds = (comm.time() - start) / Double(2 * iterations)
      return SweepPoint(
        size: size, seconds: seconds, bandwidth: Double(size) / seconds, busBandwidth: nil)
    }
  }

  /// osu_bw / osu_bibw: windows of 64 non-blocking sends, then a short acknowledgement;
  /// bandwidth = bytes moved / time (both directions for bibw).
  public static func bandwidth(
    _ comm: Communicator, sizes: [Int], scale: Double, window: Int = 64, bidirectional: Bool
  ) throws -> SweepOutcome {
    // One-way: only rank 1 receives payloads (rank 0 gets 4-byte acknowledgements).
    try pointToPoint(comm, sizes: sizes, receivers: bidirectional ? [0, 1] : [1]) {
      size, send, receive in
      let (iterations, warmup) = Payload.iterations(
        size: size, small: (100, 10), large: (20, 2), scale: scale)
      var ack: UInt32 = 0
      let peer = 1 - comm.rank
      var start = 0.0
      for i in 0..<(warmup + iterations) {
        if i == warmup { start = comm.time() }
        if bidirectional {
          try comm.exchangeWindow(
            send: send, receive: receive, bytes: size, count: window, peer: peer, tag: 2)
        } else if comm.rank == 0 {
          try comm.sendWindow(send, bytes: size, count: window, to: 1, tag: 2)
          try withUnsafeMutableBytes(of: &ack) {
            try comm.receive($0.baseAddress!, count: 4, type: .byte, from: 1, tag: 3)
          }
        } else {
          try comm.receiveWindow(receive, bytes: size, count: window, from: 0, tag: 2)
          try withUnsafeBytes(of: ack) {
            try comm.send($0.baseAddress!, count: 4, type: .byte, to: 0, tag: 3)
          }
        }
      }
      let elapsed = comm.time() - start
      let messages = Double(iterations * window) * (bidirectional ? 2 : 1)
      return SweepPoint(
        size: size, seconds: elapsed / messages, bandwidth: Double(size) * messages / elapsed,
        busBandwidth: nil)
    }
  }

  /// The shared skeleton of the two-rank tests: buffers, payload fill and check, agreement.
  private static func pointToPoint(
    _ comm: Communicator, sizes: [Int], receivers: Set<Int>,
    _ measure: (Int, UnsafeMutableRawPointer, UnsafeMutableRawPointer) throws -> SweepPoint
  ) throws -> SweepOutcome {
    let largest = sizes.max() ?? 1
    let send = UnsafeMutableRawPointer.allocate(byteCount: largest, alignment: 4096)
    let receive = UnsafeMutableRawPointer.allocate(byteCount: largest, alignment: 4096)
    defer {
      send.deallocate()
      receive.deallocate()
    }
    var points: [SweepPoint] = []
    var error: String? = nil
    for size in sizes {
      try comm.barrier()
      guard comm.rank < 2 else { continue }
      Payload.fill(send, size: size, rank: comm.rank)
      receive.initializeMemory(as: UInt8.self, repeating: 0, count: size)
      let point = try measure(size, send, receive)
      if error == nil, receivers.contains(comm.rank),
        let bad = Payload.firstMismatch(receive, size: size, rank: 1 - comm.rank)
      {
        error =
          "rank \(comm.rank): byte \(bad) of a \(size)-byte message from rank \(1 - comm.rank) is wrong"
      }
      if comm.rank == 0 { points.append(point) }
    }
    return SweepOutcome(points: points, payloadError: try agree(comm, error))
  }

  /// osu_allreduce over all ranks, sum of doubles; time per call is the slowest rank's average.
  public static func allreduce(_ comm: Communicator, sizes: [Int], scale: Double) throws
    -> SweepOutcome
  {
    let largest = (sizes.max() ?? 8) / 8
    let input = UnsafeMutablePointer<Double>.allocate(capacity: max(1, largest))
    let output = UnsafeMutablePointer<Double>.allocate(capacity: max(1, largest))
    defer {
      input.deallocate()
      output.deallocate()
    }
    var points: [SweepPoint] = []
    var error: String? = nil
    for size in sizes {
      let count = max(1, size / 8)
      for i in 0..<count { input[i] = Payload.allreduceInput(index: i, rank: comm.rank) }
      let (iterations, warmup) = Payload.iterations(
        size: size, small: (1_000, 100), large: (100, 10), scale: scale)
      for _ in 0..<warmup { try sum(comm, input, output, count) }
      for i in 0..<count { output[i] = .nan }
      try comm.barrier()
      let start = comm.time()
      for _ in 0..<iterations { try sum(comm, input, output, count) }
      let seconds = try comm.maxOverRanks((comm.time() - start) / Double(iterations))
      if error == nil {
        for i in 0..<count where output[i] != Payload.allreduceExpected(index: i, ranks: comm.size)
        {
          error =
            "rank \(comm.rank): element \(i) of the \(size)-byte allreduce is \(output[i]), expected \(Payload.allreduceExpected(index: i, ranks: comm.size))"
          break
        }
      }
      let bytes = Double(count * 8)
      let algorithm = bytes / seconds
      points.append(
        SweepPoint(
          size: count * 8, seconds: seconds, bandwidth: algorithm,
          busBandwidth: Payload.busBandwidth(algorithmBandwidth: algorithm, ranks: comm.size)))
    }
    return SweepOutcome(points: points, payloadError: try agree(comm, error))
  }

  /// osu_barrier: average time per barrier, slowest rank.
  public static func barrier(_ comm: Communicator, scale: Double) throws -> SweepOutcome {
    let iterations = max(10, Int(10_000 * scale))
    for _ in 0..<max(1, iterations / 10) { try comm.barrier() }
    let start = comm.time()
    for _ in 0..<iterations { try comm.barrier() }
    let seconds = try comm.maxOverRanks((comm.time() - start) / Double(iterations))
    return SweepOutcome(
      points: [SweepPoint(size: 0, seconds: seconds, bandwidth: nil, busBandwidth: nil)],
      payloadError: nil)
  }

  /// Every rank learns the first error any rank saw (rank 0's text is what is reported).
  private static func agree(_ comm: Communicator, _ error: String?) throws -> String? {
    let texts = try comm.gather(error ?? "")
    let anyError = try comm.maxOverRanks(error == nil ? 0 : 1) > 0
    guard anyError else { return nil }
    return texts.first { !$0.isEmpty } ?? "a payload check failed on another rank"
  }

  /// One allreduce of FP64 sums, the call osu_allreduce times.
  @inline(__always)
  private static func sum(
    _ comm: Communicator, _ input: UnsafePointer<Double>, _ output: UnsafeMutablePointer<Double>,
    _ count: Int
  ) throws {
    try comm.allreduce(input, output, count: count, type: .float64, operation: .sum)
  }
}
