import Foundation
import XCTest

/// `suanli import` as a user runs it: real logs in, a signed report out that says it was
/// imported everywhere it is read — verify, score, compare, the HTML page.
final class ImportCommandLineTests: XCTestCase, CommandLineHarness {
  let fixtures = RunAndReportTests.root.appendingPathComponent("Tests/ImportTests/Fixtures")

  func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

  func testImportedReportsAreLabelledWhereverTheyAreRead() throws {
    let (folder, config, _) = try keyedSuite("unused", ["stream.copy"])
    let formats = try execute(Self.binary, ["import", "--list-formats"], environment: config)
    XCTAssertEqual(formats.status, 0, formats.stderr)
    XCTAssertEqual(
      formats.stdout.split(separator: "\n").map { $0.split(separator: " ").first ?? "" },
      [
        "auto", "hpcc", "nvidia-hpl", "nvidia-hpl-mxp", "hpl", "stream", "osu", "nccl-tests-json", "nccl-tests",
        "hpcg",
      ])

    let hpcc = folder.appendingPathComponent("hpcc.json").path
    let run = try execute(
      Self.binary,
      [
        "import", "auto", fixture("hpcc-1.5.0-2ranks.txt"), "--center", "Old Center", "--output",
        hpcc,
      ], environment: config)
    XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
    XCTAssertTrue(run.stdout.contains("hpl.fp64  60.8 GFLOPS  verified from the log"), run.stdout)
    XCTAssertTrue(run.stdout.contains("hpcc.pingpong"), run.stdout)
    XCTAssertTrue(run.stdout.contains("claimed by the log"), run.stdout)
    XCTAssertTrue(run.stdout.contains("signed: the signature vouches for what the log contained"))
    try SchemaCheck.assertValid(hpcc)

    let verify = try execute(Self.binary, ["verify", hpcc], environment: config)
    XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
    XCTAssertTrue(verify.stdout.contains("valid, trusted key"), verify.stdout)
    XCTAssertTrue(
      verify.stdout.contains(
        "(imported from hpcc 1.5.0f, hpcc-1.5.0-2ranks.txt: not measured by Suanli; the signature vouches for what the log contained and the checks it passed, not for the figures)"
      ), verify.stdout)

    // Tampering with the report after signing is caught like any report's.
    var text = try String(contentsOfFile: hpcc, encoding: .utf8)
    text = text.replacingOccurrences(of: "\"verifiedFromLog\"", with: "\"claimedByLog\"")
    let tampered = folder.appendingPathComponent("tampered.json").path
    try text.write(toFile: tampered, atomically: true, encoding: .utf8)
    XCTAssertNotEqual(try execute(Self.binary, ["verify", tampered], environment: config).status, 0)

    // Scoring leaves imported figures out unless asked, then labels them.
    let plain = try execute(Self.binary, ["score", hpcc], environment: config)
    XCTAssertEqual(plain.status, 0, plain.stderr)
    XCTAssertTrue(plain.stdout.contains("left out: 8 imported result(s) (hpcc 1.5.0f)"), plain.stdout)
    XCTAssertFalse(plain.stdout.contains("imported, not measured: hpl.fp64.rate"))
    let included = try execute(
      Self.binary, ["score", hpcc, "--include-imported"], environment: config)
    XCTAssertTrue(
      included.stdout.contains("imported, not measured: hpl.fp64.rate from hpcc 1.5.0f"),
      included.stdout)

    // compare: left out by default; beside measured centers with --include-imported, marked
    // imp. and never the best of a row.
    let examples = RunAndReportTests.root.appendingPathComponent("results/examples")
    let trusted = examples.appendingPathComponent("trusted").path
    let without = try execute(
      Self.binary, ["compare", examples.path, hpcc, "--trusted", trusted],
      environment: config.merging(["COLUMNS": "200"]) { $1 })
    XCTAssertEqual(without.status, 0, without.stderr)
    XCTAssertFalse(without.stdout.contains("Old Center"), without.stdout)
    XCTAssertTrue(without.stdout.contains("imported from hpcc (hpcc-1.5.0-2ranks.txt), not measured: left out"))
    let with = try execute(
      Self.binary,
      ["compare", examples.path, hpcc, "--trusted", trusted, "--include-imported", "--format", "csv"],
      environment: config)
    XCTAssertEqual(with.status, 0, with.stderr)
    let hplRow = try XCTUnwrap(with.stdout.split(separator: "\n").first { $0.hasPrefix("hpl.fp64.rate") })
    XCTAssertTrue(hplRow.contains("imp."), String(hplRow))
    let table = try execute(
      Self.binary, ["compare", examples.path, hpcc, "--trusted", trusted, "--include-imported"],
      environment: config.merging(["COLUMNS": "200"]) { $1 })
    XCTAssertTrue(table.stdout.contains("imp. = imported from another tool's log"), table.stdout)

    // The page says so at the top.
    let page = try execute(Self.binary, ["report", hpcc, "--html"], environment: config)
    XCTAssertEqual(page.status, 0, page.stderr)
    XCTAssertTrue(page.stdout.contains("IMPORTED from hpcc 1.5.0f (hpcc-1.5.0-2ranks.txt"), String(page.stdout.prefix(3000)))
  }

