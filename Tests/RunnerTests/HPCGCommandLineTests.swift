import Foundation
import XCTest

/// `hpcg` through the command line: the node's threads as HPCG's ranks, its figures beside HPL
/// and STREAM of the same run, the standard's HPCG metrics, and boxes HPCG refuses.
final class HPCGCommandLineTests: XCTestCase, CommandLineHarness {
  func results(_ path: String) throws -> [[String: Any]] {
    let json = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        as? [String: Any])
    return try XCTUnwrap(json["results"] as? [[String: Any]])
  }

  func testTwoThreadsAsRanksBesideHPLAndStream() throws {
    let (folder, config, suite) = try keyedSuite(
      "hpcg",
      [
        "{ id: stream.triad, repeats: 2, parameters: { elements: 500000 } }",
        "{ id: hpl.fp64, parameters: { n: 600, nb: 64 } }",
        "{ id: hpcg, parameters: { nx: 16, ny: 24, nz: 16, threads: 2, runSeconds: 0 } }",
      ])
    let report = folder.appendingPathComponent("report.json").path
    let run = try suanli(["run", suite, "--output", report], environment: config)
    XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
    let hpcg = try XCTUnwrap(try results(report).first { $0["id"] as? String == "hpcg" })
    XCTAssertEqual(hpcg["status"] as? String, "ok", "\(hpcg["notes"] ?? "")")
    let parameters = try XCTUnwrap(hpcg["parameters"] as? [String: Any])
    XCTAssertEqual(parameters["processGrid"] as? String, "2x1x1")
    XCTAssertEqual(parameters["globalGrid"] as? String, "32x24x16")
    XCTAssertEqual(parameters["sets"] as? Int, 1)
    XCTAssertEqual(parameters["official"] as? Bool, false)
    let metrics = Dictionary(
      uniqueKeysWithValues: try XCTUnwrap(hpcg["metrics"] as? [[String: Any]]).map {
        ($0["name"] as! String, $0["value"] as! Double)
      })
    for name in ["rate", "rawRate", "bandwidth", "hplRatio", "streamTriadFraction"] {
      XCTAssertGreaterThan(metrics[name] ?? 0, 0, name)
    }
    XCTAssertEqual(metrics["iterationsPerSet"], 50)
    XCTAssertLessThan(try XCTUnwrap(metrics["rate"]), try XCTUnwrap(metrics["rawRate"]))
    let validation = try XCTUnwrap(hpcg["validation"] as? [String: Any])
    XCTAssertEqual(validation["passed"] as? Bool, true)
    XCTAssertTrue(
      (validation["detail"] as? String ?? "").contains("spectral test 11/11 unpreconditioned"),
      "\(validation)")
    XCTAssertTrue(
      (hpcg["notes"] as? [String] ?? []).contains { $0.hasPrefix("not official length") })
    let verify = try suanli(["verify", report], environment: config)
    XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
    // Scored in 超算 (an estimate: far from a quarter of memory, far from 1800 s) and 均衡.
    let score = try suanli(["score", report], environment: config)
    XCTAssertEqual(score.status, 0, score.stderr)
    XCTAssertTrue(score.stdout.contains("hpcg.rate"), score.stdout)
    XCTAssertTrue(score.stdout.contains("hpcg-problem-size"), score.stdout)
    XCTAssertTrue(score.stdout.contains("derived.hpcgToHPL"), score.stdout)
  }

  func testBoxesHPCGRefusesAreRefusedBeforeAnythingRuns() throws {
    for (entry, expected) in [
      ("{ id: hpcg, parameters: { nx: 20 } }", "nx = 20: expected a multiple of 8 of at least 16"),
      ("{ id: hpcg, parameters: { nx: 16, nz: 136 } }", "aspect ratio"),
    ] {
      let (folder, config, suite) = try keyedSuite("bad", [entry])
      let report = folder.appendingPathComponent("report.json").path
      let run = try suanli(["run", suite, "--output", report], environment: config)
      XCTAssertEqual(run.status, 2, run.stdout + run.stderr)
      XCTAssertTrue(run.stderr.contains(expected), run.stderr)
      XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
      XCTAssertFalse(FileManager.default.fileExists(atPath: report))
    }
  }
}
