import Foundation
import Measurement
import ReportFormat
import XCTest

@testable import Comparison
@testable import Standard

/// Golden files in Golden/: the table (width pinned, no colour — what NO_COLOR prints),
/// markdown, csv and json for 1, 2 and 7 centers, one of them invalid and one unsigned.
/// SUANLI_UPDATE_GOLDEN=1 rewrites them (then review the diff).
final class ComparisonTests: XCTestCase {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

  func standard() throws -> EvaluationStandard {
    let path = Self.root.deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("suites/standards/cses-1.yaml").path
    let known: Set<String> = [
      "hpl.fp64", "gemm.fp64", "gemm.fp32", "gemm.fp16", "gemm.bf16", "hplmxp", "stream.triad",
      "mpi.pingpong",
      "mpi.bw", "mpi.allreduce", "c2c.latency",
    ]
    var loaded = try StandardParser.load(path: path, knownBenchmarks: known)
    loaded.sha256 = "fixed-for-golden-files"
    return loaded
  }

  /// Seven centers with deterministic figures: center k has k× the first one's rates.
  func columns(_ count: Int) throws -> [CenterColumn] {
    let standard = try standard()
    return (1...count).map { k in
      let f = Double(k)
      var values: [String: Double] = [
        "hpl.fp64.rate": 9e11 * f, "hpl.fp64.efficiency": 0.70 + 0.02 * f,
        "gemm.fp64.rate": 1.1e12 * f,
        "gemm.fp32.rate": 2.2e12 * f, "gemm.fp16.rate": 1.1e12 * f * f,
        "stream.triad.bandwidth": 2e11 + 5e10 * f,
        "c2c.latency.latency": 1e-7 * (1 + 0.1 * f),
      ]
      if k % 2 == 0 {
        values["mpi.pingpong.latency@8"] = 1.2e-6 / f
        values["mpi.bw.bandwidth@2097152"] = 1e10 * f
      }
      if k == 4 { values["gemm.bf16.rate"] = 5e13 }
      let figures = CenterFigures(center: "center-\(k)", nodes: k, values: values)
      let signature = k == 3 ? "INVALID" : k == 5 ? "unsigned" : "trusted: lab"
      return CenterColumn(
        center: figures.center, figures: figures, score: Scorer.score(figures, standard: standard),
        signature: signature,
        verified: k != 3 && k != 5, date: "2026-11-2\(k)", reports: 1)
    }
  }

  func assertGolden(
    _ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let path = Self.root.appendingPathComponent("Golden/\(name)")
    if ProcessInfo.processInfo.environment["SUANLI_UPDATE_GOLDEN"] == "1" {
      try (text + "\n").write(to: path, atomically: true, encoding: .utf8)
      return
    }
    let golden = try String(
      contentsOf: try XCTUnwrap(
        Bundle.module.url(forResource: "Golden/\(name)", withExtension: nil)), encoding: .utf8)
    XCTAssertEqual(
      text + "\n", golden, "\(name) differs from its golden file", file: file, line: line)
  }

  func testTablesForOneTwoAndSevenCenters() throws {
    for count in [1, 2, 7] {
      let table = ComparisonTable(
        columns: try columns(count),
        notes: count == 7 ? ["center-3: INVALID: the signature does not match"] : [])
      try assertGolden(ComparisonRenderer.table(table, width: 100), "table-\(count).txt")
    }
  }

  func testMarkdownCSVAndJSON() throws {
    for count in [2, 7] {
      let table = ComparisonTable(columns: try columns(count))
      try assertGolden(ComparisonRenderer.markdown(table), "markdown-\(count).md")
      try assertGolden(ComparisonRenderer.csv(table), "csv-\(count).csv")
      try assertGolden(try ComparisonRenderer.json(table), "json-\(count).json")
    }
  }

  func testBaselineSortAndTranspose() throws {
    let table = ComparisonTable(
      columns: try columns(3),
      metrics: ["hpl.fp64.rate", "c2c.latency.latency", "score.composite"], baseline: "center-2",
      sortBy: "composite")
    try assertGolden(ComparisonRenderer.table(table, width: 100), "table-baseline.txt")
    try assertGolden(
      ComparisonRenderer.table(table, width: 100, transpose: true), "table-transposed.txt")
    XCTAssertEqual(table.centers.first, "center-3", "sorted by composite, best first")
    let hpl = table.rows[0]
    XCTAssertEqual(
      hpl.relative[table.centers.firstIndex(of: "center-3")!]!, 0.5, accuracy: 1e-12,
      "(2.7 − 1.8) / 1.8")
    XCTAssertNil(
      hpl.relative[table.centers.firstIndex(of: "center-2")!],
      "the baseline has no difference to itself")
  }

  /// Colour is applied to whole padded cells: removing the escape codes gives the plain table.
  func testColourDoesNotMoveAnything() throws {
    let table = ComparisonTable(columns: try columns(7), baseline: "center-1")
    let plain = ComparisonRenderer.table(table, width: 120)
    let coloured = ComparisonRenderer.table(table, width: 120) { style, text in
      style == .none ? text : "\u{1B}[31m" + text + "\u{1B}[0m"
    }
    XCTAssertNotEqual(plain, coloured)
    let stripped = coloured.replacingOccurrences(of: "\u{1B}[31m", with: "").replacingOccurrences(
      of: "\u{1B}[0m", with: "")
    XCTAssertEqual(stripped, plain)
  }

  func testNarrowTerminalsWrapCentersIntoBlocksWithoutBreakingCells() throws {
    let table = ComparisonTable(columns: try columns(7))
    let text = ComparisonRenderer.table(table, width: 60)
    for line in text.split(separator: "\n") where !line.hasPrefix("note") && !line.hasPrefix("*") {
      XCTAssertLessThanOrEqual(String(line).displayWidth, 60, String(line))
    }
    for center in table.centers { XCTAssertTrue(text.contains(center)) }
  }
}
