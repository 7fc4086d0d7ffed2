import Measurement
import Synchronization

/// HPL's validity check on a solution x of A·x = b.
public struct HPLCheck: Sendable, Equatable {
  /// ‖A·x − b‖∞ / (ε·(‖A‖∞·‖x‖∞ + ‖b‖∞)·n), ε = 2⁻⁵³.
  public var scaledResidual: Double
  public var normA: Double
  public var normX: Double
  public var normB: Double
  public var normR: Double

  public init(scaledResidual: Double, normA: Double, normX: Double, normB: Double, normR: Double) {
    self.scaledResidual = scaledResidual
    self.normA = normA
    self.normX = normX
    self.normB = normB
    self.normR = normR
  }

  /// HPL's rule: the scaled residual must be finite and below 16.
  public var passed: Bool { scaledResidual.isFinite && scaledResidual < HPL.threshold }
}

/// One factor-and-solve of the HPL system, its timing and its check.
public struct HPLOutcome: Sendable {
  public var n: Int
  public var nb: Int
  /// Wall time of factorisation + solve: the time HPL's rate divides by.
  public var seconds: Double
  public var factorSeconds: Double
  public var solveSeconds: Double
  public var times: LUTimes
  public var singularColumn: Int?
  /// nil when the matrix was singular (no solution to check).
  public var check: HPLCheck?

  public init(
    n: Int, nb: Int, seconds: Double, factorSeconds: Double, solveSeconds: Double, times: LUTimes,
    singularColumn: Int?, check: HPLCheck?
  ) {
    self.n = n
    self.nb = nb
    self.seconds = seconds
    self.factorSeconds = factorSeconds
    self.solveSeconds = solveSeconds
    self.times = times
    self.singularColumn = singularColumn
    self.check = check
  }

  public var rate: Double { HPL.flops(n: n) / seconds }
}

/// HPL (netlib HPL 2.3's rules) on one node: random A and b uniform in [-0.5, 0.5), LU with
/// partial pivoting (BlockedLU), solve, then the scaled residual on the regenerated A and b.
public enum HPL {
  /// HPL's residual threshold.
  public static let threshold = 16.0
  /// HPL's ε: the unit roundoff 2⁻⁵³ (half of Double.ulpOfOne).
  public static let epsilon = Double.ulpOfOne / 2

  /// The flops HPL credits: (2/3)n³ + (3/2)n² (factorisation + solve), whatever the algorithm did.
  public static func flops(n: Int) -> Double { FlopCount.hpl(n: n) }

  /// Generates, factors and solves, then checks. `perturb`, when given, runs between the
  /// factorisation and the solve (tests use it to corrupt the factors).
  public static func run(
    system: DenseSystem, nb: Int, seed: UInt64, team: ThreadTeam,
    perturb: ((DenseSystem) -> Void)? = nil
  ) -> HPLOutcome {
    run(system: system, nb: nb, generator: .counter(seed: seed), team: team, perturb: perturb)
  }

  /// The same with the entries from `generator`; a warm-up run is not `counted` among the timed
  /// regions.
  public static func run(
    system: DenseSystem, nb: Int, generator: MatrixGenerator, team: ThreadTeam,
    perturb: ((DenseSystem) -> Void)? = nil, counted: Bool = true
  ) -> HPLOutcome {
    let n = system.n
    system.generate(generator, team: team)
    var ipiv = [Int32](repeating: 0, count: n)
    var outcome = HPLOutcome(
      n: n, nb: nb, seconds: 0, factorSeconds: 0, solveSeconds: 0, times: LUTimes(),
      singularColumn: nil, check: nil)
    // The timed regions (for an energy meter): the factorisation and the solve.
    let start = TimedRegions.begin()
    let lu = BLAS.withThreads(1) {
      ipiv.withUnsafeMutableBufferPointer { pivots in
        BlockedLU<Double>.factor(
          a: system.storage, n: n, ncols: n + 1, lda: system.lda, nb: nb, ipiv: pivots.baseAddress!,
          team: team)
      }
    }
    let factored = MonotonicClock.nanoseconds()
    TimedRegions.end(start, counted: counted)
    perturb?(system)
    let perturbed = TimedRegions.begin()
    if lu.singularColumn == nil {
      BLAS.dtrsvUpper(n: n, u: system.storage, ldu: system.lda, x: system.rightHandSide)
    }
    let solved = MonotonicClock.nanoseconds()
    TimedRegions.end(perturbed, counted: counted)
    outcome.factorSeconds = Double(factored - start) * 1e-9
    outcome.solveSeconds = Double(solved - perturbed) * 1e-9
    outcome.seconds = outcome.factorSeconds + outcome.solveSeconds
    outcome.times = lu.times
    outcome.singularColumn = lu.singularColumn
    guard lu.singularColumn == nil else { return outcome }

    let x = Array(UnsafeBufferPointer(start: system.rightHandSide, count: n))
    system.generate(generator, team: team)
    outcome.check = check(system: system, x: x, team: team)
    return outcome
  }

  /// The scaled residual of x against the (original, regenerated) A and b in `system`.
  public static func check(system: DenseSystem, x: [Double], team: ThreadTeam) -> HPLCheck {
    let n = system.n
    var r = Array(UnsafeBufferPointer(start: system.rightHandSide, count: n))
    let normB = r.reduce(0) { max($0, abs($1)) }
    x.withUnsafeBufferPointer { xs in
      r.withUnsafeMutableBufferPointer { rs in
        BLAS.withThreads(team.size) {
          BLAS.dgemv(
            m: n, n: n, alpha: 1, a: system.storage, lda: system.lda, x: xs.baseAddress!, beta: -1,
            y: rs.baseAddress!)
        }
      }
    }
    let normR = r.reduce(0) { $0.isNaN ? $0 : ($1.isNaN ? .nan : max($0, abs($1))) }
    let normX = x.reduce(0) { $0.isNaN ? $0 : ($1.isNaN ? .nan : max($0, abs($1))) }
    let normA = infinityNorm(system, team: team)
    let scaled = normR / (epsilon * (normA * normX + normB) * Double(n))
    return HPLCheck(scaledResidual: scaled, normA: normA, normX: normX, normB: normB, normR: normR)
  }

  /// ‖A‖∞: the largest row sum of |a_ij|, each worker summing its own rows across all columns.
  static func infinityNorm(_ system: DenseSystem, team: ThreadTeam) -> Double {
    let n = system.n
    let best = Mutex(0.0)
    team.run { worker in
      let rows = team.chunk(worker, of: n)
      guard !rows.isEmpty else { return }
      var sums = [Double](repeating: 0, count: rows.count)
      sums.withUnsafeMutableBufferPointer { s in
        for j in 0..<n {
          let col = system.column(j) + rows.lowerBound
          for i in 0..<rows.count { s[i] += abs(col[i]) }
        }
      }
      let local = sums.max() ?? 0
      best.withLock { $0 = max($0, local) }
    }
    return best.withLock { $0 }
  }
}
