import Energy
import XCTest

@testable import Benchmarks
@testable import Reports
@testable import Runner

final class SuiteParserTests: XCTestCase {
  let parser = SuiteParser()
  let sha = String(repeating: "a", count: 64)

  func parse(_ text: String) throws -> Suite { try parser.parse(text, file: "s.yaml", sha256: sha) }

  /// Asserts the suite is rejected with one line containing every fragment.
  func assertRejected(
    _ text: String, _ fragments: String..., file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertThrowsError(try parse(text), file: file, line: line) { error in
      let message = String(describing: error)
      XCTAssertFalse(message.contains("\n"), "one line: \(message)", file: file, line: line)
      XCTAssertTrue(message.hasPrefix("s.yaml"), message, file: file, line: line)
      for fragment in fragments {
        XCTAssertTrue(
          message.contains(fragment), "\(message) lacks \(fragment)", file: file, line: line)
      }
    }
  }

  func testValidSuiteWithShorthandAndParameters() throws {
    let suite = try parse(
      """
      name: t
      description: d
      timeBudgetSeconds: 30
      benchmarks:
        - stream.copy
        - id: stream.triad
          repeats: 3
          parameters: { elements: 5000, threads: 1 }
      """)
    XCTAssertEqual(suite.name, "t")
    XCTAssertEqual(suite.timeBudgetSeconds, 30)
    XCTAssertEqual(suite.entries.map(\.id), ["stream.copy", "stream.triad"])
    XCTAssertEqual(suite.entries[0].values.int("repeats"), 10, "defaults apply")
    XCTAssertEqual(suite.entries[1].values.int("repeats"), 3)
    XCTAssertEqual(suite.entries[1].values.int("elements"), 5000)
    XCTAssertEqual(suite.entries[1].values.int("threads"), 1)
    XCTAssertEqual(suite.sha256, sha)
  }

  func testShippedSuitesLoad() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .deletingLastPathComponent()
    for name in ["suites/quick.yaml", "suites/node.yaml", "bench/suites/stream-triad.yaml"] {
      let suite = try parser.load(path: root.appendingPathComponent(name).path)
      XCTAssertFalse(suite.entries.isEmpty, name)
      XCTAssertEqual(suite.sha256.count, 64)
    }
  }

  func testSyntaxErrorNamesTheLine() {
    assertRejected("name: t\nbenchmarks:\n  - id: [unclosed\n", "s.yaml:", "yaml", "not valid YAML")
  }

  /// "Billion laughs": nine aliases per level, six levels — 531,441 nodes from 400 bytes.
  static let aliasBomb =
    "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
    + (1...6).map { level in
      "a\(level): &a\(level) ["
        + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
        + "]\n"
    }.joined()

  func testAliasesThatExpandWithoutBoundAreRefused() {
    assertRejected(
      "name: t\nbenchmarks: [stream.triad]\n" + Self.aliasBomb, "s.yaml", "yaml",
      "expands to more than 100000 nodes through aliases")
    // Aliases as such are fine.
    XCTAssertNoThrow(
      try parse("name: t\nbenchmarks:\n  - { id: stream.triad, parameters: &p { threads: 1 } }\n"))
  }

  func testUnknownBenchmarkIdListsTheKnownOnes() {
    assertRejected(
      "name: t\nbenchmarks:\n  - id: stream.tried\n", "s.yaml:3", "benchmarks[0].id",
      "unknown benchmark id \"stream.tried\"", "stream.triad")
  }

  func testWrongTypesAndRanges() {
    assertRejected(
      "name: t\nbenchmarks:\n  - id: stream\n    repeats: many\n", "benchmarks[0].repeats",
      "expected an integer in 1...100000", "\"many\"")
    assertRejected(
      "name: t\nbenchmarks:\n  - id: stream\n    repeats: 0\n", "benchmarks[0].repeats",
      "1...100000")
    assertRejected(
      "name: t\nbenchmarks:\n  - id: stream\n    parameters: { elements: -5 }\n",
      "benchmarks[0].parameters.elements", "expected an integer")
    assertRejected(
      "name: t\nbenchmarks:\n  - id: stream\n    parameters: { elements: 2.5 }\n",
      "parameters.elements", "\"2.5\"")
    assertRejected(
      "name: t\nbenchmarks:\n  - id: stream\n    parameters: { elements: [1, 2] }\n",
      "parameters.elements", "got a list")
    assertRejected(
      "name: t\ntimeBudgetSeconds: -1\nbenchmarks: [stream]\n", "timeBudgetSeconds", "> 0")
  }

  func testEnergyBlock() throws {
    let body = "\nbenchmarks: [stream]\n"
    XCTAssertNil(try parse("name: t" + body).energy.sources, "auto by default")
    let listed = try parse(
      "name: t\nenergy: { sources: [powercap, ipmi], interval: 0.05, requireScope: node }" + body)
    XCTAssertEqual(
      listed.energy,
      EnergySettings(sources: ["powercap", "ipmi"], interval: 0.05, requireScope: "node"))
    XCTAssertEqual(try parse("name: t\nenergy: { sources: none }" + body).energy.sources, [])
    XCTAssertEqual(try parse("name: t\nenergy: { sources: hwmon }" + body).energy.sources, ["hwmon"])
    XCTAssertNil(try parse("name: t\nenergy: { sources: auto }" + body).energy.sources)
    assertRejected(
      "name: t\nenergy: { sources: rapl }" + body, "energy.sources",
      "expected auto, none, or a list of hwmon, ipmi, powercap")
    assertRejected(
      "name: t\nenergy: { sources: [powercap, nvml] }" + body, "energy.sources[1]", "\"nvml\"")
    assertRejected(
      "name: t\nenergy: { interval: 0 }" + body, "energy.interval", "between 0.001 and 10")
    assertRejected(
      "name: t\nenergy: { requireScope: wall }" + body, "energy.requireScope", "node, node-bmc")
    assertRejected("name: t\nenergy: { sample: 1 }" + body, "energy.sample", "unknown key")
  }

  func testUnknownKeysAreRejected() {
    assertRejected("name: t\nbenchmark: [stream]\n", "benchmark", "unknown key", "benchmarks")
    assertRejected(
      "name: t\nbenchmarks:\n  - id: stream\n    parameters: { size: 5 }\n",
      "parameters.size", "unknown key for benchmark stream", "elements")
    assertRejected(
      "name: t\nbenchmarks:\n  - id: stream\n    repeat: 5\n", "benchmarks[0].repeat", "unknown key"
    )
  }

  func testMissingAndEmptyFields() {
    assertRejected("benchmarks: [stream]\n", "(top level)", "missing required key \"name\"")
    assertRejected("name: t\n", "missing required key \"benchmarks\"")
    assertRejected("name: t\nbenchmarks: []\n", "benchmarks", "at least one")
    assertRejected("name: t\nbenchmarks: stream\n", "benchmarks", "expected a list")
    assertRejected("- just\n- a list\n", "expected a mapping")
    assertRejected("name: t\nbenchmarks:\n  - repeats: 3\n", "missing required key \"id\"")
  }

  func testOverlappingBenchmarksAreRejected() {
    assertRejected(
      "name: t\nbenchmarks: [stream, stream.triad]\n", "benchmarks[1]",
      "stream.triad measures stream.triad, which stream earlier")
    assertRejected("name: t\nbenchmarks: [stream.add, stream.add]\n", "benchmarks[1]", "stream.add")
  }

  func testMissingFileAndNonUTF8() throws {
    XCTAssertThrowsError(try parser.load(path: "/nonexistent/suanli/suite.yaml")) { error in
      XCTAssertEqual(
        String(describing: error),
        "/nonexistent/suanli/suite.yaml: file: no such suite file (see `suanli list`)")
    }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "suanli-bin-\(getpid()).yaml")
    try Data([0x6e, 0x61, 0xff, 0xfe, 0x00]).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    XCTAssertThrowsError(try parser.load(path: file.path)) { error in
      XCTAssertTrue(String(describing: error).contains("not UTF-8"))
    }
  }
}

