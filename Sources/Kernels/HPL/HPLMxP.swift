import Measurement
import Synchronization

/// The low precision of HPL-MxP's factorisation: FP32 values, or FP32 arithmetic whose GEMM
/// inputs (L21, U12) are rounded to FP16 or BF16 as a 16-bit GEMM would read them.
public enum MxPPrecision: String, CaseIterable, Sendable {
  case fp32, fp16, bf16
}

public struct MxPOutcome: Sendable {
  public var n: Int
  public var nb: Int
  public var precision: MxPPrecision
  /// Wall time of conversion + low-precision LU + refinement: what the rate divides by.
  public var seconds: Double
  public var factorSeconds: Double
  public var refineSeconds: Double
  /// Refinement steps taken after the first low-precision solve.
  public var iterations: Int
  public var singularColumn: Int?
  /// The final HPL check of x on the FP64 system; nil when the factorisation failed.
  public var check: HPLCheck?
  /// Backward error after each solve (the first is the low-precision solve alone).
  public var history: [Double]

  public init(
    n: Int, nb: Int, precision: MxPPrecision, seconds: Double, factorSeconds: Double,
    refineSeconds: Double, iterations: Int, singularColumn: Int?, check: HPLCheck?,
    history: [Double]
  ) {
    self.n = n
    self.nb = nb
    self.precision = precision
    self.seconds = seconds
    self.factorSeconds = factorSeconds
    self.refineSeconds = refineSeconds
    self.iterations = iterations
    self.singularColumn = singularColumn
    self.check = check
    self.history = history
  }

  public var converged: Bool { check?.passed == true }
  public var rate: Double { HPL.flops(n: n) / seconds }
}

/// HPL-MxP (the mixed-precision benchmark, formerly HPL-AI): a random non-symmetric system made
/// diagonally dominant (a_ii = Σ_j |a_ij|), so LU without pivoting is stable; the LU in low
/// precision; then FP64 iterative refinement, x += (LU)⁻¹·(b − A·x), until HPL's backward error
/// ‖Ax−b‖∞ / (ε(‖A‖∞‖x‖∞+‖b‖∞)n) ≤ 16 with ε = 2⁻⁵³. Credited with HPL's flop count.
public enum HPLMxP {
  public static func run(
    n: Int, nb: Int, seed: UInt64, precision: MxPPrecision, maxIterations: Int, team: ThreadTeam
  ) -> MxPOutcome? {
    guard let system = DenseSystem(n: n) else { return nil }
    system.generate(seed: seed, team: team)
    makeDiagonallyDominant(system, team: team)
    let normA = HPL.infinityNorm(system, team: team)
    let b = Array(UnsafeBufferPointer(start: system.rightHandSide, count: n))
    let normB = b.reduce(0) { max($0, abs($1)) }
    let ld = DenseSystem.leadingDimension(n)
    let low = UnsafeMutablePointer<Float>.allocate(capacity: ld * n)
    defer { low.deallocate() }
    let lowMatrix = UnsafeSendable(low)
    var ipiv = [Int32](repeating: 0, count: n)

    let start = TimedRegions.begin()
    team.run { worker in
      for j in team.chunk(worker, of: n, alignment: 1) {
        let source = system.column(j)
        let target = lowMatrix.value + j * ld
        for i in 0..<n { target[i] = Float(source[i]) }
      }
    }
    let lu = BLAS.withThreads(1) {
      ipiv.withUnsafeMutableBufferPointer { pivots in
        BlockedLU<Float>.factor(
          a: low, n: n, ncols: n, lda: ld, nb: nb, ipiv: pivots.baseAddress!, team: team,
          pivoting: false, rounding: rounding(precision))
      }
    }
    let factored = MonotonicClock.nanoseconds()
    var outcome = MxPOutcome(
      n: n, nb: nb, precision: precision, seconds: 0,
      factorSeconds: Double(factored - start) * 1e-9, refineSeconds: 0, iterations: 0,
      singularColumn: lu.singularColumn, check: nil, history: [])
    guard lu.singularColumn == nil else {
      outcome.seconds = outcome.factorSeconds
      return outcome
    }

    var x = [Double](repeating: 0, count: n)
    var r = b
    var correction = [Float](repeating: 0, count: n)
    var check = HPLCheck(
      scaledResidual: .infinity, normA: normA, normX: 0, normB: normB, normR: .infinity)
    for step in 0...maxIterations {
      // Solve (LU)·d = r in low precision; x += d. The first step solves for x itself.
      for i in 0..<n { correction[i] = Float(r[i]) }
      correction.withUnsafeMutableBufferPointer {
        BLAS.strsvLU(n: n, lu: low, ld: ld, x: $0.baseAddress!)
      }
      for i in 0..<n { x[i] += Double(correction[i]) }
      // r = b − A·x in FP64, and HPL's backward error.
      r = b
      x.withUnsafeBufferPointer { xs in
        r.withUnsafeMutableBufferPointer { rs in
          BLAS.withThreads(team.size) {
            BLAS.dgemv(
              m: n, n: n, alpha: -1, a: system.storage, lda: system.lda, x: xs.baseAddress!,
              beta: 1,
              y: rs.baseAddress!)
          }
        }
      }
      let normR = r.reduce(0.0) { $0.isNaN || $1.isNaN ? .nan : max($0, abs($1)) }
      let normX = x.reduce(0.0) { $0.isNaN || $1.isNaN ? .nan : max($0, abs($1)) }
      check = HPLCheck(
        scaledResidual: normR / (HPL.epsilon * (normA * normX + normB) * Double(n)),
        normA: normA, normX: normX, normB: normB, normR: normR)
      outcome.history.append(check.scaledResidual)
      outcome.iterations = step
      if check.passed || !check.scaledResidual.isFinite { break }
    }
    let finished = MonotonicClock.nanoseconds()
    TimedRegions.end(start)
    outcome.refineSeconds = Double(finished - factored) * 1e-9
    outcome.seconds = Double(finished - start) * 1e-9
    outcome.check = check
    return outcome
  }

  /// a_ii = Σ_j |a_ij| over row i (the original |a_ii| included): strictly diagonally dominant
  /// by rows, so Gaussian elimination without pivoting is stable (no growth).
  static func makeDiagonallyDominant(_ system: DenseSystem, team: ThreadTeam) {
    let n = system.n
    team.run { worker in
      let rows = team.chunk(worker, of: n)
      guard !rows.isEmpty else { return }
      var sums = [Double](repeating: 0, count: rows.count)
      for j in 0..<n {
        let col = system.column(j) + rows.lowerBound
        for i in 0..<rows.count { sums[i] += abs(col[i]) }
      }
      for (offset, i) in rows.enumerated() { system.column(i)[i] = sums[offset] }
    }
  }

  static func rounding(_ precision: MxPPrecision) -> BlockRounding<Float>? {
    switch precision {
    case .fp32:
      return nil
    case .fp16:
      return { block, rows, columns, ld in
        for j in 0..<columns {
          let col = block + j * ld
          for i in 0..<rows { col[i] = Float(Float16(col[i])) }
        }
      }
    case .bf16:
      return { block, rows, columns, ld in
        for j in 0..<columns {
          let col = block + j * ld
          for i in 0..<rows { col[i] = BFloat16(col[i]).float }
        }
      }
    }
  }
}
