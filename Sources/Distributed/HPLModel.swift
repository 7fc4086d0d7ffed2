import Communication
import Foundation
import Kernels
import Measurement

/// A step-by-step model of the distributed LU's time, fed with parts measured on the job
/// itself — the rank's DGEMM rate at the update's shape, its panel factorisation rate, the
/// pivot exchange of a process column, and the latency and bandwidth between neighbours of a
/// process row — in the spirit of HPL's own scalability analysis (www/scalability.html), summed
/// step by step rather than in closed form so that the last, communication-bound steps count.
/// With n = N − k·NB left at step k, each rank holds mp = n/P rows and nq = n/Q columns:
///
/// - panel: (mp·NB² − NB³/3) flops at the panel rate, plus NB pivot exchanges when P > 1;
/// - broadcast: latency + 8·(mp·NB + NB²)·(seconds per byte), one hop on the critical path of
///   the ring (⌈log₂ Q⌉ for the library's tree), none when Q = 1;
/// - swap (P > 1): ⌈log₂ P⌉ latencies + 16·NB·nq bytes (U and the rows it displaces);
/// - update: (NB²·nq + 2·mp·nq·NB) flops at the DGEMM rate.
///
/// Depth 0 adds them up. Depth 1 hides the next panel's factorisation and broadcast behind the
/// update when the rank has a second thread to run the update meanwhile, and the broadcast alone
/// otherwise. The solve is N²/(P·Q) flops at the panel rate plus 2·(N/NB) latencies.
public struct HPLModel: Sendable, Equatable, Codable {
  /// flop/s of one rank's trailing update (its whole team), the slowest rank's.
  public var gemmRate: Double
  /// flop/s of one rank's panel factorisation (one thread, mostly narrow BLAS-3 and BLAS-2).
  public var panelRate: Double
  /// Seconds of one pivot exchange (an allgather over a process column of NB+2 doubles).
  public var pivotExchange: Double
  /// Point-to-point latency (s) and inverse bandwidth (s/B) between grid neighbours.
  public var latency: Double
  public var secondsPerByte: Double
  public var threads: Int

  public init(
    gemmRate: Double, panelRate: Double, pivotExchange: Double, latency: Double,
    secondsPerByte: Double, threads: Int
  ) {
    self.gemmRate = gemmRate
    self.panelRate = panelRate
    self.pivotExchange = pivotExchange
    self.latency = latency
    self.secondsPerByte = secondsPerByte
    self.threads = threads
  }

  public struct Prediction: Sendable, Equatable {
    public var seconds: Double
    /// HPL's flops / predicted seconds.
    public var rate: Double
    /// Predicted rate / (P·Q·gemmRate): what communication and the panel cost.
    public var efficiencyOfGEMM: Double
  }

  static func log2ceil(_ x: Int) -> Double { x <= 1 ? 0 : ceil(log2(Double(x))) }

  public func predict(
    n: Int, nb: Int, p: Int, q: Int, depth: Int, broadcast: PanelBroadcast
  ) -> Prediction {
    let b = Double(nb)
    func parts(_ k: Int) -> (
      panel: Double, bcast: Double, swap: Double, update: Double, ahead: Double
    ) {
      let left = Double(n - k)
      let mp = left / Double(p)
      let nq = left / Double(q)
      let width = min(b, left)
      let panel =
        max(0, mp * width * width - width * width * width / 3) / panelRate
        + (p > 1 ? width * pivotExchange : 0)
      let hops = broadcast == .ringModified ? 1 : Self.log2ceil(q)
      let bcast = q > 1 ? hops * (latency + 8 * (mp * width + width * width) * secondsPerByte) : 0
      let swap =
        p > 1 ? Self.log2ceil(p) * latency + 16 * width * nq * secondsPerByte : 0
      let update = (width * width * nq + 2 * mp * nq * width) / gemmRate
      let ahead = (width * width * width + 2 * mp * width * width) / gemmRate
      return (panel, bcast, swap, update, ahead)
    }
    var total = 0.0
    var k = 0
    let first = parts(0)
    total += first.panel + first.bcast
    while k < n {
      let now = parts(k)
      let next = k + nb < n ? parts(k + nb) : (panel: 0, bcast: 0, swap: 0, update: 0, ahead: 0)
      if depth == 0 {
        total += now.swap + now.update + next.panel + next.bcast
      } else if threads > 1 {
        total += now.swap + max(now.update, now.ahead + next.panel + next.bcast)
      } else {
        total += now.swap + now.update + next.panel + max(0, next.bcast - now.update)
      }
      k += nb
    }
    let blocks = Double((n + nb - 1) / nb)
    total +=
      Double(n) * Double(n) / Double(p * q) / panelRate
      + blocks * (Self.log2ceil(p) + Self.log2ceil(q)) * (latency + 8 * b * secondsPerByte)
    let rate = HPL.flops(n: n) / total
    return Prediction(
      seconds: total, rate: rate, efficiencyOfGEMM: rate / (Double(p * q) * gemmRate))
  }
}

