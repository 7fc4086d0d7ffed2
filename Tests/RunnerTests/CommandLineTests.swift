import Foundation
import Interconnect
import Synchronization
import XCTest

/// The `suanli` binary as a user runs it: exit codes, one-line errors, nothing half-written.
/// Uses SUANLI_BIN (set by `make test`) or the binary SwiftPM built next to the tests.
final class CommandLineTests: XCTestCase, CommandLineHarness {
  func testSyntheticTopologyJSON() throws {
    let outcome = try suanli(
      "topo", "--topology", "synthetic:\"pack:2 numa:2 l3:1 core:4 pu:2\"", "--json")
    XCTAssertEqual(outcome.status, 0, outcome.stderr)
    let json = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
    XCTAssertEqual(json["packages"] as? Int, 2)
    XCTAssertEqual(json["numaNodes"] as? Int, 4)
    XCTAssertEqual(json["cores"] as? Int, 16)
    XCTAssertEqual(json["pus"] as? Int, 32)
    let caches = try XCTUnwrap(json["caches"] as? [[String: Any]])
    XCTAssertEqual(caches.first?["level"] as? Int, 3)
    XCTAssertEqual(caches.first?["count"] as? Int, 4)
    XCTAssertNotNil(caches.first?["sizeBytes"] as? Int)
    XCTAssertNotNil(json["rpeak"] as? [String: Any])
  }

  func testXMLExportRoundTripsThroughTopo() throws {
    let folder = try temporaryFolder()
    let xml = folder.appendingPathComponent("m.xml").path
    let export = try suanli(
      "topo", "--topology", "synthetic:pack:1 core:3 pu:2", "--xml", xml, "--json")
    XCTAssertEqual(export.status, 0, export.stderr)
    let reread = try suanli("topo", "--topology", xml, "--json")
    XCTAssertEqual(reread.status, 0, reread.stderr)
    XCTAssertTrue(reread.stdout.contains("\"cores\" : 3"), reread.stdout)
  }

  func testBadTopologyInputIsOneLineAndExit2() throws {
    for argument in ["/nonexistent/suanli/m.xml", "synthetic:\"pack:x\""] {
      let outcome = try suanli("topo", "--topology", argument)
      XCTAssertEqual(outcome.status, 2, argument)
      XCTAssertEqual(outcome.stderr.split(separator: "\n").count, 1, outcome.stderr)
      XCTAssertTrue(outcome.stderr.hasPrefix("suanli: "), outcome.stderr)
    }
  }

