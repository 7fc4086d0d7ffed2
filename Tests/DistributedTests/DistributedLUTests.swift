import Communication
import Foundation
import XCTest

@testable import Distributed
@testable import Kernels

/// The distributed LU on ranks as threads, at HPL's own test sizes (testing/ptest/HPL.dat: odd
/// N, tiny blocks, every partial-block path), on every grid shape and option.
final class DistributedLUTests: XCTestCase {
  /// x of the single-process HPL (BlockedLU) on the same HPL-generated matrix.
  func reference(n: Int, seed: UInt64) throws -> [Double] {
    let system = try XCTUnwrap(DenseSystem(n: n))
    let team = ThreadTeam(unpinnedSize: 1)
    let outcome = HPL.run(system: system, nb: 3, generator: .hpl(seed: seed), team: team)
    XCTAssertTrue(outcome.check?.passed ?? false)
    system.generate(.hpl(seed: seed), team: team)
    var ipiv = [Int32](repeating: 0, count: n)
    _ = BLAS.withThreads(1) {
      ipiv.withUnsafeMutableBufferPointer {
        BlockedLU<Double>.factor(
          a: system.storage, n: n, ncols: n + 1, lda: system.lda, nb: 4,
          ipiv: $0.baseAddress!, team: team)
      }
    }
    BLAS.dtrsvUpper(n: n, u: system.storage, ldu: system.lda, x: system.rightHandSide)
    return Array(UnsafeBufferPointer(start: system.rightHandSide, count: n))
  }

  func run(
    _ configuration: DistributedHPL.Configuration, ranks: Int, workers: Int = 1
  ) throws -> [DistributedHPLOutcome] {
    try InProcessWorld.run(ranks: ranks, timeoutSeconds: 60) { comm in
      let team = ThreadTeam(unpinnedSize: workers)
      return try DistributedHPL.run(configuration, communicator: comm, team: team)
    }
  }

  func testHPLTestSizesOnEveryGridDepthAndMapping() throws {
    let grids = [(2, 2), (1, 4), (4, 1), (2, 3), (3, 2)]
    var runs = 0
    for n in 29...35 {
      let expected = try reference(n: n, seed: 100)
      let scale = expected.map(abs).max() ?? 1
      for nb in 1...4 {
        for (p, q) in grids {
          for depth in [0, 1] {
            for mapping in GridMapping.allCases {
              var configuration = DistributedHPL.Configuration(n: n, nb: nb, p: p, q: q)
              configuration.mapping = mapping
              configuration.options.depth = depth
              configuration.keepSolution = true
              let label = "N=\(n) NB=\(nb) \(p)×\(q) depth \(depth) \(mapping)"
              let outcomes = try run(configuration, ranks: p * q)
              runs += 1
              for outcome in outcomes {
                let check = try XCTUnwrap(outcome.check, label)
                XCTAssertTrue(check.passed, "\(label): residual \(check.scaledResidual)")
                XCTAssertEqual(outcome.variant, "W\(mapping == .row ? "R" : "C")\(depth)1R2R1")
                // Same pivots, other order of operations: x agrees to rounding, κ·n·ε with the
                // condition numbers of these small random matrices (below 10⁴).
                let x = try XCTUnwrap(outcome.solution)
                let difference = zip(x, expected).map { abs($0 - $1) }.max() ?? 0
                XCTAssertLessThan(
                  difference, 1e4 * Double(n) * Double.ulpOfOne * scale,
                  "\(label): x differs from the single-process solution by \(difference)")
              }
              XCTAssertEqual(Set(outcomes.map(\.check?.scaledResidual)).count, 1, label)
            }
          }
        }
      }
    }
    XCTAssertEqual(runs, 7 * 4 * 5 * 2 * 2)
  }

  /// Teams of three workers per rank: the update's chunks are shared among them while worker 0
  /// factors the next panel and progresses the broadcast.
  func testTeamsOfSeveralWorkers() throws {
    let n = 700
    let expected = try reference(n: n, seed: 100)
    let scale = expected.map(abs).max() ?? 1
    for (p, q, depth) in [(2, 1, 1), (2, 2, 1), (3, 1, 0), (2, 2, 0)] {
      var configuration = DistributedHPL.Configuration(n: n, nb: 8, p: p, q: q)
      configuration.options.depth = depth
      configuration.keepSolution = true
      let outcomes = try run(configuration, ranks: p * q, workers: 3)
      for outcome in outcomes {
        let label = "\(p)×\(q) depth \(depth)"
        XCTAssertTrue(outcome.check?.passed ?? false, label)
        let x = try XCTUnwrap(outcome.solution, label)
        let difference = zip(x, expected).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(difference, 1e4 * Double(n) * Double.ulpOfOne * scale, label)
      }
    }
  }

  func testLibraryBroadcastAndLargerBlocks() throws {
    for (n, nb, p, q) in [(200, 16, 2, 3), (150, 32, 3, 2), (97, 24, 1, 3), (64, 64, 2, 2)] {
      var configuration = DistributedHPL.Configuration(n: n, nb: nb, p: p, q: q)
      configuration.options.broadcast = .library
      let outcomes = try run(configuration, ranks: p * q)
      for outcome in outcomes {
        XCTAssertTrue(outcome.check?.passed ?? false, "N=\(n) \(p)×\(q)")
        XCTAssertEqual(outcome.variant, "WR1BR2R1")
        XCTAssertGreaterThan(outcome.seconds, 0)
        XCTAssertGreaterThanOrEqual(outcome.times.update, 0)
      }
    }
  }

  func testASingularMatrixIsReportedByEveryRank() throws {
    // Column 17 all zeros: every elimination step leaves it zero, so the factorisation meets an
    // exact zero pivot there; every rank must report column 17 and nobody checks a solution.
    let n = 40
    var settings = DistributedHPL.Configuration(n: n, nb: 4, p: 2, q: 3)
    settings.generator = .hpl(seed: 5)
    let configuration = settings
    let outcomes = try InProcessWorld.run(ranks: 6, timeoutSeconds: 30) { comm in
      let team = ThreadTeam(unpinnedSize: 1)
      return try DistributedHPL.run(
        configuration, communicator: comm, team: team,
        prepare: { system in
          guard system.columns.owner(of: 17) == system.columns.process else { return }
          let local = system.columns.local(of: 17)
          for i in 0..<system.mp { system[i, local] = 0 }
        })
    }
    let columns = Set(outcomes.map(\.singularColumn))
    XCTAssertEqual(columns.count, 1)
    XCTAssertEqual(columns.first, 17)
    XCTAssertTrue(outcomes.allSatisfy { $0.check == nil })
  }
}
