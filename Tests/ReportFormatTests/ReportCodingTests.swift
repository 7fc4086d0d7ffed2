import Foundation
import Measurement
import XCTest

@testable import ReportFormat

final class ReportCodingTests: XCTestCase {
  func testJSONValueRoundTripKeepsTypes() throws {
    let value: JSONValue = .object([
      "n": .int(7), "x": .double(0.5), "s": .string("a"), "b": .bool(true), "z": .null,
      "list": .array([.int(1), .double(2.5)]),
    ])
    let data = try JSONEncoder().encode(value)
    XCTAssertEqual(try JSONDecoder().decode(JSONValue.self, from: data), value)
  }

  func testResultValidityFollowsStatusAndStatisticsAreComputed() {
    let ok = BenchmarkResult(
      id: "x", status: .ok, parameters: [:], samples: [1, 2, 3], sampleUnit: .seconds,
      warmupSamples: [], metrics: [], validation: nil)
    XCTAssertTrue(ok.valid)
    XCTAssertEqual(ok.statistics?.median, 2)
    let skipped = BenchmarkResult.notRun(id: "x", status: .skipped, parameters: [:], reason: "r")
    XCTAssertFalse(skipped.valid)
    XCTAssertNil(skipped.statistics)
    XCTAssertEqual(skipped.notes, ["r"])
  }

  func testReportRoundTripsAndOmitsAbsentOptionals() throws {
    let report = Report(
      tool: .init(name: "suanli", version: "0", gitCommit: "abc", buildISA: ["fma"]),
      center: "c", createdAt: "2026-01-01T00:00:00Z", complete: true, nodes: [],
      software: Software(
        os: "o", kernel: "k", compiler: "c", blas: nil, mpi: nil, hwloc: "h", environment: [:]),
      suite: SuiteRecord(
        name: "s", description: "", file: "f", sha256: String(repeating: "0", count: 64),
        timeBudgetSeconds: nil, overrides: []),
      results: [], notes: [])
    let data = try JSONEncoder().encode(report)
    let text = String(decoding: data, as: UTF8.self)
    XCTAssertFalse(text.contains("null"), "absent optionals must be omitted, not null: \(text)")
    XCTAssertEqual(try JSONDecoder().decode(Report.self, from: data), report)
    XCTAssertEqual(report.schemaVersion, 2)
  }
}
