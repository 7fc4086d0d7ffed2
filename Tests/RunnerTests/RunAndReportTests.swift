import Foundation
import Kernels
import ReportFormat
import XCTest

@testable import Benchmarks
@testable import Reports
@testable import Runner

/// Runs real benchmarks at small sizes on this machine (asserting nothing about its topology),
/// writes reports and validates them against the schema of their version (schema/).
final class RunAndReportTests: XCTestCase {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "suanli-test-\(getpid())-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
  }

  func smallReport() throws -> Report {
    var suite = try SuiteParser().parse(
      "name: small\nbenchmarks:\n  - id: stream\n    repeats: 3\n", file: "small.yaml",
      sha256: String(repeating: "0", count: 64))
    try suite.apply(set: ["stream.elements=10007"])
    let node = try NodeDiscovery.discover(.host, clock: .given(2e9))
    let runner = SuiteRunner(node: node, progress: { _ in })
    try runner.preflight(suite)
    let outcome = runner.run(suite)
    return ReportBuilder.report(
      suite: suite, center: "test-center", node: node, outcome: outcome, date: Date())
  }

  func testSmallStreamRunIsValidAndComplete() throws {
    let report = try smallReport()
    XCTAssertTrue(report.complete)
    XCTAssertEqual(
      report.results.map(\.id), ["stream.copy", "stream.scale", "stream.add", "stream.triad"])
    for result in report.results {
      XCTAssertEqual(result.status, .ok, "\(result.id): \(result.notes)")
      XCTAssertEqual(result.samples.count, 3)
      XCTAssertEqual(result.warmupSamples.count, 1)
      XCTAssertEqual(result.validation?.passed, true)
      let bandwidth = try XCTUnwrap(result.metric("bandwidth"))
      XCTAssertEqual(bandwidth.unit, .bytesPerSecond)
      XCTAssertEqual(bandwidth.polarity, .higherIsBetter)
      // bandwidth = bytes / best time, recomputed from the kept samples.
      let bytes = try XCTUnwrap(result.metric("bytesPerIteration")).value
      XCTAssertEqual(
        bandwidth.value, bytes / result.samples.min()!, accuracy: bandwidth.value * 1e-12)
      XCTAssertTrue(result.notes.contains { $0.contains("below STREAM's rule") })
    }
    XCTAssertEqual(report.nodes.first?.rpeak.first?.clockHertz, 2e9)
  }

  func testReportValidatesAgainstTheSchemaAndATamperedOneDoesNot() throws {
    let folder = try temporaryFolder()
    let report = try smallReport()
    let path = folder.appendingPathComponent("r.json").path
    try ReportBuilder.write(report, to: path)
    try SchemaCheck.assertValid(path)

    var broken = report
    broken.results[0].valid = false  // status ok but not valid: the schema forbids it
    let brokenPath = folder.appendingPathComponent("broken.json").path
    try ReportBuilder.write(broken, to: brokenPath)
    try SchemaCheck.assertInvalid(brokenPath)
  }

  func testImpossibleSizeIsRefusedBeforeAllocating() throws {
    var suite = try SuiteParser().parse(
      "name: t\nbenchmarks: [stream.triad]\n", file: "t.yaml", sha256: "")
    try suite.apply(set: ["stream.triad.elements=1000000000000"])
    let node = try NodeDiscovery.discover(.synthetic("pack:1 numa:1 core:2 pu:1"))
    XCTAssertThrowsError(try SuiteRunner(node: node, progress: { _ in }).preflight(suite)) {
      error in
      let text = String(describing: error)
      XCTAssertTrue(text.hasPrefix("stream.triad: elements=1000000000000 needs"), text)
      XCTAssertTrue(text.contains("available"), text)
    }
  }

  func testExhaustedBudgetSkipsTheRestAndMarksTheReportIncomplete() throws {
    let suite = try SuiteParser().parse(
      "name: t\ntimeBudgetSeconds: 0.000001\nbenchmarks:\n  - id: stream.copy\n    parameters: {elements: 4096}\n  - id: stream.add\n    parameters: {elements: 4096}\n",
      file: "t.yaml", sha256: "")
    let node = try NodeDiscovery.discover(.host, clock: .given(2e9))
    let outcome = SuiteRunner(node: node, progress: { _ in }).run(suite)
    XCTAssertFalse(outcome.complete)
    XCTAssertEqual(outcome.results.last?.status, .skipped)
    XCTAssertTrue(outcome.results.last?.notes.first?.contains("time budget") ?? false)
  }

  func testReportPathIsSafe() {
    XCTAssertEqual(ReportBuilder.compactStamp(Date(timeIntervalSince1970: 0)), "19700101T000000Z")
    XCTAssertEqual(ReportBuilder.iso8601(Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00Z")
    let date = Date(timeIntervalSince1970: 86_400 + 3_661)
    XCTAssertEqual(
      ReportBuilder.defaultPath(
        folder: "results", center: "SJTU π/HPC", host: "node 1", suite: "quick", date: date),
      "results/SJTU___HPC/node_1-19700102T010101Z-quick.json")
    XCTAssertEqual(ReportBuilder.safe("../etc"), "_.._etc")
  }
}

/// Validates JSON files against the report schema with Python's jsonschema (Debian's
/// python3-jsonschema, which `make test` installs). Without it the check is skipped, unless
/// SUANLI_REQUIRE_SCHEMA_CHECK=1 (set by `make test`) makes its absence a failure.
enum SchemaCheck {
  /// The folder of schema/report-vN.schema.json; each report is checked against its version's.
  static let schema = RunAndReportTests.root.appendingPathComponent("schema").path

  static func run(_ path: String) throws -> (Int32, String) {
    let environment = ProcessInfo.processInfo.environment
    let python = environment["SUANLI_PYTHON"] ?? "/usr/bin/python3"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [
      "-c",
      "import json,sys,jsonschema; r=json.load(open(sys.argv[1])); jsonschema.Draft202012Validator(json.load(open(sys.argv[2]+'/report-v%d.schema.json' % r['schemaVersion']))).validate(r)",
      path, schema,
    ]
    let pipe = Pipe()
    process.standardError = pipe
    process.standardOutput = pipe
    do { try process.run() } catch { return (-1, "cannot start \(python): \(error)") }
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    if output.contains("No module named 'jsonschema'") { return (-1, output) }
    return (process.terminationStatus, output)
  }

  static func available() throws {
    let (status, output) = try run("/dev/null")
    if status == -1 {
      if ProcessInfo.processInfo.environment["SUANLI_REQUIRE_SCHEMA_CHECK"] == "1" {
        XCTFail("schema validator unavailable: \(output)")
      }
      throw XCTSkip("python3 with jsonschema is not installed: \(output)")
    }
  }

  static func assertValid(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws
  {
    try available()
    let (status, output) = try run(path)
    XCTAssertEqual(status, 0, "schema violation in \(path): \(output)", file: file, line: line)
  }

  static func assertInvalid(_ path: String, file: StaticString = #filePath, line: UInt = #line)
    throws
  {
    try available()
    let (status, _) = try run(path)
    XCTAssertNotEqual(status, 0, "\(path) should violate the schema", file: file, line: line)
  }
}

final class HPLBenchmarkTests: XCTestCase {
  func node() throws -> NodeProfile { try NodeDiscovery.discover(.host, clock: .given(2e9)) }

  func testSmallHPLRunIsValidWithRateEfficiencyAndSummary() throws {
    var suite = try SuiteParser().parse(
      "name: t\nbenchmarks:\n  - id: hpl.fp64\n    repeats: 2\n    parameters: { n: 301, nb: 32 }\n",
      file: "t.yaml", sha256: "")
    try suite.apply(set: ["hpl.fp64.threads=2"])
    let outcome = SuiteRunner(node: try node(), progress: { _ in }).run(suite)
    let result = try XCTUnwrap(outcome.results.first)
    XCTAssertEqual(result.status, .ok, "\(result.notes)")
    XCTAssertEqual(result.samples.count, 2)
    let residual = try XCTUnwrap(result.metric("residual")?.value)
    XCTAssertLessThan(residual, 16)
    let rate = try XCTUnwrap(result.metric("rate"))
    XCTAssertEqual(rate.unit, .flopsPerSecond)
    XCTAssertEqual(
      rate.value, (2.0 / 3.0 * pow(301, 3) + 1.5 * 301 * 301) / result.samples.min()!,
      accuracy: rate.value * 1e-12)
    XCTAssertNotNil(result.metric("efficiency"))
    XCTAssertTrue(
      result.summary?.hasPrefix("HPL N=301 NB=32 threads=2") ?? false, result.summary ?? "")
    XCTAssertEqual(result.parameters["n"], .int(301))
  }

  func testSingularRunIsInvalidWithReasonAndEncodes() throws {
    let singular = HPLOutcome(
      n: 5, nb: 2, seconds: 0.1, factorSeconds: 0.1, solveSeconds: 0, times: LUTimes(),
      singularColumn: 3, check: nil)
    let result = HPLBenchmark.result(
      outcomes: [singular], warmup: [], parameters: [:], rpeak: nil, placement: "p")
    XCTAssertEqual(result.status, .invalid)
    XCTAssertFalse(result.valid)
    XCTAssertNil(result.metric("rate"), "an invalid result is never given a rate")
    XCTAssertTrue(result.notes.first?.contains("singular: zero pivot in column 3") ?? false)
    XCTAssertNoThrow(try JSONEncoder().encode(result), "no NaN may reach the report")
  }

  func testFailingResidualIsInvalidButReported() throws {
    let wrong = HPLOutcome(
      n: 5, nb: 2, seconds: 0.1, factorSeconds: 0.1, solveSeconds: 0, times: LUTimes(),
      singularColumn: nil,
      check: HPLCheck(scaledResidual: 1e6, normA: 1, normX: 1, normB: 1, normR: 1))
    let result = HPLBenchmark.result(
      outcomes: [wrong], warmup: [], parameters: [:], rpeak: nil, placement: "p")
    XCTAssertEqual(result.status, .invalid)
    XCTAssertEqual(result.metric("residual")?.value, 1e6)
    XCTAssertEqual(result.validation?.passed, false)
    XCTAssertNil(result.metric("rate"))
  }

  func testBadSizesAreRefused() throws {
    let node = try node()
    let cases: [(String, String)] = [
      ("hpl.fp64.nb=0", "1...4096"),
      ("hpl.fp64.n=-3", "expected an integer"),
    ]
    for (argument, fragment) in cases {
      var suite = try SuiteParser().parse(
        "name: t\nbenchmarks: [hpl.fp64]\n", file: "t.yaml", sha256: "")
      XCTAssertThrowsError(try suite.apply(set: [argument])) {
        XCTAssertTrue(String(describing: $0).contains(fragment), "\($0)")
      }
    }
    var tooBig = try SuiteParser().parse(
      "name: t\nbenchmarks: [hpl.fp64]\n", file: "t.yaml", sha256: "")
    try tooBig.apply(set: ["hpl.fp64.n=1000000"])
    XCTAssertThrowsError(try SuiteRunner(node: node, progress: { _ in }).preflight(tooBig)) {
      let text = String(describing: $0)
      XCTAssertTrue(text.hasPrefix("hpl.fp64: n=1000000 needs"), text)
      XCTAssertTrue(text.contains("available"), text)
    }
    var nbAboveN = try SuiteParser().parse(
      "name: t\nbenchmarks: [hpl.fp64]\n", file: "t.yaml", sha256: "")
    try nbAboveN.apply(set: ["hpl.fp64.n=100", "hpl.fp64.nb=200"])
    XCTAssertThrowsError(try SuiteRunner(node: node, progress: { _ in }).preflight(nbAboveN)) {
      XCTAssertEqual(String(describing: $0), "hpl.fp64.nb: expected nb <= n (100), got 200")
    }
  }
}
