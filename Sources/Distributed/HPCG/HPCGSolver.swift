import Communication
import Foundation

/// HPCG 3.1's kernels on one rank's box, in the reference's order of operations: SpMV and the
/// smoother each after one halo exchange with the neighbouring boxes, the symmetric
/// Gauss–Seidel smoother (a forward then a backward sweep over the rank's rows, each using the
/// freshest values, the halo as exchanged), the 4-level V-cycle (one pre- and one
/// post-smoothing step, injection restriction and prolongation, one smoothing step on the
/// coarsest level) and the preconditioned CG with 3 dot products (each an allreduce), 3 WAXPBYs,
/// 1 SpMV and 1 MG per iteration. Threads as ranks (InProcessWorld) on a node, MPI ranks
/// across nodes: the same code.
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

  public init(problem: HPCGProblem, communicator: Communicator, smoother: Smoother = .symmetric) {
    self.problem = problem
    self.communicator = communicator
    self.smoother = smoother
  }

  /// The halo entries of `x` (from `level.rows` on) from the neighbouring ranks.
  func exchange(_ level: HPCGLevel, _ x: inout [Double]) throws {
    guard !level.neighbours.isEmpty else { return }
    let outgoing = level.neighbours.map { neighbour in neighbour.sendRows.map { x[Int($0)] } }
    try x.withUnsafeMutableBufferPointer { x in
      var requests: [CommunicationRequest] = []
      for neighbour in level.neighbours {
        requests.append(
          try communicator.startReceive(
            x.baseAddress! + neighbour.receiveOffset, count: neighbour.receiveCount,
            type: .float64, from: neighbour.rank, tag: 31))
      }
      for (index, neighbour) in level.neighbours.enumerated() {
        try outgoing[index].withUnsafeBufferPointer { values in
          try communicator.send(
            values.baseAddress!, count: values.count, type: .float64, to: neighbour.rank, tag: 31)
        }
      }
      for request in requests { try request.wait() }
    }
  }

  // MARK: Kernels

  /// y = A·x on `level`, after the halo of `x` is exchanged.
  public func spmv(_ level: HPCGLevel, _ x: inout [Double], _ y: inout [Double]) throws {
    try exchange(level, &x)
    Self.multiply(level, x, &y)
  }

  /// y = A·x on this rank's rows, with the halo of `x` as it is.
  public static func multiply(_ level: HPCGLevel, _ x: [Double], _ y: inout [Double]) {
    let width = HPCGLevel.width
    level.values.withUnsafeBufferPointer { values in
      level.columns.withUnsafeBufferPointer { columns in
        x.withUnsafeBufferPointer { x in
          y.withUnsafeMutableBufferPointer { y in
            for row in 0..<level.rows {
              var sum = 0.0
              let base = row * width
              for k in 0..<Int(level.counts[row]) {
                sum += values[base + k] * x[Int(columns[base + k])]
              }
              y[row] = sum
            }
          }
        }
      }
    }
  }

  /// One smoothing step of `x` towards A·x = r, after one halo exchange.
  func smooth(_ level: HPCGLevel, _ r: [Double], _ x: inout [Double]) throws {
    try exchange(level, &x)
    let width = HPCGLevel.width
    level.values.withUnsafeBufferPointer { values in
      level.columns.withUnsafeBufferPointer { columns in
        r.withUnsafeBufferPointer { r in
          x.withUnsafeMutableBufferPointer { x in
            func relax(_ row: Int) {
              let base = row * width
              var sum = r[row]
              for k in 0..<Int(level.counts[row]) {
                sum -= values[base + k] * x[Int(columns[base + k])]
              }
              let diagonal = level.diagonal[row]
              sum += x[row] * diagonal  // the diagonal's term was subtracted above
              x[row] = sum / diagonal
            }
            for row in 0..<level.rows { relax(row) }
            if smoother == .symmetric {
              for row in stride(from: level.rows - 1, through: 0, by: -1) { relax(row) }
            }
          }
        }
      }
    }
  }

  /// x = M⁻¹·r: the V-cycle from `index` down (x starts at zero).
  public func multigrid(level index: Int, _ r: [Double], _ x: inout [Double]) throws {
    let level = problem.levels[index]
    for i in x.indices { x[i] = 0 }
    guard index + 1 < problem.levels.count else {
      try smooth(level, r, &x)
      return
    }
    try smooth(level, r, &x)
    var ax = [Double](repeating: 0, count: level.rows)
    try spmv(level, &x, &ax)
    let map = level.coarseToFine
    var coarseR = [Double](repeating: 0, count: map.count)
    for i in map.indices {
      let fine = Int(map[i])
      coarseR[i] = r[fine] - ax[fine]
    }
    var coarseX = [Double](repeating: 0, count: problem.levels[index + 1].columnCount)
    try multigrid(level: index + 1, coarseR, &coarseX)
    for i in map.indices { x[Int(map[i])] += coarseX[i] }
    try smooth(level, r, &x)
  }

  /// Σ a·b over every rank's rows (the first `count` entries of each).
  func dot(_ a: [Double], _ b: [Double], count: Int) throws -> Double {
    var sum = 0.0
    for i in 0..<count { sum += a[i] * b[i] }
    return try communicator.allreduce(sum, .sum)
  }

  // MARK: CG

  public struct Outcome: Sendable {
    public var iterations: Int
    public var normr: Double
    public var normr0: Double
    public var scaledResidual: Double { normr / normr0 }
  }

  /// CG from `x` on the fine level until ‖r‖/‖r₀‖ ≤ tolerance·(1 + 10⁻⁶) (the reference code's
  /// test since 2022) or `maximumIterations`; tolerance 0 runs them all.
  public func cg(
    b: [Double], x: inout [Double], maximumIterations: Int, tolerance: Double,
    preconditioned: Bool
  ) throws -> Outcome {
    let fine = problem.fine
    let n = fine.rows
    var p = [Double](repeating: 0, count: fine.columnCount)
    for i in 0..<n { p[i] = x[i] }
    var ap = [Double](repeating: 0, count: n)
    try spmv(fine, &p, &ap)
    var r = [Double](repeating: 0, count: n)
    for i in 0..<n { r[i] = b[i] - ap[i] }
    var normr = try dot(r, r, count: n).squareRoot()
    let normr0 = normr
    var z = [Double](repeating: 0, count: fine.columnCount)
    var rtz = 0.0
    var iterations = 0
    var k = 1
    while k <= maximumIterations && normr / normr0 > tolerance * (1 + 1e-6) {
      if preconditioned { try multigrid(level: 0, r, &z) } else { for i in 0..<n { z[i] = r[i] } }
      if k == 1 {
        for i in 0..<n { p[i] = z[i] }
        rtz = try dot(r, z, count: n)
      } else {
        let old = rtz
        rtz = try dot(r, z, count: n)
        let beta = rtz / old
        for i in 0..<n { p[i] = z[i] + beta * p[i] }
      }
      try spmv(fine, &p, &ap)
      let alpha = rtz / (try dot(p, ap, count: n))
      for i in 0..<n { x[i] += alpha * p[i] }
      for i in 0..<n { r[i] -= alpha * ap[i] }
      normr = try dot(r, r, count: n).squareRoot()
      iterations = k
      k += 1
    }
    return Outcome(iterations: iterations, normr: normr, normr0: normr0)
  }

  // MARK: HPCG's validation tests

  /// HPCG's spectral test (TestCG): the fine diagonal scaled by 10⁶ (rows 0–8 by (row+2)·10⁶),
  /// b alike; CG to 10⁻¹² within 50 iterations, twice each, must take at most 12 iterations
  /// unpreconditioned and 2 preconditioned. Returns the iteration counts (unpreconditioned,
  /// preconditioned) of every call.
  public func spectralTest() throws -> (unpreconditioned: [Int], preconditioned: [Int]) {
    var exaggerated = self
    var diagonal = problem.fine.diagonal
    var b = problem.b
    for row in diagonal.indices {
      let global = problem.fine.globalIndex(row)
      let scale = global < 9 ? Double(global + 2) * 1e6 : 1e6
      diagonal[row] *= scale
      b[row] *= scale
    }
    exaggerated.problem.levels[0].replaceDiagonal(diagonal)
    var counts: ([Int], [Int]) = ([], [])
    for preconditioned in [false, true] {
      for _ in 0..<2 {
        var x = [Double](repeating: 0, count: b.count)
        let outcome = try exaggerated.cg(
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
    try spmv(fine, &y, &ay)
    try spmv(fine, &x, &ax)
    let spmv = abs(try dot(x, ay, count: n) - (try dot(y, ax, count: n))) / scale
    try multigrid(level: 0, Array(y[0..<n]), &ay)
    try multigrid(level: 0, Array(x[0..<n]), &ax)
    let mg = abs(try dot(x, ay, count: n) - (try dot(y, ax, count: n))) / scale
    return (spmv, mg)
  }
}