  func testFailedChecksAndBadInput() throws {
    let (folder, config, _) = try keyedSuite("unused", ["stream.copy"])
    let unchecked = folder.appendingPathComponent("unchecked.json").path
    let run = try execute(
      Self.binary,
      ["import", "hpl", fixture("hpl-2.3-unchecked.txt"), "--center", "C", "--output", unchecked],
      environment: config)
    XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
    XCTAssertTrue(run.stdout.contains("FAILED: hpl.passed: HPL ran without checking"), run.stdout)
    try SchemaCheck.assertValid(unchecked)

    // A topology file makes STREAM's array rule checkable: 160 MB arrays against 4 × 16 MB
    // pass, against 4 × 64 MB fail; the machine is recorded as the user's claim.
    for (cache, status) in [("16MB", Int32(0)), ("64MB", Int32(1))] {
      let path = folder.appendingPathComponent("stream-\(cache).json").path
      let outcome = try execute(
        Self.binary,
        [
          "import", "stream", fixture("stream-5.10-2threads.txt"), "--center", "C", "--output",
          path, "--topology", "synthetic:pack:1 l3:1(size=\(cache)) core:2 pu:1",
        ], environment: config)
      XCTAssertEqual(outcome.status, status, outcome.stdout + outcome.stderr)
      try SchemaCheck.assertValid(path)
      let document = try XCTUnwrap(
        JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
          as? [String: Any])
      XCTAssertEqual((document["nodes"] as? [Any])?.count, 1)
      let claims = (document["imported"] as? [String: Any])?["claims"] as? [String: String]
      XCTAssertTrue(claims?["topology"]?.hasPrefix("user: the topology file") ?? false)
    }

    // Several logs go under --results, one report each.
    let results = folder.appendingPathComponent("results").path
    let many = try execute(
      Self.binary,
      [
        "import", "osu", fixture("osu-5.3-latency.txt"), fixture("osu-7.4-bw.txt"), "--center",
        "C", "--results", results, "--no-sign",
      ], environment: config)
    XCTAssertEqual(many.status, 0, many.stdout + many.stderr)
    let written = try FileManager.default.contentsOfDirectory(atPath: results + "/C")
    XCTAssertEqual(written.count, 2, "\(written)")

    for (arguments, fragment) in [
      (["import", "auto", folder.appendingPathComponent("none.txt").path, "--center", "C"], "none.txt"),
      (["import", "nccl", fixture("osu-7.4-bw.txt"), "--center", "C"], "unknown format \"nccl\""),
      (["import", "hpcc", fixture("osu-7.4-bw.txt"), "--center", "C"], "does not look like hpcc output"),
      (["import", "auto", fixture("osu-7.4-bw.txt")], "--center"),
    ] {
      let outcome = try execute(Self.binary, arguments, environment: config)
      XCTAssertEqual(outcome.status, 2, "\(arguments): \(outcome.stdout)")
      XCTAssertTrue(outcome.stderr.contains(fragment), outcome.stderr)
    }
    // An existing report is never overwritten.
    let again = try execute(
      Self.binary,
      ["import", "hpl", fixture("hpl-2.3-unchecked.txt"), "--center", "C", "--output", unchecked],
      environment: config)
    XCTAssertEqual(again.status, 3, again.stderr)
    XCTAssertTrue(again.stderr.contains("exists"), again.stderr)
  }
}