extension HPLModel {
  /// Measures the model's parts on the grid (collective; about a second): every rank its own
  /// DGEMM and panel rates (the slowest counts), the pivot exchange of its process column and
  /// the round trip to its neighbour in its process row (or column), the largest counting.
  public static func measure(grid: ProcessGrid, team: ThreadTeam, n: Int, nb: Int) throws
    -> HPLModel
  {
    let m = max(nb, min(4096, n / grid.p))
    let cols = max(nb, min(4096, n / grid.q))
    let gemm = gemmRate(team: team, m: m, n: cols, k: nb)
    let panel = panelRate(m: m, nb: nb)
    var pivot = 0.0
    if grid.p > 1 {
      var record = [Double](repeating: 0, count: nb + 2)
      _ = try grid.column.allgather(record)
      var samples: [Double] = []
      for i in 0..<21 {
        record[0] = Double(i)
        let start = grid.all.time()
        _ = try grid.column.allgather(record)
        samples.append(grid.all.time() - start)
      }
      pivot = Statistics(samples)?.median ?? 0
    }
    // Round trips between neighbours: in the row (the panel's way), else in the column.
    let pair = grid.q > 1 ? grid.row : grid.column
    var latency = 0.0
    var perByte = 0.0
    if pair.size > 1, pair.rank < 2 {
      let small = try roundTrip(pair, bytes: 8, times: 50)
      let large = try roundTrip(pair, bytes: 1 << 20, times: 5)
      latency = small / 2
      perByte = max(0, (large - small) / 2 / Double(1 << 20))
    }
    let slowest = try grid.all.allreduce([-gemm, -panel, pivot, latency, perByte], .max)
    return HPLModel(
      gemmRate: -slowest[0], panelRate: -slowest[1], pivotExchange: slowest[2],
      latency: slowest[3], secondsPerByte: slowest[4], threads: team.size)
  }

  /// Seconds of one round trip of `bytes` between ranks 0 and 1 of `comm`: the median of
  /// `times` round trips.
  static func roundTrip(_ comm: Communicator, bytes: Int, times: Int) throws -> Double {
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
    defer { buffer.deallocate() }
    buffer.initializeMemory(as: UInt8.self, repeating: 1, count: bytes)
    try comm.pingPong(
      send: buffer, receive: buffer, bytes: bytes, iterations: 1, initiator: comm.rank == 0,
      peer: 1 - comm.rank, tag: 7)
    var samples: [Double] = []
    for _ in 0..<times {
      let start = comm.time()
      try comm.pingPong(
        send: buffer, receive: buffer, bytes: bytes, iterations: 1, initiator: comm.rank == 0,
        peer: 1 - comm.rank, tag: 7)
      samples.append(comm.time() - start)
    }
    // The median: a message delayed by the scheduler (another process on the core) moves a
    // mean, not the typical cost the model multiplies by thousands of messages.
    return Statistics(samples)?.median ?? 0
  }

  /// The team's DGEMM rate on an m×k by k×n product (k = NB: the update's shape), each worker
  /// its share of C's columns, repeated for about 0.2 s.
  static func gemmRate(team: ThreadTeam, m: Int, n: Int, k: Int) -> Double {
    let a = UnsafeMutablePointer<Double>.allocate(capacity: m * k)
    let b = UnsafeMutablePointer<Double>.allocate(capacity: k * n)
    let c = UnsafeMutablePointer<Double>.allocate(capacity: m * n)
    defer {
      a.deallocate()
      b.deallocate()
      c.deallocate()
    }
    for i in 0..<(m * k) { a[i] = Double(i % 7) * 0.25 - 0.75 }
    for i in 0..<(k * n) { b[i] = Double(i % 5) * 0.5 - 1 }
    c.initialize(repeating: 0, count: m * n)
    var repetitions = 0
    let start = MonotonicClock.nanoseconds()
    BLAS.withThreads(1) {
      while repetitions < 1 || elapsed(since: start) < 0.2 {
        team.run { worker in
          let columns = team.chunk(worker, of: n)
          guard !columns.isEmpty else { return }
          BLAS.dgemm(
            m: m, n: columns.count, k: k, alpha: -1, a: a, lda: m, b: b + columns.lowerBound * k,
            ldb: k, beta: 1, c: c + columns.lowerBound * m, ldc: m)
        }
        repetitions += 1
      }
    }
    return 2 * Double(m) * Double(n) * Double(k) * Double(repetitions) / elapsed(since: start)
  }

  /// One thread's LU rate on an m×NB panel (LAPACK's dgetrf, the same mix of narrow BLAS-3 and
  /// BLAS-2 as the recursive panel): (m·NB² − NB³/3) flops.
  static func panelRate(m: Int, nb: Int) -> Double {
    let a = UnsafeMutablePointer<Double>.allocate(capacity: m * nb)
    var ipiv = [Int32](repeating: 0, count: nb)
    defer { a.deallocate() }
    var repetitions = 0
    var seconds = 0.0
    BLAS.withThreads(1) {
      while repetitions < 2 || seconds < 0.05 {
        var x: UInt64 = 12345
        for i in 0..<(m * nb) {
          x = x &* 6_364_136_223_846_793_005 &+ 1
          a[i] = Double(x >> 11) * 0x1p-53 - 0.5
        }
        let start = MonotonicClock.nanoseconds()
        _ = ipiv.withUnsafeMutableBufferPointer {
          BLAS.dgetrf(m: m, n: nb, a: a, lda: m, ipiv: $0.baseAddress!)
        }
        seconds += elapsed(since: start)
        repetitions += 1
      }
    }
    let flops = Double(m) * Double(nb) * Double(nb) - pow(Double(nb), 3) / 3
    return flops * Double(repetitions) / seconds
  }
}
