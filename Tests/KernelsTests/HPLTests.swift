import XCTest

@testable import Kernels

final class HPLTests: XCTestCase {
  let team = ThreadTeam(unpinnedSize: 2)

  func testResidualBelowSixteenAtOddSizesWithAndWithoutDividingBlocks() throws {
    // (n, nb): nb divides n, and nb does not.
    let cases = [(1, 1), (2, 1), (2, 2), (7, 7), (7, 3), (63, 9), (63, 16), (500, 100), (500, 64)]
    for (n, nb) in cases {
      let system = try XCTUnwrap(DenseSystem(n: n))
      let outcome = HPL.run(system: system, nb: nb, seed: UInt64(n * 31 + nb), team: team)
      XCTAssertNil(outcome.singularColumn, "n=\(n) nb=\(nb)")
      let check = try XCTUnwrap(outcome.check)
      XCTAssertTrue(check.passed, "n=\(n) nb=\(nb): scaled residual \(check.scaledResidual)")
      XCTAssertGreaterThan(check.normA, 0)
      XCTAssertGreaterThan(outcome.seconds, 0)
    }
  }

  /// Our LU must be LAPACK's LU: same pivots, and factors equal up to the different order of
  /// summation. Each entry of L and U is a sum of at most n products l_ip·u_pj; two orderings of
  /// such a sum differ by at most 2·n·ε·Σ|l_ip·u_pj| ≤ 2·n²·ε·max|U| (|l| ≤ 1 with partial
  /// pivoting), the bound used here.
  func testAgreesWithLAPACKDgetrf() throws {
    for (n, nb) in [(257, 64), (300, 32), (64, 64)] {
      let system = try XCTUnwrap(DenseSystem(n: n))
      system.generate(seed: 7, team: team)
      let lda = system.lda
      var lapack = Array(UnsafeBufferPointer(start: system.storage, count: n * lda))
      var lapackPivots = [Int32](repeating: 0, count: n)
      let info = lapack.withUnsafeMutableBufferPointer { a in
        lapackPivots.withUnsafeMutableBufferPointer { p in
          BLAS.dgetrf(m: n, n: n, a: a.baseAddress!, lda: lda, ipiv: p.baseAddress!)
        }
      }
      XCTAssertEqual(info, 0)
      var pivots = [Int32](repeating: 0, count: n)
      let outcome = BLAS.withThreads(1) {
        pivots.withUnsafeMutableBufferPointer { p in
          BlockedLU<Double>.factor(
            a: system.storage, n: n, ncols: n, lda: lda, nb: nb, ipiv: p.baseAddress!, team: team)
        }
      }
      XCTAssertNil(outcome.singularColumn)
      BlockedLU<Double>.applyLaterPivotsToL(a: system.storage, n: n, lda: lda, nb: nb, ipiv: pivots)
      XCTAssertEqual(pivots, lapackPivots, "n=\(n) nb=\(nb)")
      var maxU = 0.0
      var maxDifference = 0.0
      for j in 0..<n {
        for i in 0..<n {
          let ours = system.storage[i + j * lda]
          if i <= j { maxU = max(maxU, abs(ours)) }
          maxDifference = max(maxDifference, abs(ours - lapack[i + j * lda]))
        }
      }
      let bound = 2 * Double(n * n) * HPL.epsilon * maxU
      XCTAssertLessThanOrEqual(maxDifference, bound, "n=\(n) nb=\(nb)")
    }
  }

  func testAPerturbedFactorIsRejectedByTheResidual() throws {
    let n = 200
    let system = try XCTUnwrap(DenseSystem(n: n))
    let outcome = HPL.run(system: system, nb: 32, seed: 3, team: team) { factored in
      // One entry of U off by 1e-6 relative: the solution drifts far beyond 16·ε·n.
      factored.column(150)[40] *= 1 + 1e-6
    }
    let check = try XCTUnwrap(outcome.check)
    XCTAssertFalse(check.passed, "scaled residual \(check.scaledResidual)")
    XCTAssertGreaterThan(check.scaledResidual, 16)
  }

  func testSingularMatricesAreReportedNotCrashed() {
    // [[1, 2], [2, 4]]: pivot 2, multiplier 0.5, then 2 − 0.5·4 = 0 exactly.
    var a: [Double] = [1, 2, 2, 4]
    var ipiv: [Int32] = [0, 0]
    let outcome = a.withUnsafeMutableBufferPointer { m in
      ipiv.withUnsafeMutableBufferPointer { p in
        BlockedLU<Double>.factor(
          a: m.baseAddress!, n: 2, ncols: 2, lda: 2, nb: 1, ipiv: p.baseAddress!, team: team)
      }
    }
    XCTAssertEqual(outcome.singularColumn, 1)

    // A zero column in a larger matrix, found inside a recursive panel.
    let n = 40
    var b = (0..<(n * n)).map { DenseSystem.entry(seed: 9, row: $0 % n, column: $0 / n) }
    for i in 0..<n { b[i + 17 * n] = 0 }
    var pivots = [Int32](repeating: 0, count: n)
    let second = b.withUnsafeMutableBufferPointer { m in
      pivots.withUnsafeMutableBufferPointer { p in
        BlockedLU<Double>.factor(
          a: m.baseAddress!, n: n, ncols: n, lda: n, nb: 16, ipiv: p.baseAddress!, team: team)
      }
    }
    XCTAssertEqual(second.singularColumn, 17)
  }

  func testFlopCountIsHPLs() {
    XCTAssertEqual(HPL.flops(n: 3), 2.0 / 3.0 * 27 + 1.5 * 9)
    XCTAssertEqual(HPL.flops(n: 1000), 2.0 / 3.0 * 1e9 + 1.5e6, accuracy: 1e-3)
    XCTAssertEqual(HPL.epsilon, 0x1p-53)
  }

  func testGeneratorIsUniformInHalfOpenIntervalAndReproducible() {
    var sum = 0.0
    var seen = Set<Double>()
    for j in 0..<100 {
      for i in 0..<100 {
        let v = DenseSystem.entry(seed: 1, row: i, column: j)
        XCTAssertTrue(v >= -0.5 && v < 0.5)
        XCTAssertEqual(v, DenseSystem.entry(seed: 1, row: i, column: j))
        sum += v
        seen.insert(v)
      }
    }
    XCTAssertEqual(seen.count, 10_000, "every entry distinct")
    // Mean of 10⁴ uniforms on [-0.5, 0.5): standard deviation 0.289/100; 5 sigma = 0.0145.
    XCTAssertLessThan(abs(sum / 10_000), 0.0145)
    XCTAssertNotEqual(
      DenseSystem.entry(seed: 1, row: 0, column: 0), DenseSystem.entry(seed: 2, row: 0, column: 0))
  }

  func testLeadingDimensionAvoidsFourKiBStrides() {
    XCTAssertEqual(DenseSystem.leadingDimension(512), 520)
    XCTAssertEqual(DenseSystem.leadingDimension(500), 504)
    XCTAssertEqual(DenseSystem.leadingDimension(1), 8)
  }
}
