import Foundation

/// HPCG 3.1's kernels on one box, sequential, in the reference's order of operations: SpMV,
/// the symmetric Gauss–Seidel smoother (a forward then a backward sweep, each row using the
/// freshest values), the 4-level V-cycle (one pre- and one post-smoothing step, injection
/// restriction and prolongation, one smoothing step on the coarsest level) and the
/// preconditioned CG with 3 dot products, 3 WAXPBYs, 1 SpMV and 1 MG per iteration.
public struct HPCGSolver: Sendable {
  /// How the smoother sweeps: symmetric (HPCG's) or, to prove that the symmetry test can fail,
  /// a forward sweep only (a non-symmetric preconditioner).
  public enum Smoother: Sendable {
    case symmetric
    case forwardOnly
  }

  public var problem: HPCGProblem
  public var smoother: Smoother

  public init(problem: HPCGProblem, smoother: Smoother = .symmetric) {
    self.problem = problem
    self.smoother = smoother
  }

  // MARK: Kernels

  /// y = A·x on `level`.
  public static func spmv(_ level: HPCGLevel, _ x: [Double], _ y: inout [Double]) {
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

  /// One smoothing step of `x` towards A·x = r.
  func smooth(_ level: HPCGLevel, _ r: [Double], _ x: inout [Double]) {
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
  public func multigrid(level index: Int, _ r: [Double], _ x: inout [Double]) {
    let level = problem.levels[index]
    for i in x.indices { x[i] = 0 }
    guard index + 1 < problem.levels.count else {
      smooth(level, r, &x)
      return
    }
    smooth(level, r, &x)
    var ax = [Double](repeating: 0, count: level.rows)
    Self.spmv(level, x, &ax)
    let map = level.coarseToFine
    var coarseR = [Double](repeating: 0, count: map.count)
    for i in map.indices {
      let fine = Int(map[i])
      coarseR[i] = r[fine] - ax[fine]
    }
    var coarseX = [Double](repeating: 0, count: map.count)
    multigrid(level: index + 1, coarseR, &coarseX)
    for i in map.indices { x[Int(map[i])] += coarseX[i] }
    smooth(level, r, &x)
  }

  static func dot(_ a: [Double], _ b: [Double]) -> Double {
    var sum = 0.0
    for i in a.indices { sum += a[i] * b[i] }
    return sum
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
  ) -> Outcome {
    let fine = problem.fine
    let n = fine.rows
    var p = x
    var ap = [Double](repeating: 0, count: n)
    Self.spmv(fine, p, &ap)
    var r = [Double](repeating: 0, count: n)
    for i in 0..<n { r[i] = b[i] - ap[i] }
    var normr = Self.dot(r, r).squareRoot()
    let normr0 = normr
    var z = [Double](repeating: 0, count: n)
    var rtz = 0.0
    var iterations = 0
    var k = 1
    while k <= maximumIterations && normr / normr0 > tolerance * (1 + 1e-6) {
      if preconditioned { multigrid(level: 0, r, &z) } else { z = r }
      if k == 1 {
        p = z
        rtz = Self.dot(r, z)
      } else {
        let old = rtz
        rtz = Self.dot(r, z)
        let beta = rtz / old
        for i in 0..<n { p[i] = z[i] + beta * p[i] }
      }
      Self.spmv(fine, p, &ap)
      let alpha = rtz / Self.dot(p, ap)
      for i in 0..<n { x[i] += alpha * p[i] }
      for i in 0..<n { r[i] -= alpha * ap[i] }
      normr = Self.dot(r, r).squareRoot()
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
  public func spectralTest() -> (unpreconditioned: [Int], preconditioned: [Int]) {
    var exaggerated = self
    var diagonal = problem.fine.diagonal
    var b = problem.b
    for row in diagonal.indices {
      let scale = row < 9 ? Double(row + 2) * 1e6 : 1e6
      diagonal[row] *= scale
      b[row] *= scale
    }
    exaggerated.problem.levels[0].replaceDiagonal(diagonal)
    var counts: ([Int], [Int]) = ([], [])
    for preconditioned in [false, true] {
      for _ in 0..<2 {
        var x = [Double](repeating: 0, count: b.count)
        let outcome = exaggerated.cg(
          b: b, x: &x, maximumIterations: 50, tolerance: 1e-12, preconditioned: preconditioned)
        if preconditioned { counts.1.append(outcome.iterations) } else { counts.0.append(outcome.iterations) }
      }
    }
    return counts
  }

  /// HPCG's symmetry test (TestSymmetry) for SpMV and for MG: with random x and y,
  /// |xᵀAy − yᵀAx| / ((‖x‖²·‖A‖·‖y‖² + ‖y‖²·‖A‖·‖x‖²)·ε), ‖A‖ taken as 2·26; each must be ≤ 1.
  public func symmetryDepartures(seed: UInt64 = 0x5EED) -> (spmv: Double, mg: Double) {
    let n = problem.fine.rows
    var state = seed
    func uniform() -> Double {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 11) / Double(1 << 53)
    }
    let x = (0..<n).map { _ in uniform() }
    let y = (0..<n).map { _ in uniform() }
    let xx = Self.dot(x, x)
    let yy = Self.dot(y, y)
    let norm = 2.0 * 26
    let scale = (xx * norm * yy + yy * norm * xx) * Double.ulpOfOne
    var ay = [Double](repeating: 0, count: n)
    var ax = [Double](repeating: 0, count: n)
    Self.spmv(problem.fine, y, &ay)
    Self.spmv(problem.fine, x, &ax)
    let spmv = abs(Self.dot(x, ay) - Self.dot(y, ax)) / scale
    multigrid(level: 0, y, &ay)
    multigrid(level: 0, x, &ax)
    let mg = abs(Self.dot(x, ay) - Self.dot(y, ax)) / scale
    return (spmv, mg)
  }
}
