import Foundation
import XCTest

/// The storage benchmarks through `suanli run`: small sizes on a temporary folder, the
/// filesystem recorded, nothing left behind; bad paths are one line before anything is written.
final class StorageCommandLineTests: XCTestCase, CommandLineHarness {
  func testSmallIORunIsVerifiedRecordedAndLeavesNothing() throws {
    let folder = try temporaryFolder()
    let scratch = folder.appendingPathComponent("scratch").path
    let suite = folder.appendingPathComponent("io.yaml")
    let common = "path: \(scratch), direct: false"
    try Data(
      """
      name: io
      benchmarks:
        - { id: io.seq.write, repeats: 2, parameters: { fileSize: 2097152, blockSize: 65536, streams: 2, \(common) } }
        - { id: io.seq.read, repeats: 2, parameters: { fileSize: 2097152, blockSize: 65536, streams: 2, \(common) } }
        - { id: io.fsync, parameters: { count: 20, \(common) } }
        - { id: io.capacity, parameters: { path: \(scratch) } }
      """.utf8
    ).write(to: suite)
    let report = folder.appendingPathComponent("io.json").path
    let run = try suanli(["run", suite.path, "--output", report, "--no-sign"])
    XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
    try SchemaCheck.assertValid(report)
    let document = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report)))
        as? [String: Any])
    let results = try XCTUnwrap(document["results"] as? [[String: Any]])
    XCTAssertEqual(
      results.map { $0["id"] as? String }, ["io.seq.write", "io.seq.read", "io.fsync", "io.capacity"])
    let capacity = try XCTUnwrap(
      (results[3]["metrics"] as? [[String: Any]])?.first { $0["name"] as? String == "capacity" }?[
        "value"] as? Double)
    XCTAssertGreaterThan(capacity, 0)
    for result in results.dropLast() {
      XCTAssertEqual(result["status"] as? String, "ok", "\(result["notes"] ?? "")")
      let parameters = try XCTUnwrap(result["parameters"] as? [String: Any])
      XCTAssertNotNil(parameters["filesystem"] as? String)
      XCTAssertNotNil(parameters["mountPoint"] as? String)
      let validation = try XCTUnwrap(result["validation"] as? [String: Any])
      XCTAssertTrue((validation["detail"] as? String ?? "").contains("read back and compared"))
    }
    let write = results[0]
    let metrics = try XCTUnwrap(write["metrics"] as? [[String: Any]])
    let bandwidth = try XCTUnwrap(metrics.first { $0["name"] as? String == "bandwidth" }?["value"] as? Double)
    let samples = try XCTUnwrap(write["samples"] as? [Double])
    XCTAssertEqual(bandwidth, 4_194_304 / samples.min()!, accuracy: bandwidth * 1e-9)
    XCTAssertEqual(
      try FileManager.default.contentsOfDirectory(atPath: scratch), [], "every file removed")
  }

  /// A temporary folder, its `scratch` path (not made) and a one-entry suite whose entry names
  /// SCRATCH where the scratch path goes.
  func scratchSuite(_ name: String, _ entry: String) throws -> (folder: URL, scratch: String, suite: URL) {
    let folder = try temporaryFolder()
    let scratch = folder.appendingPathComponent("scratch").path
    let suite = folder.appendingPathComponent("\(name).yaml")
    try Data(
      "name: \(name)\nbenchmarks:\n  - \(entry.replacingOccurrences(of: "SCRATCH", with: scratch))\n"
        .utf8
    ).write(to: suite)
    return (folder, scratch, suite)
  }

  /// Runs `entry` (its parameters naming SCRATCH as the path) with a time limit that kills its
  /// child mid-run: the result is timedOut and the parent has removed the child's run folder.
  func assertAKilledChildLeavesNothing(_ entry: String) throws {
    let (folder, scratch, suite) = try scratchSuite("kill", entry)
    let report = folder.appendingPathComponent("kill.json").path
    let run = try suanli(["run", suite.path, "--output", report, "--no-sign"])
    let document = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report)))
        as? [String: Any])
    let status = (document["results"] as? [[String: Any]])?.first?["status"] as? String
    XCTAssertEqual(status, "timedOut", run.stdout + run.stderr)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch), [])
  }

  /// A write stopped at its time limit (the child killed mid-write) leaves no file.
  func testAKilledChildLeavesNoFiles() throws {
    try assertAKilledChildLeavesNothing(
      "{ id: io.seq.write, repeats: 3, timeLimitSeconds: 0.5, parameters: { fileSize: 2147483648, streams: 1, direct: false, path: SCRATCH } }"
    )
  }

  func testTheIOAggregateRunsEveryPartAndCombinesThem() throws {
    let (folder, scratch, suite) = try scratchSuite(
      "all",
      "{ id: io, parameters: { path: SCRATCH, direct: false, fileSize: 2097152, streams: 2, queueDepth: 4, files: 40, stonewallSeconds: 0.2 } }"
    )
    let report = folder.appendingPathComponent("all.json").path
    let run = try suanli(["run", suite.path, "--output", report, "--no-sign"])
    XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
    try SchemaCheck.assertValid(report)
    let document = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report)))
        as? [String: Any])
    let results = try XCTUnwrap(document["results"] as? [[String: Any]])
    XCTAssertEqual(
      results.map { $0["id"] as? String },
      [
        "io.seq.write", "io.seq.read", "io.rand.write", "io.rand.read", "io.fsync", "io.md.easy",
        "io.md.hard", "io.capacity", "io.combined",
      ])
    func metric(_ result: [String: Any], _ name: String) -> Double? {
      (result["metrics"] as? [[String: Any]])?.first { $0["name"] as? String == name }?["value"]
        as? Double
    }
    for result in results {
      XCTAssertEqual(result["status"] as? String, "ok", "\(result["id"] ?? ""): \(result["notes"] ?? "")")
    }
    let randomRead = results[3]
    XCTAssertEqual((randomRead["parameters"] as? [String: Any])?["queueDepth"] as? Int, 4)
    XCTAssertEqual((randomRead["parameters"] as? [String: Any])?["fileSize"] as? Int, 2_097_152)
    let iops = try XCTUnwrap(metric(randomRead, "iops"))
    XCTAssertEqual(try XCTUnwrap(metric(randomRead, "bandwidth")), iops * 4096, accuracy: iops * 1e-6)
    XCTAssertNotNil(metric(randomRead, "latencyP99"))
    XCTAssertNotNil(metric(randomRead, "latencyAtDepth"))
    let hard = results[6]
    let phases = ["createRate", "statRate", "readRate", "deleteRate"].compactMap { metric(hard, $0) }
    XCTAssertEqual(phases.count, 4)
    let geometric = exp(phases.map { log($0) }.reduce(0, +) / 4)
    XCTAssertEqual(try XCTUnwrap(metric(hard, "rate")), geometric, accuracy: geometric * 1e-9)
    // The combined figure from the parts, as IO500 combines its phases.
    let bandwidths = ["io.seq.write", "io.seq.read", "io.rand.write", "io.rand.read"].map { id in
      metric(results.first { $0["id"] as? String == id }!, "bandwidth")! / 1_073_741_824
    }
    let rates = [results[5], results[6]].flatMap { result in
      ((result["metrics"] as? [[String: Any]]) ?? []).filter {
        ($0["name"] as? String ?? "").hasSuffix("Rate")
      }.map { ($0["value"] as? Double ?? 0) / 1000 }
    }
    XCTAssertEqual(rates.count, 7)
    func mean(_ x: [Double]) -> Double { exp(x.map { log($0) }.reduce(0, +) / Double(x.count)) }
    let expected = (mean(bandwidths) * mean(rates)).squareRoot()
    let combined = results[8]
    XCTAssertEqual(try XCTUnwrap(metric(combined, "score")), expected, accuracy: expected * 1e-9)
    XCTAssertTrue(
      ((combined["notes"] as? [String]) ?? []).contains { $0.hasPrefix("IO500-like, not IO500") })
    XCTAssertEqual(
      try FileManager.default.contentsOfDirectory(atPath: scratch), [], "every file removed")
  }

  /// A metadata child killed at its time limit leaves neither its files nor its folders.
  func testAKilledMetadataChildLeavesNothing() throws {
    try assertAKilledChildLeavesNothing(
      "{ id: io.md.easy, timeLimitSeconds: 0.5, parameters: { files: 1000000, streams: 2, stonewallSeconds: 600, path: SCRATCH } }"
    )
  }

  /// In-process (`--no-isolation`), a second Ctrl-C exits at once: the process removes the
  /// running benchmark's files itself on its way out.
  func testCtrlCTwiceWithoutIsolationLeavesNoFiles() throws {
    let (folder, scratch, suite) = try scratchSuite(
      "ctrlc",
      "{ id: io.seq.write, repeats: 50, parameters: { fileSize: 268435456, streams: 1, direct: false, path: SCRATCH } }"
    )
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Self.binary)
    process.arguments = [
      "run", suite.path, "--no-isolation", "--no-sign", "--output",
      folder.appendingPathComponent("r.json").path,
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    // Once its file exists and is being written.
    let deadline = Date().addingTimeInterval(60)
    func written() -> Bool {
      let runs = (try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? []
      return runs.contains { run in
        ((try? FileManager.default.contentsOfDirectory(atPath: scratch + "/" + run)) ?? []).contains {
          $0.hasSuffix(".dat")
        }
      }
    }
    while !written(), Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    XCTAssertTrue(written(), "the benchmark never started writing")
    kill(process.processIdentifier, SIGINT)
    Thread.sleep(forTimeInterval: 0.2)
    kill(process.processIdentifier, SIGINT)
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 130)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch), [])
  }

  func testBadPathsAreOneLineAndNothingIsWritten() throws {
    let folder = try temporaryFolder()
    let file = folder.appendingPathComponent("a-file")
    try Data("x".utf8).write(to: file)
    func refusal(_ parameters: String) throws -> String {
      let suite = folder.appendingPathComponent("bad.yaml")
      try Data(
        "name: bad\nbenchmarks:\n  - { id: io.seq.write, parameters: { \(parameters) } }\n".utf8
      ).write(to: suite)
      let run = try suanli(["run", suite.path, "--output", folder.appendingPathComponent("r.json").path])
      XCTAssertEqual(run.status, 2, run.stdout + run.stderr)
      return run.stderr
    }
    XCTAssertTrue(
      try refusal("path: /nonexistent/suanli/io").contains("io.seq.write.path: /nonexistent/suanli does not exist"))
    XCTAssertTrue(try refusal("path: \(file.path)").contains("is a file, not a folder"))
    XCTAssertTrue(
      try refusal("path: \(folder.path), blockSize: 5000").contains("expected a multiple of 4096"))
    XCTAssertTrue(
      try refusal("path: \(folder.path), fileSize: 1099511627776, streams: 1000").contains("free"))
    XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("r.json").path))
    // A memory filesystem is refused unless allowed (where this machine has one at /dev/shm).
    if let type = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8),
      type.split(separator: "\n").contains(where: { $0.contains(" /dev/shm tmpfs ") }),
      access("/dev/shm", W_OK) == 0
    {
      XCTAssertTrue(try refusal("path: /dev/shm").contains("(memory, not storage)"))
    }
  }
}
