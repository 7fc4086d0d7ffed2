import Communication
import Foundation

/// Seconds spent in each of HPCG's kernels, as the reference accumulates them (its times[0],
/// [1], [2], [3], [5]): the whole CG, the dot products (with their allreduce), the WAXPBYs,
/// the SpMVs (with their halo exchange) and the multigrid preconditioner.
public struct HPCGTimes: Sendable, Equatable {
  public var total = 0.0
  public var ddot = 0.0
  public var waxpby = 0.0
  public var spmv = 0.0
  public var mg = 0.0
  public init() {}
}

/// The vectors the kernels reuse, made once per solver (HPCG's CGData and MGData): the CG's
/// p, Ap, r and z, and per level the restricted residual, the coarse
/// correction and one send buffer per neighbouring rank. One rank's thread uses it.
final class HPCGWorkspace: @unchecked Sendable {
  final class Level {
    var coarseR: [Double]
    var coarseX: [Double]
    var send: [[Double]]
    init(_ level: HPCGLevel, coarseColumns: Int) {
      coarseR = [Double](repeating: 0, count: level.coarseToFine.count)
      coarseX = [Double](repeating: 0, count: coarseColumns)
      send = level.neighbours.map { [Double](repeating: 0, count: $0.sendRows.count) }
    }
  }

  let levels: [Level]
  var p: [Double]
  var ap: [Double]
  var r: [Double]
  var z: [Double]
  var times = HPCGTimes()

  init(_ problem: HPCGProblem) {
    levels = problem.levels.indices.map { index in
      Level(
        problem.levels[index],
        coarseColumns: index + 1 < problem.levels.count ? problem.levels[index + 1].columnCount : 0)
    }
    let fine = problem.fine
    p = [Double](repeating: 0, count: fine.columnCount)
    ap = [Double](repeating: 0, count: fine.rows)
    r = [Double](repeating: 0, count: fine.rows)
    z = [Double](repeating: 0, count: fine.columnCount)
  }
}

/// HPCG 3.1's kernels on one rank's box, in the reference's order of operations: SpMV and the
/// smoother each after one halo exchange with the neighbouring boxes, the symmetric
/// Gauss–Seidel smoother (a forward then a backward sweep over the rank's rows, each using the
/// freshest values, the halo as exchanged), the 4-level V-cycle (one pre- and one
/// post-smoothing step, injection restriction and prolongation, one smoothing step on the
/// coarsest level) and the preconditioned CG with 3 dot products (each an allreduce), 3 WAXPBYs,
/// 1 SpMV and 1 MG per iteration. Threads as ranks (InProcessWorld) on a node, MPI ranks
/// across nodes: the same code. The vectors the kernels reuse are made once, with the solver.
public struct HPCGSolver: @unchecked Sendable {
  /// How the smoother sweeps: symmetric (HPCG's) or, to prove that the symmetry test can fail,
  /// a forward sweep only (a non-symmetric preconditioner).
  public enum Smoother: Sendable {
    case symmetric
    case forwardOnly
  }

  public var problem: HPCGProblem
  public var smoother: Smoother
  public let communicator: Communicator
  let workspace: HPCGWorkspace

  public init(problem: HPCGProblem, communicator: Communicator, smoother: Smoother = .symmetric) {
    self.problem = problem
    self.communicator = communicator
    self.smoother = smoother
    workspace = HPCGWorkspace(problem)
  }

  /// The seconds each kernel has taken in this solver's CG runs so far.
  public var times: HPCGTimes {
    get { workspace.times }
    nonmutating set { workspace.times = newValue }
  }

  /// The halo entries of `x` (from `level.rows` on) from the neighbouring ranks.
  func exchange(_ index: Int, _ x: inout [Double]) throws {
    let level = problem.levels[index]
    guard !level.neighbours.isEmpty else { return }
    let work = workspace.levels[index]
    try x.withUnsafeMutableBufferPointer { x in
      var requests: [CommunicationRequest] = []
      requests.reserveCapacity(level.neighbours.count)
      for neighbour in level.neighbours {
        requests.append(
          try communicator.startReceive(
            x.baseAddress! + neighbour.receiveOffset, count: neighbour.receiveCount,
            type: .float64, from: neighbour.rank, tag: 31))
      }
      for (slot, neighbour) in level.neighbours.enumerated() {
        try work.send[slot].withUnsafeMutableBufferPointer { out in
          neighbour.sendRows.withUnsafeBufferPointer { rows in
            for i in rows.indices { out[i] = x[Int(rows[i])] }
          }
          try communicator.send(
            out.baseAddress!, count: out.count, type: .float64, to: neighbour.rank, tag: 31)
        }
      }
      for request in requests { try request.wait() }
    }
  }

  // MARK: Kernels

