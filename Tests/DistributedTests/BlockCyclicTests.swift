import XCTest

@testable import Distributed
@testable import Kernels

final class BlockCyclicTests: XCTestCase {
  /// Every formula against dealing the items out one by one.
  func testLayoutAgainstBruteForce() {
    for count in 0...50 {
      for block in 1...7 {
        for processes in 1...5 {
          var dealt = [[Int]](repeating: [], count: processes)
          for g in 0..<count { dealt[(g / block) % processes].append(g) }
          for process in 0..<processes {
            let layout = BlockCyclic(
              count: count, block: block, processes: processes, process: process)
            XCTAssertEqual(layout.localCount, dealt[process].count)
            XCTAssertEqual(layout.globalRanges.flatMap { Array($0) }, dealt[process])
            for (local, g) in dealt[process].enumerated() {
              XCTAssertEqual(layout.owner(of: g), process)
              XCTAssertEqual(layout.local(of: g), local)
              XCTAssertEqual(layout.global(of: local), g)
            }
            for g in 0...count {
              XCTAssertEqual(
                layout.firstLocal(atOrAfter: g), dealt[process].filter { $0 < g }.count)
            }
          }
        }
      }
    }
  }

  func testAutomaticGridIsHPCCs() {
    let shapes = [1, 2, 3, 4, 6, 8, 12, 16, 17, 36].map { ProcessGrid.automaticShape(ranks: $0) }
    XCTAssertEqual(shapes.map(\.p), [1, 1, 1, 2, 2, 2, 3, 4, 1, 6])
    XCTAssertEqual(shapes.map(\.q), [1, 2, 3, 2, 3, 4, 4, 4, 17, 6])
  }
}

final class HPLGeneratorTests: XCTestCase {
  /// HPL 2.3's testing/matgen with seed 100, N = 10 (values from the research brief, produced
  /// by HPL's own generator).
  func testHPLTestVectors() {
    let generator = HPLMatrixGenerator(n: 10, seed: 100)
    XCTAssertEqual(generator.entry(row: 0, column: 0), -5.1599441937666413e-05)
    XCTAssertEqual(generator.entry(row: 1, column: 0), 0.38413122531282284)
    XCTAssertEqual(generator.entry(row: 0, column: 1), -0.16823369577055691)
    XCTAssertEqual(generator.entry(row: 9, column: 9), 0.049887821907051821)
    XCTAssertEqual(generator.entry(row: 0, column: 10), -0.41333831260203935, "b₀")
  }

  func testJumpsEqualSteps() {
    var x: UInt64 = 100
    for steps in 0...300 {
      XCTAssertEqual(HPLMatrixGenerator.Jump.steps(UInt64(steps)).apply(100), x)
      x = HPLMatrixGenerator.multiplier &* x &+ HPLMatrixGenerator.increment
    }
  }

  /// Every process's local part, generated with jumps between its blocks, is the global matrix
  /// at that process's places, whatever the grid.
  func testPiecesFromAnyGridAreTheGlobalMatrix() throws {
    let n = 23
    let generator = HPLMatrixGenerator(n: n, seed: 7)
    let team = ThreadTeam(unpinnedSize: 2)
    for (p, q, nb) in [(1, 1, 5), (2, 3, 4), (3, 2, 1), (4, 1, 3), (3, 4, 2)] {
      for row in 0..<p {
        for column in 0..<q {
          let system = try XCTUnwrap(
            DistributedSystem(n: n, nb: nb, p: p, q: q, row: row, column: column))
          system.generate(.hpl(seed: 7), team: team)
          for lc in 0..<system.nq {
            for lr in 0..<system.mp {
              XCTAssertEqual(
                system[lr, lc],
                generator.entry(
                  row: system.rows.global(of: lr), column: system.columns.global(of: lc)),
                "\(p)×\(q) nb \(nb) at (\(row), \(column)) local (\(lr), \(lc))")
            }
          }
        }
      }
    }
  }
}