final class OverrideTests: XCTestCase {
  func suite() throws -> Suite {
    try SuiteParser().parse(
      "name: t\nbenchmarks: [stream.copy, stream.triad]\n", file: "s.yaml", sha256: "")
  }

  func testSetChangesOneBenchmark() throws {
    var s = try suite()
    try s.apply(set: ["stream.triad.elements=12345", "stream.triad.repeats=2"])
    XCTAssertEqual(s.entries[1].values.int("elements"), 12345)
    XCTAssertEqual(s.entries[1].values.int("repeats"), 2)
    XCTAssertEqual(s.entries[0].values.int("elements"), 0)
    XCTAssertEqual(
      s.overrides, ["--set stream.triad.elements=12345", "--set stream.triad.repeats=2"])
  }

  func testSetErrors() throws {
    var s = try suite()
    let cases: [(String, String)] = [
      ("stream.triad.size=5", "has no parameter \"size\""),
      ("stream.add.elements=5", "\"stream.add\" is not in suite"),
      ("stream.triad.elements=lots", "expected an integer"),
      ("stream.triad.repeats=0", "1...100000"),
      ("stream.triad", "expected ID.PARAM=VALUE"),
      ("elements=5", "expected ID.PARAM=VALUE"),
    ]
    for (argument, fragment) in cases {
      XCTAssertThrowsError(try s.apply(set: [argument]), argument) { error in
        let text = String(describing: error)
        XCTAssertTrue(text.hasPrefix("--set \(argument):"), text)
        XCTAssertTrue(text.contains(fragment), "\(text) lacks \(fragment)")
      }
    }
  }

  func testOnly() throws {
    var s = try suite()
    try s.keepOnly(["stream.triad"])
    XCTAssertEqual(s.entries.map(\.id), ["stream.triad"])
    var t = try suite()
    XCTAssertThrowsError(try t.keepOnly(["hpl.fp64"]))
  }

  func testOnlyAcceptsAResultIDAndRunsItsProducer() throws {
    var s = try SuiteParser().parse(
      "name: q\nbenchmarks: [stream, hpl.fp64]\n", file: "q.yaml", sha256: "")
    let said = try s.keepOnly(["stream.triad"])
    XCTAssertEqual(s.entries.map(\.id), ["stream"])
    XCTAssertEqual(
      said, ["--only stream.triad: stream.triad is measured by stream, which runs whole"])
    XCTAssertEqual(s.overrides, ["--only stream.triad"])
    var t = try SuiteParser().parse(
      "name: q\nbenchmarks: [stream, hpl.fp64]\n", file: "q.yaml", sha256: "")
    XCTAssertThrowsError(try t.keepOnly(["mpi.bw"])) { error in
      XCTAssertTrue(String(describing: error).contains("not in suite q"), "\(error)")
    }
  }
}