  /// y = A·x on level `index`, after the halo of `x` is exchanged.
  public func spmv(_ index: Int, _ x: inout [Double], _ y: inout [Double]) throws {
    try exchange(index, &x)
    Self.multiply(problem.levels[index], x, &y)
  }

  /// y = A·x on this rank's rows, with the halo of `x` as it is.
  public static func multiply(_ level: HPCGLevel, _ x: [Double], _ y: inout [Double]) {
    let width = HPCGLevel.width
    let rows = level.rows
    level.values.withUnsafeBufferPointer { values in
      level.columns.withUnsafeBufferPointer { columns in
        level.counts.withUnsafeBufferPointer { counts in
          x.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { y in
              let (v, c, xp) = (values.baseAddress!, columns.baseAddress!, x.baseAddress!)
              for row in 0..<rows {
                let base = row * width
                y[row] = Self.rowDot(v, c, xp, base, base + Int(counts[row]))
              }
            }
          }
        }
      }
    }
  }

  /// Σ v[k]·x[c[k]] over one row's entries, added in the entries' order (the reference's
  /// order: its residuals are matched to six digits); an interior row's 27 entries in a loop
  /// of constant length, which the compiler unrolls.
  @inline(__always)
  static func rowDot(
    _ v: UnsafePointer<Double>, _ c: UnsafePointer<Int32>, _ x: UnsafePointer<Double>,
    _ start: Int, _ end: Int
  ) -> Double {
    var sum = 0.0
    if end - start == HPCGLevel.width {
      for j in 0..<HPCGLevel.width { sum += v[start + j] * x[Int(c[start + j])] }
    } else {
      for k in start..<end { sum += v[k] * x[Int(c[k])] }
    }
    return sum
  }

  /// r − Σ v[k]·x[c[k]], each product subtracted in the entries' order (the reference's); an
  /// interior row's 27 entries, or the 13 before its diagonal, in a loop of constant length.
  @inline(__always)
  static func rowResidual(
    _ r: Double, _ v: UnsafePointer<Double>, _ c: UnsafePointer<Int32>, _ x: UnsafePointer<Double>,
    _ start: Int, _ end: Int
  ) -> Double {
    var sum = r
    switch end - start {
    case HPCGLevel.width:
      for j in 0..<HPCGLevel.width { sum -= v[start + j] * x[Int(c[start + j])] }
    case HPCGLevel.width / 2:
      for j in 0..<(HPCGLevel.width / 2) { sum -= v[start + j] * x[Int(c[start + j])] }
    default:
      for k in start..<end { sum -= v[k] * x[Int(c[k])] }
    }
    return sum
  }

  /// One smoothing step of `x` towards A·x = r on level `index`, after one halo exchange.
  /// `fromZero`: x is zero everywhere, its halo included (the V-cycle's first step on each
  /// level): the exchange would bring zeros, and the forward sweep's products with entries after
  /// the diagonal (not yet updated) are zero, so both are skipped — the values are the
  /// reference's, with fewer operations (optimised HPCG codes call this a zero-guess SYMGS).
  func smooth(_ index: Int, _ r: [Double], _ x: inout [Double], fromZero: Bool = false) throws {
    if !fromZero { try exchange(index, &x) }
    let level = problem.levels[index]
    let width = HPCGLevel.width
    let rows = level.rows
    let symmetric = smoother == .symmetric
    level.values.withUnsafeBufferPointer { values in
      level.columns.withUnsafeBufferPointer { columns in
        level.counts.withUnsafeBufferPointer { counts in
          level.diagonalSlot.withUnsafeBufferPointer { slots in
            level.diagonal.withUnsafeBufferPointer { diagonal in
              r.withUnsafeBufferPointer { r in
                x.withUnsafeMutableBufferPointer { x in
                  let (v, c, xp) = (values.baseAddress!, columns.baseAddress!, x.baseAddress!)
                  @inline(__always) func relax(_ row: Int) {
                    let base = row * width
                    var sum = Self.rowResidual(r[row], v, c, xp, base, base + Int(counts[row]))
                    let d = diagonal[row]
                    sum += xp[row] * d  // the diagonal's term was subtracted above
                    xp[row] = sum / d
                  }
                  if fromZero {
                    // Entries before the diagonal: lower neighbours (updated) or halo (zero).
                    for row in 0..<rows {
                      let base = row * width
                      let sum = Self.rowResidual(r[row], v, c, xp, base, base + Int(slots[row]))
                      xp[row] = sum / diagonal[row]
                    }
                  } else {
                    for row in 0..<rows { relax(row) }
                  }
                  if symmetric {
                    for row in stride(from: rows - 1, through: 0, by: -1) { relax(row) }
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /// x = M⁻¹·r: the V-cycle from `index` down (x starts at zero). The restriction needs the
  /// fine residual r − A·x only where a coarse point is injected from, one row in eight: A·x is
  /// computed for those rows alone (each row's sum as SpMV adds it, then subtracted from r, as
  /// the reference's SpMV and restriction do it).
  public func multigrid(level index: Int, _ r: [Double], _ x: inout [Double]) throws {
    x.withUnsafeMutableBufferPointer { x in
      for i in x.indices { x[i] = 0 }
    }
    try smooth(index, r, &x, fromZero: true)
    guard index + 1 < problem.levels.count else { return }
    let work = workspace.levels[index]
    try exchange(index, &x)
    let level = problem.levels[index]
    let width = HPCGLevel.width
    level.coarseToFine.withUnsafeBufferPointer { map in
      level.values.withUnsafeBufferPointer { values in
        level.columns.withUnsafeBufferPointer { columns in
          level.counts.withUnsafeBufferPointer { counts in
            r.withUnsafeBufferPointer { r in
              x.withUnsafeBufferPointer { x in
                work.coarseR.withUnsafeMutableBufferPointer { coarse in
                  let (v, c, xp) = (values.baseAddress!, columns.baseAddress!, x.baseAddress!)
                  for i in map.indices {
                    let fine = Int(map[i])
                    let base = fine * width
                    coarse[i] = r[fine] - Self.rowDot(v, c, xp, base, base + Int(counts[fine]))
                  }
                }
              }
            }
          }
        }
      }
    }
    try multigrid(level: index + 1, work.coarseR, &work.coarseX)
    problem.levels[index].coarseToFine.withUnsafeBufferPointer { map in
      work.coarseX.withUnsafeBufferPointer { coarse in
        x.withUnsafeMutableBufferPointer { x in
          for i in map.indices { x[Int(map[i])] += coarse[i] }
        }
      }
    }
    try smooth(index, r, &x)
  }

  /// Σ a·b over every rank's rows (the first `count` entries of each).
  func dot(_ a: [Double], _ b: [Double], count: Int) throws -> Double {
    var sum = 0.0
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        for i in 0..<count { sum += a[i] * b[i] }
      }
    }
    return try communicator.allreduce(sum, .sum)
  }

  /// w = α·x + β·y over the first `count` entries (w may be x or y).
  static func waxpby(
    _ count: Int, _ alpha: Double, _ x: UnsafePointer<Double>, _ beta: Double,
    _ y: UnsafePointer<Double>, _ w: UnsafeMutablePointer<Double>
  ) {
    for i in 0..<count { w[i] = alpha * x[i] + beta * y[i] }
  }

  // MARK: CG

  public struct Outcome: Sendable {
    public var iterations: Int
    public var normr: Double
    public var normr0: Double
    public var scaledResidual: Double { normr / normr0 }
  }

  /// CG from `x` on the fine level until ‖r‖/‖r₀‖ ≤ tolerance·(1 + 10⁻⁶) (the reference code's
  /// test since 2022) or `maximumIterations`; tolerance 0 runs them all. Each kernel's time is
  /// added to `times`.
  public func cg(
    b: [Double], x: inout [Double], maximumIterations: Int, tolerance: Double,
    preconditioned: Bool
  ) throws -> Outcome {
    let w = workspace
    let n = problem.fine.rows
    let clock = communicator
    var t = HPCGTimes()
    let start = clock.time()
    func timed<T>(_ slot: WritableKeyPath<HPCGTimes, Double>, _ body: () throws -> T) rethrows -> T {
      let begin = clock.time()
      defer { t[keyPath: slot] += clock.time() - begin }
      return try body()
    }
    // The vector updates, each into a vector none of its inputs shares storage with, or in place.
    func set(_ out: inout [Double], _ alpha: Double, _ a: [Double], _ beta: Double, _ b: [Double]) {
      timed(\.waxpby) {
        a.withUnsafeBufferPointer { a in
          b.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in
              Self.waxpby(n, alpha, a.baseAddress!, beta, b.baseAddress!, o.baseAddress!)
            }
          }
        }
      }
    }
    func update(_ out: inout [Double], _ alpha: Double, _ beta: Double, _ b: [Double]) {
      timed(\.waxpby) {
        b.withUnsafeBufferPointer { b in
          out.withUnsafeMutableBufferPointer { o in
            Self.waxpby(n, alpha, UnsafePointer(o.baseAddress!), beta, b.baseAddress!, o.baseAddress!)
          }
        }
      }
    }
    // p = x, r = b − A·p.
    set(&w.p, 1, x, 0, x)
    try timed(\.spmv) { try spmv(0, &w.p, &w.ap) }
    set(&w.r, 1, b, -1, w.ap)
    var normr = try timed(\.ddot) { try dot(w.r, w.r, count: n) }.squareRoot()
    let normr0 = normr
    var rtz = 0.0
    var iterations = 0
    var k = 1
    while k <= maximumIterations && normr / normr0 > tolerance * (1 + 1e-6) {
      if preconditioned {
        try timed(\.mg) { try multigrid(level: 0, w.r, &w.z) }
      } else {
        set(&w.z, 1, w.r, 0, w.r)
      }
      if k == 1 {
        set(&w.p, 1, w.z, 0, w.z)
        rtz = try timed(\.ddot) { try dot(w.r, w.z, count: n) }
      } else {
        let old = rtz
        rtz = try timed(\.ddot) { try dot(w.r, w.z, count: n) }
        update(&w.p, rtz / old, 1, w.z)  // p = β·p + z
      }
      try timed(\.spmv) { try spmv(0, &w.p, &w.ap) }
      let alpha = rtz / (try timed(\.ddot) { try dot(w.p, w.ap, count: n) })
      update(&x, 1, alpha, w.p)  // x = x + α·p
      update(&w.r, 1, -alpha, w.ap)  // r = r − α·Ap
      normr = try timed(\.ddot) { try dot(w.r, w.r, count: n) }.squareRoot()
      iterations = k
      k += 1
    }
    t.total = clock.time() - start
    w.times.total += t.total
    w.times.ddot += t.ddot
    w.times.waxpby += t.waxpby
    w.times.spmv += t.spmv
    w.times.mg += t.mg
    return Outcome(iterations: iterations, normr: normr, normr0: normr0)
  }

  // MARK: HPCG's validation tests

  /// HPCG's spectral test (TestCG): the fine diagonal scaled by 10⁶ (rows 0–8 by (row+2)·10⁶),
  /// b alike; CG to 10⁻¹² within 50 iterations, twice each, must take at most 12 iterations
  /// unpreconditioned and 2 preconditioned. Returns the iteration counts (unpreconditioned,
  /// preconditioned) of every call.
  /// The diagonal is scaled in place and put back afterwards (no copy of the matrix).
  public mutating func spectralTest() throws -> (unpreconditioned: [Int], preconditioned: [Int]) {
    let original = problem.fine.diagonal
    var diagonal = original
    var b = problem.b
    for row in diagonal.indices {
      let global = problem.fine.globalIndex(row)
      let scale = global < 9 ? Double(global + 2) * 1e6 : 1e6
      diagonal[row] *= scale
      b[row] *= scale
    }
    problem.levels[0].replaceDiagonal(diagonal)
    defer { problem.levels[0].replaceDiagonal(original) }
    var counts: ([Int], [Int]) = ([], [])
    for preconditioned in [false, true] {
      for _ in 0..<2 {
        var x = [Double](repeating: 0, count: b.count)
        let outcome = try cg(
          b: b, x: &x, maximumIterations: 50, tolerance: 1e-12, preconditioned: preconditioned)
        if preconditioned { counts.1.append(outcome.iterations) } else { counts.0.append(outcome.iterations) }
      }
    }
    return counts
  }

  /// HPCG's symmetry test (TestSymmetry) for SpMV and for MG: with random x and y (drawn from
  /// each point's global index, so the same for every decomposition),
  /// |xᵀAy − yᵀAx| / ((‖x‖²·‖A‖·‖y‖² + ‖y‖²·‖A‖·‖x‖²)·ε), ‖A‖ taken as 2·26; each must be ≤ 1.
  public func symmetryDepartures(seed: UInt64 = 0x5EED) throws -> (spmv: Double, mg: Double) {
    let fine = problem.fine
    let n = fine.rows
    func uniform(_ global: Int, _ stream: UInt64) -> Double {
      var z = seed &+ stream &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(global) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      z ^= z >> 31
      return Double(z >> 11) / Double(1 << 53)
    }
    var x = [Double](repeating: 0, count: fine.columnCount)
    var y = [Double](repeating: 0, count: fine.columnCount)
    for row in 0..<n {
      x[row] = uniform(fine.globalIndex(row), 1)
      y[row] = uniform(fine.globalIndex(row), 2)
    }
    let xx = try dot(x, x, count: n)
    let yy = try dot(y, y, count: n)
    let norm = 2.0 * 26
    let scale = (xx * norm * yy + yy * norm * xx) * Double.ulpOfOne
    var ay = [Double](repeating: 0, count: fine.columnCount)
    var ax = [Double](repeating: 0, count: fine.columnCount)
    try spmv(0, &y, &ay)
    try spmv(0, &x, &ax)
    let spmv = abs(try dot(x, ay, count: n) - (try dot(y, ax, count: n))) / scale
    try multigrid(level: 0, Array(y[0..<n]), &ay)
    try multigrid(level: 0, Array(x[0..<n]), &ax)
    let mg = abs(try dot(x, ay, count: n) - (try dot(y, ax, count: n))) / scale
    return (spmv, mg)
  }
}