  func testBadSuiteInputIsOneLineAndExit2() throws {
    let folder = try temporaryFolder()
    let suite = folder.appendingPathComponent("bad.yaml")
    try Data("name: t\nbenchmarks:\n  - id: stream.nope\n".utf8).write(to: suite)
    let other = try temporaryFolder()
    let huge = other.appendingPathComponent("huge.yaml").path
    XCTAssertTrue(FileManager.default.createFile(atPath: huge, contents: Data()))
    XCTAssertEqual(truncate(huge, 2 << 20), 0)  // sparse: refused before reading
    let cases: [([String], String)] = [
      (["run", suite.path], "bad.yaml:3: benchmarks[0].id: unknown benchmark id \"stream.nope\""),
      (["run", "/nonexistent/suanli/s.yaml"], "no such suite file"),
      (["run", huge], "huge.yaml: file: is larger than 1 MiB"),
      (["run", other.path], "file: cannot be read: is a folder"),
      (["run", "suites/quick.yaml", "--set", "stream.bogus=1"], "has no parameter \"bogus\""),
      (["run", "suites/quick.yaml", "--set", "stream.elements=1000000000000"], "needs"),
      (["run", "suites/quick.yaml", "--only", "mpi.bw"], "not in suite quick"),
    ]
    for (arguments, fragment) in cases {
      let outcome = try suanli(arguments + ["--results", folder.path])
      XCTAssertEqual(outcome.status, 2, "\(arguments): \(outcome.stderr)")
      XCTAssertEqual(outcome.stderr.split(separator: "\n").count, 1, outcome.stderr)
      XCTAssertTrue(outcome.stderr.contains(fragment), "\(outcome.stderr) lacks \(fragment)")
      XCTAssertEqual(outcome.stdout, "")
    }
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["bad.yaml"])
  }

  func testUnwritableResultsFolderFailsBeforeRunning() throws {
    let folder = try temporaryFolder()
    let file = folder.appendingPathComponent("a-file")
    try Data("x".utf8).write(to: file)
    let outcome = try suanli("run", "suites/quick.yaml", "--results", file.path + "/sub")
    XCTAssertEqual(outcome.status, 3, outcome.stderr)
    XCTAssertTrue(outcome.stderr.contains("cannot create the results folder"), outcome.stderr)
    XCTAssertFalse(outcome.stderr.contains("[1/"), "no benchmark may run first: \(outcome.stderr)")
  }

  func testRunWritesAReportAndNeverOverwritesOne() throws {
    let folder = try temporaryFolder()
    let path = folder.appendingPathComponent("r.json").path
    let args = [
      "run", "suites/quick.yaml", "--output", path, "--only", "stream", "--set",
      "stream.elements=20000",
      "--set", "stream.repeats=2",
    ]
    let first = try suanli(args)
    XCTAssertEqual(first.status, 0, first.stderr)
    XCTAssertEqual(first.stdout.split(separator: "\n").last.map(String.init), path)
    try SchemaCheck.assertValid(path)
    let before = try Data(contentsOf: URL(fileURLWithPath: path))

    let second = try suanli(args)
    XCTAssertEqual(second.status, 3)
    XCTAssertTrue(second.stderr.contains("already exists"), second.stderr)
    XCTAssertEqual(
      try Data(contentsOf: URL(fileURLWithPath: path)), before, "the report stays intact")
  }

  func testKeygenRunSignsVerifyAndTamper() throws {
    let folder = try temporaryFolder()
    let config = ["XDG_CONFIG_HOME": folder.path]
    let keygen = try suanli(["keygen", "--name", "lab"], environment: config)
    XCTAssertEqual(keygen.status, 0, keygen.stderr)
    let report = folder.appendingPathComponent("r.json").path
    let run = try suanli(
      [
        "run", "suites/quick.yaml", "--only", "stream", "--set", "stream.elements=4096", "--output",
        report,
      ],
      environment: config)
    XCTAssertEqual(run.status, 0, run.stderr)
    XCTAssertTrue(run.stdout.contains("signed with key"), run.stdout)
    let verify = try suanli(["verify", report, "--require-trusted"], environment: config)
    XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
    XCTAssertTrue(verify.stdout.contains("valid, trusted key"), verify.stdout)
    XCTAssertTrue(verify.stdout.contains("(lab)"), verify.stdout)

    var text = try String(contentsOfFile: report, encoding: .utf8)
    text = text.replacingOccurrences(of: "\"center\": \"local\"", with: "\"center\": \"other\"")
    let tampered = folder.appendingPathComponent("t.json").path
    try text.write(toFile: tampered, atomically: true, encoding: .utf8)
    let caught = try suanli(["verify", tampered], environment: config)
    XCTAssertEqual(caught.status, 1)
    XCTAssertTrue(caught.stdout.contains("INVALID: the signature does not match"), caught.stdout)

    let canonical = try suanli(["canonicalize", report])
    XCTAssertEqual(canonical.status, 0)
    XCTAssertTrue(
      canonical.stdout.hasPrefix("{\"center\":\"local\",\"complete\":true,"),
      String(canonical.stdout.prefix(80)))

    let unsigned = folder.appendingPathComponent("u.json").path
    _ = try suanli(
      [
        "run", "suites/quick.yaml", "--only", "stream", "--set", "stream.elements=4096", "--output",
        unsigned, "--no-sign",
      ], environment: config)
    XCTAssertEqual(try suanli(["verify", unsigned], environment: config).status, 1)
    // Several files in one call, in order; the first failure stops with one line.
    let missing = folder.appendingPathComponent("missing.json").path
    let sign = try suanli(["sign", unsigned, missing], environment: config)
    XCTAssertEqual(sign.status, 2, sign.stderr)
    XCTAssertEqual(
      sign.stderr, "suanli: \(missing): cannot be read: No such file or directory\n")
    XCTAssertEqual(try suanli(["verify", unsigned], environment: config).status, 0)

    chmod(folder.appendingPathComponent("suanli/private-key.pem").path, 0o644)
    let loose = try suanli(["sign", unsigned], environment: config)
    XCTAssertEqual(loose.status, 2)
    XCTAssertTrue(loose.stderr.contains("refusing to sign"), loose.stderr)
  }

  func testMPIBenchmarksAcrossTwoAndThreeRanks() throws {
    let mpirun = try launcher()
    let list = try suanli("list", "--json")
    let catalog = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
    guard catalog["mpi"] as? Bool == true else {
      throw XCTSkip(
        "this suanli was built without the MPI trait (`make` enables it with Open MPI installed)")
    }
    let folder = try temporaryFolder()
    let report = folder.appendingPathComponent("two.json").path
    let quick = ["pingpong", "bw", "bibw", "allreduce"].flatMap {
      ["--set", "mpi.\($0).scale=0.02", "--set", "mpi.\($0).maxSize=65536"]
    }
    let two = try execute(
      mpirun,
      [
        "--allow-run-as-root", "--oversubscribe", "-np", "2", Self.binary, "run",
        "suites/interconnect.yaml", "--output", report,
        "--set", "c2c.latency.roundTrips=1000", "--set", "mpi.barrier.scale=0.01",
      ] + quick)
    XCTAssertEqual(two.status, 0, two.stdout + two.stderr)
    let json = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report)))
        as? [String: Any])
    let results = try XCTUnwrap(json["results"] as? [[String: Any]])
    if let notes = results.first(where: { $0["id"] as? String == "mpi.pingpong" })?["notes"]
      as? [String],
      notes.first?.contains("built without MPI") == true
    {
      throw XCTSkip("this suanli was built without the MPI trait")
    }
    for result in results {
      XCTAssertEqual(
        result["status"] as? String, "ok", "\(result["id"] ?? ""): \(result["notes"] ?? "")")
    }
    let pingpong = try XCTUnwrap(results.first { $0["id"] as? String == "mpi.pingpong" })
    let metrics = try XCTUnwrap(pingpong["metrics"] as? [[String: Any]])
    XCTAssertEqual(
      metrics.filter { $0["name"] as? String == "latency" }.compactMap { $0["size"] as? Int },
      Payload.sizes(from: 1, to: 65536))
    XCTAssertTrue(
      (pingpong["placement"] as? String)?.contains("2 ranks, all ranks share one node") ?? false)
    XCTAssertEqual(
      try FileManager.default.contentsOfDirectory(atPath: folder.path), ["two.json"],
      "only rank 0 writes")

    let three = folder.appendingPathComponent("three.json").path
    let run3 = try execute(
      mpirun,
      [
        "--allow-run-as-root", "--oversubscribe", "-np", "3", Self.binary, "run",
        "suites/interconnect.yaml", "--output", three,
        "--only", "mpi.allreduce", "--set", "mpi.allreduce.scale=0.02", "--set",
        "mpi.allreduce.maxSize=65536",
      ])
    XCTAssertEqual(run3.status, 0, run3.stdout + run3.stderr)
    let report3 = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: three)))
        as? [String: Any])
    let allreduce = try XCTUnwrap((report3["results"] as? [[String: Any]])?.first)
    XCTAssertEqual(allreduce["status"] as? String, "ok")
    let points = try XCTUnwrap(allreduce["metrics"] as? [[String: Any]])
    for size in [8, 65536] {
      let algbw = try XCTUnwrap(
        points.first { $0["name"] as? String == "algbw" && $0["size"] as? Int == size }?["value"]
          as? Double)
      let busbw = try XCTUnwrap(
        points.first { $0["name"] as? String == "busbw" && $0["size"] as? Int == size }?["value"]
          as? Double)
      XCTAssertEqual(
        busbw, algbw * 4 / 3, accuracy: algbw * 1e-12, "busbw = algbw·2(n−1)/n with n = 3")
    }
  }

  /// A rank that hangs in a collective benchmark: rank 0's watchdog writes the signed report
  /// with what completed (the stalled benchmark timed out, the rest not run), then aborts.
  func testAStalledRankLeavesASignedPartialReport() throws {
    let mpirun = try launcherForMPIBuild()
    let (folder, config, suite) = try keyedSuite(
      "stall",
      [
        "{ id: stream.copy, repeats: 2, parameters: { elements: 100000 } }",
        "{ id: test.mpi.stall, parameters: { seconds: 60, timeoutSeconds: 2 } }",
        "{ id: mpi.pingpong, parameters: { scale: 0.01, maxSize: 1024 } }",
      ])
    let report = folder.appendingPathComponent("stalled.json").path
    let start = Date()
    let run = try execute(
      mpirun,
      [
        "--allow-run-as-root", "--oversubscribe", "-np", "2", Self.binary, "run", suite,
        "--output", report,
      ], environment: config)
    XCTAssertNotEqual(run.status, 0)
    XCTAssertLessThan(Date().timeIntervalSince(start), 50, "the job was aborted, not waited for")
    XCTAssertTrue(run.stderr.contains("wrote the report with what completed"), run.stderr)
    try assertSignedPartialReport(
      report, ["stream.copy: ok", "test.mpi.stall: timedOut", "mpi.pingpong: skipped"],
      config: config)
    // The job's heartbeats name the rank that kept rank 0 waiting.
    let document = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report)))
        as? [String: Any])
    let stalled = try XCTUnwrap(
      (document["results"] as? [[String: Any]])?.first { $0["id"] as? String == "test.mpi.stall" })
    let note = ((stalled["notes"] as? [String]) ?? []).joined(separator: " ")
    XCTAssertTrue(note.contains("rank 1 on node 0 (host"), note)
    XCTAssertTrue(note.contains("outside MPI for"), note)
  }

  /// Under mpirun (which binds rank 0 to a core), node benchmarks still run in a child process
  /// and use the whole node: a crash is contained and the child is bound to every PU.
  func testNodeBenchmarksUnderMPIAreIsolatedAndUseTheWholeNode() throws {
    let mpirun = try launcherForMPIBuild()
    let (folder, config, suite) = try keyedSuite(
      "mpi-node",
      [
        "{ id: test.crash }", "{ id: test.cpus }",
        "{ id: mpi.barrier, parameters: { scale: 0.01 } }",
      ])
    let report = folder.appendingPathComponent("node.json").path
    let run = try execute(
      mpirun,
      [
        "--allow-run-as-root", "--oversubscribe", "--bind-to", "core", "-np", "2", Self.binary,
        "run", suite, "--output", report,
      ], environment: config)
    XCTAssertEqual(run.status, 1, "a crashed benchmark makes the exit code 1: \(run.stderr)")
    let json = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report)))
        as? [String: Any])
    let results = try XCTUnwrap(json["results"] as? [[String: Any]])
    XCTAssertEqual(
      results.map { "\($0["id"] ?? ""): \($0["status"] ?? "")" },
      ["test.crash: crashed", "test.cpus: ok", "mpi.barrier: ok"])
    let nodes = try XCTUnwrap(json["nodes"] as? [[String: Any]])
    let pus = try XCTUnwrap((nodes.first?["topology"] as? [String: Any])?["pus"] as? Int)
    XCTAssertEqual((results[1]["samples"] as? [Double])?.first, Double(pus))
  }

  /// Ctrl-C under mpirun: the launcher kills the ranks soon after, so rank 0 writes what
  /// completed at once (the running benchmark skipped as interrupted) and the job ends.
  func testInterruptUnderMPIWritesTheReportAtOnce() throws {
    let mpirun = try launcherForMPIBuild()
    let (folder, config, suite) = try keyedSuite(
      "interrupted",
      [
        "{ id: stream.copy, repeats: 2, parameters: { elements: 100000 } }",
        "{ id: test.sleep, parameters: { seconds: 60 } }",
        "{ id: mpi.pingpong, parameters: { scale: 0.01, maxSize: 1024 } }",
      ])
    let report = folder.appendingPathComponent("int.json").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: mpirun)
    process.arguments = [
      "--allow-run-as-root", "--oversubscribe", "-np", "2", Self.binary, "run", suite,
      "--output", report,
    ]
    process.currentDirectoryURL = RunAndReportTests.root
    process.environment = ProcessInfo.processInfo.environment.merging(config) { $1 }
    let errors = Pipe()
    let seen = Mutex("")
    errors.fileHandleForReading.readabilityHandler = { handle in
      let chunk = String(decoding: handle.availableData, as: UTF8.self)
      seen.withLock { $0 += chunk }
    }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = errors
    try process.run()
    // Ctrl-C once the sleeper runs (stream.copy has completed by then).
    let deadline = Date().addingTimeInterval(60)
    while !seen.withLock({ $0.contains("test.sleep") }), Date() < deadline {
      Thread.sleep(forTimeInterval: 0.05)
    }
    Thread.sleep(forTimeInterval: 0.5)
    let interrupted = Date()
    kill(process.processIdentifier, SIGINT)
    process.waitUntilExit()
    errors.fileHandleForReading.readabilityHandler = nil
    XCTAssertLessThan(Date().timeIntervalSince(interrupted), 30, "the job ended, not the sleeper")
    let stderr = seen.withLock { $0 }
    XCTAssertTrue(stderr.contains("wrote the report with what completed"), stderr)
    try assertSignedPartialReport(
      report, ["stream.copy: ok", "test.sleep: skipped", "mpi.pingpong: skipped"], config: config)
  }

  func testMPIBenchmarksAloneAreSkippedWithANoteNotAnError() throws {
    let folder = try temporaryFolder()
    let outcome = try suanli(
      [
        "run", "suites/interconnect.yaml", "--only", "mpi.pingpong", "--output",
        folder.appendingPathComponent("r.json").path,
      ])
    XCTAssertEqual(outcome.status, 0, outcome.stderr)
    XCTAssertTrue(outcome.stdout.contains("mpi.pingpong: skipped: "), outcome.stdout)
  }

  func testRunScoresAndScoreExplains() throws {
    let folder = try temporaryFolder()
    let path = folder.appendingPathComponent("r.json").path
    let run = try suanli(
      [
        "run", "suites/quick.yaml", "--only", "stream,hpl.fp64", "--set", "stream.elements=4096",
        "--set", "hpl.fp64.n=200", "--set", "hpl.fp64.nb=32",
        "--output", path, "--no-sign",
      ])
    XCTAssertEqual(run.status, 0, run.stderr)
    XCTAssertTrue(run.stdout.contains("composite"), run.stdout)
    let score = try suanli(["score", path, "--profile", "hpc-center"])
    XCTAssertEqual(score.status, 0, score.stderr)
    XCTAssertTrue(score.stdout.contains("profile hpc-center"), score.stdout)
    XCTAssertTrue(score.stdout.contains("hpc hpl.fp64.rate: value"), score.stdout)
    XCTAssertTrue(score.stdout.contains("missing"), score.stdout)
    let json1 = try suanli(["score", path, "--json"])
    let json2 = try suanli(["score", path, "--json"])
    XCTAssertEqual(json1.stdout, json2.stdout, "scoring twice is byte-identical")
    let bad = try suanli(["score", path, "--profile", "gpu-center"])
    XCTAssertEqual(bad.status, 2)
    XCTAssertTrue(bad.stderr.contains("--profile: expected one of"), bad.stderr)
    let missing = try suanli(["score", path, "--standard", "/nonexistent/suanli/std.yaml"])
    XCTAssertEqual(missing.status, 2)
    XCTAssertEqual(try suanli(["verify", path]).stdout.contains("unsigned"), true)
  }

  func testCompareExamplesDuplicatesAndBadFiles() throws {
    let folder = try temporaryFolder()
    let examples = RunAndReportTests.root.appendingPathComponent("results/examples")
    let trusted = examples.appendingPathComponent("trusted").path
    let table = try execute(
      Self.binary, ["compare", examples.path, "--trusted", trusted],
      environment: ["COLUMNS": "120", "NO_COLOR": "1"])
    XCTAssertEqual(table.status, 0, table.stderr)
    XCTAssertTrue(
      table.stdout.contains("dev-vm-2core") && table.stdout.contains("dev-vm-1core"), table.stdout)
    XCTAssertFalse(table.stdout.contains("\u{1B}["), "no colour with NO_COLOR or off a terminal")
    for line in table.stdout.split(separator: "\n")
    where !line.hasPrefix("note") && !line.hasPrefix("*") {
      XCTAssertLessThanOrEqual(line.count, 120)
    }
    // The same report twice is counted once; a non-JSON file is reported; --strict fails on unsigned.
    let copy = folder.appendingPathComponent("copy.json")
    try FileManager.default.copyItem(
      at: examples.appendingPathComponent("dev-vm-1core-quick.json"), to: copy)
    try Data("not json".utf8).write(to: folder.appendingPathComponent("junk.json"))
    let mixed = try execute(
      Self.binary, ["compare", examples.path, folder.path, "--trusted", trusted, "--format", "csv"])
    XCTAssertEqual(mixed.status, 1, "a file that cannot be used makes the exit code 1")
    XCTAssertTrue(mixed.stderr.contains("junk.json: not JSON"), mixed.stderr)
    let json = try execute(
      Self.binary, ["compare", examples.path, copy.path, "--trusted", trusted, "--format", "json"])
    XCTAssertEqual(json.status, 0, json.stderr)
    XCTAssertTrue(json.stdout.contains("is the same report as"), json.stdout)
    // Unsigned, the same content in another layout (member order, no indentation) is one report.
    var unsigned = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(contentsOf: copy)) as? [String: Any])
    unsigned.removeValue(forKey: "signature")
    let pretty = folder.appendingPathComponent("pretty.json")
    let compact = folder.appendingPathComponent("compact.json")
    try JSONSerialization.data(withJSONObject: unsigned, options: [.prettyPrinted, .sortedKeys])
      .write(to: pretty)
    try JSONSerialization.data(withJSONObject: unsigned).write(to: compact)
    let layouts = try execute(
      Self.binary, ["compare", pretty.path, compact.path, "--format", "json"])
    XCTAssertEqual(layouts.status, 0, layouts.stderr)
    XCTAssertTrue(layouts.stdout.contains("compact.json is the same report as"), layouts.stdout)
    let strict = try execute(
      Self.binary, ["compare", examples.path, "--strict"],
      environment: ["XDG_CONFIG_HOME": folder.path])
    XCTAssertEqual(strict.status, 0, "signed reports with an untrusted key still verify")
    let baseline = try execute(Self.binary, ["compare", examples.path, "--baseline", "nowhere"])
    XCTAssertEqual(baseline.status, 2)
    XCTAssertTrue(baseline.stderr.contains("--baseline: no center \"nowhere\""), baseline.stderr)
  }

  func testTimeLimitsAndCrashesAreContained() throws {
    let folder = try temporaryFolder()
    let suite = folder.appendingPathComponent("robust.yaml")
    let yaml = [
      "name: robust", "benchmarks:",
      "  - { id: test.sleep, timeLimitSeconds: 1, parameters: { seconds: 30 } }",
      "  - { id: test.crash }",
      "  - { id: test.hog }",
      "  - { id: stream.triad, repeats: 2, parameters: { elements: 100000 } }",
    ].joined(separator: "\n")
    try Data(yaml.utf8).write(to: suite)
    let path = folder.appendingPathComponent("r.json").path
    let started = Date()
    let run = try execute(
      Self.binary, ["run", suite.path, "--output", path, "--no-sign"],
      environment: ["SUANLI_TEST_BENCHMARKS": "1"])
    XCTAssertLessThan(Date().timeIntervalSince(started), 20, "the sleeper was stopped at its limit")
    XCTAssertEqual(run.status, 1, "a timed-out or crashed benchmark makes the exit code 1")
    let report = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        as? [String: Any])
    let statuses = (report["results"] as? [[String: Any]])?.map { "\($0["id"]!)=\($0["status"]!)" }
    XCTAssertEqual(
      statuses,
      ["test.sleep=timedOut", "test.crash=crashed", "test.hog=crashed", "stream.triad=ok"])
    XCTAssertTrue(String(describing: report["notes"] ?? "").contains("signal 11"))
    try SchemaCheck.assertValid(path)
    // Without the test switch, the test-only ids do not exist.
    XCTAssertEqual(
      try suanli(["run", suite.path, "--output", folder.appendingPathComponent("x.json").path])
        .status, 2)
  }

  func testInterruptLeavesASignedPartialReportThatResumeCompletes() throws {
    let folder = try temporaryFolder()
    let config = ["XDG_CONFIG_HOME": folder.path, "SUANLI_TEST_BENCHMARKS": "1"]
    XCTAssertEqual(try execute(Self.binary, ["keygen"], environment: config).status, 0)
    let suite = folder.appendingPathComponent("s.yaml")
    let yaml = [
      "name: interruptible", "benchmarks:",
      "  - { id: stream.copy, repeats: 2, parameters: { elements: 100000 } }",
      "  - { id: test.sleep, parameters: { seconds: 60 } }",
      "  - { id: stream.triad, repeats: 2, parameters: { elements: 100000 } }",
    ].joined(separator: "\n")
    try Data(yaml.utf8).write(to: suite)
    let partial = folder.appendingPathComponent("partial.json").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Self.binary)
    process.arguments = ["run", suite.path, "--output", partial]
    process.currentDirectoryURL = RunAndReportTests.root
    process.environment = ProcessInfo.processInfo.environment.merging(config) { $1 }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    // The sleeper is running after stream.copy (well under 2 s): Ctrl-C.
    Thread.sleep(forTimeInterval: 2)
    kill(process.processIdentifier, SIGINT)
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 1)
    let report = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: partial)))
        as? [String: Any])
    XCTAssertEqual(report["complete"] as? Bool, false)
    XCTAssertNotNil(report["signature"])
    let verify = try execute(Self.binary, ["verify", partial], environment: config)
    XCTAssertEqual(verify.status, 0, verify.stdout)

    let full = folder.appendingPathComponent("full.json").path
    let resume = try execute(
      Self.binary,
      [
        "run", suite.path, "--resume", partial, "--set", "test.sleep.seconds=0.1", "--output", full,
      ],
      environment: config)
    XCTAssertEqual(resume.status, 0, resume.stderr)
    let completed = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: full)))
        as? [String: Any])
    XCTAssertEqual(completed["complete"] as? Bool, true)
    XCTAssertEqual(
      (completed["results"] as? [[String: Any]])?.map { $0["status"] as? String },
      ["ok", "ok", "ok"])
    XCTAssertEqual(try execute(Self.binary, ["verify", full], environment: config).status, 0)
    XCTAssertTrue(FileManager.default.fileExists(atPath: partial), "the partial report stays")
    // A report from another suite file cannot be resumed with this one.
    let other = try execute(
      Self.binary,
      [
        "run", "suites/quick.yaml", "--resume", partial, "--output",
        folder.appendingPathComponent("o.json").path,
      ],
      environment: config)
    XCTAssertEqual(other.status, 2)
    XCTAssertTrue(other.stderr.contains("was made from another suite file"), other.stderr)

    // Results are carried into a report this key signs only if this key signed them unchanged.
    func resumeRefusal(_ source: String, _ extra: [String] = []) throws -> Outcome {
      try execute(
        Self.binary,
        [
          "run", suite.path, "--resume", source, "--set", "test.sleep.seconds=0.1", "--output",
          folder.appendingPathComponent("r-\(UUID().uuidString).json").path,
        ] + extra,
        environment: config)
    }
    var edited = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: partial)))
        as? [String: Any])
    edited["center"] = "somewhere-else"
    let tampered = folder.appendingPathComponent("tampered.json").path
    try JSONSerialization.data(withJSONObject: edited).write(to: URL(fileURLWithPath: tampered))
    let refused = try resumeRefusal(tampered)
    XCTAssertEqual(refused.status, 2, refused.stderr)
    XCTAssertTrue(refused.stderr.contains("the report was changed after signing"), refused.stderr)

    let elsewhere = try temporaryFolder()
    var otherConfig = config
    otherConfig["XDG_CONFIG_HOME"] = elsewhere.path
    XCTAssertEqual(try execute(Self.binary, ["keygen"], environment: otherConfig).status, 0)
    let foreign = folder.appendingPathComponent("foreign.json").path
    try FileManager.default.copyItem(atPath: partial, toPath: foreign)
    XCTAssertEqual(try execute(Self.binary, ["sign", foreign], environment: otherConfig).status, 0)
    let notMine = try resumeRefusal(foreign)
    XCTAssertEqual(notMine.status, 2, notMine.stderr)
    XCTAssertTrue(notMine.stderr.contains("only results this key signed"), notMine.stderr)
    // Unsigned output may take them: nothing vouches for the result.
    XCTAssertEqual(try resumeRefusal(foreign, ["--no-sign"]).status, 0)
  }

  /// A bad option or a missing argument is bad input like any other: exit 2, not 64.
  func testOptionErrorsExit2() throws {
    for arguments in [["compare"], ["run", "suites/quick.yaml", "--time-limit", "-1"], ["score"]] {
      let outcome = try suanli(arguments)
      XCTAssertEqual(outcome.status, 2, "\(arguments): \(outcome.stderr)")
      XCTAssertTrue(outcome.stderr.contains("Error:"), outcome.stderr)
    }
  }

  func testListShowsBenchmarksAndSuites() throws {
    let outcome = try suanli("list", "--json")
    XCTAssertEqual(outcome.status, 0, outcome.stderr)
    let json = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
    let ids = (json["benchmarks"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
    XCTAssertEqual(
      ids,
      [
        "stream", "stream.copy", "stream.scale", "stream.add", "stream.triad", "hpl.fp64",
        "gemm.fp64",
        "gemm.fp32", "gemm.tf32", "gemm.fp16", "gemm.bf16", "gemm.fp8", "gemm.int8", "hplmxp", "hpcg", "energy.idle", "io.seq.write", "io.seq.read",
        "io.rand.write", "io.rand.read", "io.fsync", "io.md.easy", "io.md.hard", "io.capacity", "io",
        "c2c.latency", "mpi.pingpong", "mpi.bw", "mpi.bibw", "mpi.allreduce", "mpi.barrier",
      ])
    let suites = (json["suites"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
    XCTAssertEqual(Set(suites), ["quick", "node", "interconnect", "cluster", "storage", "gpu"])
    XCTAssertEqual((json["problems"] as? [Any])?.count, 0)
  }
}
