import XCTest

@testable import Kernels

/// HPCG's problem and kernels on one 16³ box (the smallest): the closed forms, the exact
/// solution, HPCG's own validation tests, and a broken smoother the symmetry test must catch.
final class HPCGTests: XCTestCase {
  func testTheStencilMatchesItsClosedForms() {
    let problem = HPCGProblem(nx: 16, ny: 24, nz: 32)
    XCTAssertEqual(problem.fine.rows, 16 * 24 * 32)
    // (3·nx − 2)(3·ny − 2)(3·nz − 2) on every level.
    XCTAssertEqual(problem.fine.nonzeros, HPCGProblem.nonzeros(nx: 16, ny: 24, nz: 32))
    XCTAssertEqual(problem.fine.nonzeros, 46 * 70 * 94)
    XCTAssertEqual(problem.levels.map(\.rows), [12288, 1536, 192, 24])
    XCTAssertEqual(problem.levels[3].nonzeros, HPCGProblem.nonzeros(nx: 2, ny: 3, nz: 4))
    // 16³: the reference's smallest problem has 46³ = 97336 nonzeros.
    XCTAssertEqual(HPCGProblem(nx: 16, ny: 16, nz: 16).fine.nonzeros, 97_336)
    // A corner has 8 entries, an interior point 27; b = 26 − (entries − 1), so A·1 = b.
    XCTAssertEqual(problem.fine.counts[0], 8)
    XCTAssertEqual(problem.b[0], 19)
    let interior = 1 + 16 * (1 + 24 * 1)
    XCTAssertEqual(problem.fine.counts[interior], 27)
    XCTAssertEqual(problem.b[interior], 0)
    var ones = [Double](repeating: 0, count: problem.fine.rows)
    HPCGSolver.spmv(problem.fine, problem.exact, &ones)
    XCTAssertEqual(ones, problem.b)
    // Coarse point (1, 2, 3) of level 1 is fine point (2, 4, 6).
    XCTAssertEqual(problem.levels[0].coarseToFine[1 + 8 * (2 + 12 * 3)], Int32(2 + 16 * (4 + 24 * 6)))
    XCTAssertTrue(problem.levels[3].coarseToFine.isEmpty)
  }

  func testShapesAreRefusedBeforeAnythingIsMade() {
    XCTAssertNil(HPCGProblem.refusal(nx: 16, ny: 16, nz: 16))
    XCTAssertEqual(
      HPCGProblem.refusal(nx: 20, ny: 16, nz: 16),
      "nx = 20: expected a multiple of 8 of at least 16 (three halvings for the multigrid levels)")
    XCTAssertNotNil(HPCGProblem.refusal(nx: 16, ny: 8, nz: 16))
    XCTAssertTrue(
      HPCGProblem.refusal(nx: 16, ny: 16, nz: 136)?.contains("aspect ratio") ?? false)
    XCTAssertNil(HPCGProblem.refusal(nx: 16, ny: 16, nz: 128), "0.125 itself is allowed")
  }

  /// HPCG's official count for 16³, 1 set of 50 iterations, by hand from its formula.
  func testOfficialFlopsFollowTheReferenceFormula() {
    let problem = HPCGProblem(nx: 16, ny: 16, nz: 16)
    let nnz = [46 * 46 * 46, 22 * 22 * 22, 10 * 10 * 10, 4 * 4 * 4].map(Double.init)
    XCTAssertEqual(problem.levels.map { Double($0.nonzeros) }, nnz)
    let rows = 4096.0
    let n = 50.0
    let expected =
      2 * (3 * n + 1) * 2 * rows + (n + 1) * 2 * nnz[0]
      + 10 * n * (nnz[0] + nnz[1] + nnz[2]) + 4 * n * nnz[3]
    XCTAssertEqual(problem.officialFlops(iterations: 50, sets: 1), expected)
  }

  func testPreconditionedCGReachesTheExactSolution() {
    let solver = HPCGSolver(problem: HPCGProblem(nx: 16, ny: 16, nz: 16))
    var x = [Double](repeating: 0, count: 4096)
    let outcome = solver.cg(
      b: solver.problem.b, x: &x, maximumIterations: 500, tolerance: 1e-12, preconditioned: true)
    XCTAssertLessThan(outcome.scaledResidual, 1e-12)
    XCTAssertLessThan(outcome.iterations, 40)
    XCTAssertEqual(x.map { abs($0 - 1) }.max()!, 0, accuracy: 1e-9)
    // Without the preconditioner it takes more iterations to the same tolerance.
    var plain = [Double](repeating: 0, count: 4096)
    let unpreconditioned = solver.cg(
      b: solver.problem.b, x: &plain, maximumIterations: 500, tolerance: 1e-12,
      preconditioned: false)
    XCTAssertGreaterThan(unpreconditioned.iterations, outcome.iterations)
  }

  func testHPCGsValidationTestsPass() {
    let solver = HPCGSolver(problem: HPCGProblem(nx: 16, ny: 16, nz: 16))
    let spectral = solver.spectralTest()
    XCTAssertEqual(spectral.unpreconditioned.count, 2)
    XCTAssertTrue(spectral.unpreconditioned.allSatisfy { $0 <= 12 }, "\(spectral)")
    XCTAssertTrue(spectral.preconditioned.allSatisfy { $0 <= 2 }, "\(spectral)")
    let symmetry = solver.symmetryDepartures()
    XCTAssertLessThanOrEqual(symmetry.spmv, 1)
    XCTAssertLessThanOrEqual(symmetry.mg, 1)
  }

  /// A smoother that sweeps forward only makes M⁻¹ non-symmetric: the symmetry test must fail.
  func testABrokenSmootherFailsTheSymmetryTest() {
    let broken = HPCGSolver(problem: HPCGProblem(nx: 16, ny: 16, nz: 16), smoother: .forwardOnly)
    let symmetry = broken.symmetryDepartures()
    XCTAssertLessThanOrEqual(symmetry.spmv, 1, "SpMV is untouched")
    XCTAssertGreaterThan(symmetry.mg, 1, "departure \(symmetry.mg)")
  }
}
