import Foundation
import XCTest

/// Cluster mode under a real MPI launcher: distributed HPL on several ranks, and jobs of made-up
/// nodes on this one machine — Open MPI takes a hostfile of invented names and a launch agent
/// that starts its daemon here instead of over ssh; TCP on loopback (the shared-memory
/// transport crashed with fake nodes), no binding. Open MPI then sees separate nodes, and so
/// does MPI_Comm_split_type, while every rank shares one host name.
final class ClusterTests: XCTestCase, CommandLineHarness {
  /// A hostfile of `nodes` made-up nodes with `slots` each and the environment that makes
  /// mpirun use them.
  func fakeNodes(_ nodes: Int, slots: Int, in folder: URL) throws -> [String: String] {
    let hosts = folder.appendingPathComponent("hosts")
    let names = (0..<nodes).map { "fakenode\($0) slots=\(slots)" }
    try Data((names.joined(separator: "\n") + "\n").utf8).write(to: hosts)
    let agent = folder.appendingPathComponent("agent")
    let script = """
      #!/bin/sh
      # Open MPI's launch agent for made-up nodes: skip ssh's options and the host name, run the
      # daemon's command on this machine.
      while [ $# -gt 0 ]; do case "$1" in -*) shift ;; *) break ;; esac; done
      shift
      exec /bin/sh -c "$*"

      """
    try Data(script.utf8).write(to: agent)
    chmod(agent.path, 0o755)
    return [
      "OMPI_MCA_orte_default_hostfile": hosts.path, "OMPI_MCA_plm_rsh_agent": agent.path,
      "OMPI_MCA_btl": "self,tcp", "OMPI_MCA_btl_tcp_if_include": "lo",
      "OMPI_MCA_oob_tcp_if_include": "lo", "OMPI_MCA_mpi_yield_when_idle": "1",
      "OMPI_MCA_hwloc_base_binding_policy": "none",
      // Every fake node's daemon runs on this one host; with the default VM hole each writes its
      // hwloc topology to a shared-memory segment at the same address and one of them can crash
      // (SIGSEGV in hwloc_shmem_topology_write, seen one run in three). No segment, no race.
      "OMPI_MCA_rtc_hwloc_vmhole": "none",
      "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    ]
  }

  func json(_ path: String) throws -> [String: Any] {
    try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        as? [String: Any])
  }

  func testDistributedHPLOnFourAndSixRanks() throws {
    let mpirun = try launcherForMPIBuild()
    let (folder, config, suite) = try keyedSuite(
      "grid", ["{ id: hpl.fp64, parameters: { n: 1000, nb: 64 } }"])
    for (ranks, p, q) in [(4, 2, 2), (6, 2, 3)] {
      let report = folder.appendingPathComponent("hpl-\(ranks).json").path
      let run = try execute(
        mpirun,
        [
          "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", "\(ranks)",
          Self.binary, "run", suite, "--output", report,
        ], environment: config)
      XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
      let hpl = try XCTUnwrap((try json(report)["results"] as? [[String: Any]])?.first)
      XCTAssertEqual(hpl["status"] as? String, "ok", "\(hpl["notes"] ?? "")")
      XCTAssertEqual(hpl["scope"] as? String, "job")
      let parameters = try XCTUnwrap(hpl["parameters"] as? [String: Any])
      XCTAssertEqual(parameters["p"] as? Int, p)
      XCTAssertEqual(parameters["q"] as? Int, q)
      XCTAssertEqual(parameters["variant"] as? String, "WR11R2R1")
      let validation = try XCTUnwrap(hpl["validation"] as? [String: Any])
      XCTAssertLessThan(try XCTUnwrap(validation["value"] as? Double), 16)
      let verify = try execute(Self.binary, ["verify", report], environment: config)
      XCTAssertEqual(verify.status, 0, verify.stdout)
    }
  }

  /// Rank 0 refuses to overwrite a report: every rank stops, at once, with rank 0's one line
  /// (the other ranks once waited for ever for a run that never began).
  func testARankThatCannotStartStopsTheWholeJob() throws {
    let mpirun = try launcherForMPIBuild()
    let (folder, config, suite) = try keyedSuite(
      "refused", ["{ id: stream.triad, repeats: 1, parameters: { elements: 100000 } }"])
    let report = folder.appendingPathComponent("kept.json").path
    try Data("an earlier report\n".utf8).write(to: URL(fileURLWithPath: report))
    let run = try execute(
      "/usr/bin/timeout",
      [
        "120", mpirun, "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", "2",
        Self.binary, "run", suite, "--output", report,
      ], environment: config)
    XCTAssertNotEqual(run.status, 124, "the job hung: " + run.stderr)
    XCTAssertNotEqual(run.status, 0, run.stderr)
    let lines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("suanli:") }
    XCTAssertEqual(lines, ["suanli: \(report): already exists; not overwritten"], run.stderr)
    XCTAssertEqual(try String(contentsOfFile: report, encoding: .utf8), "an earlier report\n")
  }

  func testTwoFakeNodesMakeOneReportWithEveryNode() throws {
    let mpirun = try launcherForMPIBuild()
    let (folder, config, suite) = try keyedSuite(
      "cluster",
      [
        "{ id: stream.triad, repeats: 2, parameters: { elements: 500000 } }",
        "{ id: hpl.fp64, parameters: { n: 600, nb: 64, scope: node } }",
        "{ id: hpl.fp64, parameters: { n: 800, nb: 32, scope: job } }",
        "{ id: mpi.pingpong, parameters: { scale: 0.01, maxSize: 4096 } }",
        "{ id: io.seq.write, repeats: 2, parameters: { scope: job, path: SCRATCH, fileSize: 1048576, blockSize: 65536, streams: 2, direct: false } }",
        "{ id: io.seq.read, repeats: 1, parameters: { scope: job, path: SCRATCH, fileSize: 1048576, blockSize: 65536, streams: 1, direct: false } }",
        "{ id: hpcg, parameters: { scope: node, nx: 16, threads: 2, runSeconds: 0 } }",
        "{ id: hpcg, parameters: { scope: job, nx: 16, runSeconds: 0 } }",
      ])
    let scratch = folder.appendingPathComponent("shared-scratch").path
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    try String(contentsOfFile: suite, encoding: .utf8).replacingOccurrences(of: "SCRATCH", with: scratch)
      .write(toFile: suite, atomically: true, encoding: .utf8)
    let environment = config.merging(try fakeNodes(2, slots: 2, in: folder)) { $1 }
    let report = folder.appendingPathComponent("cluster.json").path
    let run = try execute(
      mpirun, ["-np", "4", Self.binary, "run", suite, "--output", report],
      environment: environment)
    XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
    XCTAssertTrue(run.stdout.contains("stream.triad @node 1"), run.stdout)
    let document = try json(report)
    XCTAssertEqual(document["schemaVersion"] as? Int, 2)
    let job = try XCTUnwrap(document["job"] as? [String: Any])
    XCTAssertEqual(job["nodes"] as? Int, 2)
    XCTAssertEqual(job["ranks"] as? Int, 4)
    XCTAssertEqual(job["ranksPerNode"] as? [Int], [2, 2])
    let nodes = try XCTUnwrap(document["nodes"] as? [[String: Any]])
    XCTAssertEqual(nodes.map { $0["index"] as? Int }, [0, 1])
    XCTAssertEqual(nodes.map { $0["ranks"] as? [Int] }, [[0, 1], [2, 3]])
    // Same topology: its hwloc XML once, the other node names it by hash.
    XCTAssertNotNil(nodes[0]["hwlocXML"])
    XCTAssertNil(nodes[1]["hwlocXML"])
    XCTAssertEqual(nodes[0]["topologySHA256"] as? String, nodes[1]["topologySHA256"] as? String)
    let results = try XCTUnwrap(document["results"] as? [[String: Any]])
    let placed = results.map {
      "\($0["id"] ?? "") \($0["scope"] ?? "-") \($0["node"] ?? "-") \($0["status"] ?? "")"
    }
    XCTAssertEqual(
      placed,
      [
        "stream.triad node 0 ok", "stream.triad node 1 ok", "hpl.fp64 node 0 ok",
        "hpl.fp64 node 1 ok", "hpl.fp64 job - ok", "mpi.pingpong job - ok",
        "io.seq.write job - ok", "io.seq.read job - ok", "hpcg node 0 ok", "hpcg node 1 ok",
        "hpcg job - ok",
      ])
    // HPCG on each node (its 2 threads as ranks) and over the 4 MPI ranks (2×2×1 boxes of
    // 16³, halos through MPI), validated as HPCG validates.
    let hpcg = results.filter { $0["id"] as? String == "hpcg" }
    XCTAssertEqual((hpcg[2]["parameters"] as? [String: Any])?["processGrid"] as? String, "2x2x1")
    XCTAssertEqual((hpcg[0]["parameters"] as? [String: Any])?["processGrid"] as? String, "2x1x1")
    XCTAssertTrue(
      ((hpcg[2]["validation"] as? [String: Any])?["detail"] as? String ?? "").contains(
        "spectral test 11/11 unpreconditioned"), "\(hpcg[2])")
    // Both fake nodes wrote into one folder at once; each read the other's files.
    for result in results.filter({ ($0["id"] as? String ?? "").hasPrefix("io.") }) {
      XCTAssertEqual((result["parameters"] as? [String: Any])?["nodes"] as? Int, 2)
      XCTAssertTrue(
        (result["placement"] as? String ?? "").contains("node k reads node k+1's files"),
        "\(result["placement"] ?? "")")
    }
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch), [])
    let pingpong = try XCTUnwrap(results[5]["placement"] as? String)
    XCTAssertTrue(pingpong.contains("(node 0) and rank 2 (node 1)"), pingpong)
    let statistics = try XCTUnwrap(document["nodeStatistics"] as? [[String: Any]])
    XCTAssertEqual(
      Set(statistics.map { "\($0["id"] ?? "") \($0["metric"] ?? "")" }),
      ["stream.triad bandwidth", "hpl.fp64 rate", "hpcg rate", "hpcg rawRate", "hpcg bandwidth"])
    let verify = try execute(Self.binary, ["verify", report], environment: config)
    XCTAssertEqual(verify.status, 0, verify.stdout)
    let score = try execute(Self.binary, ["score", report, "--json"], environment: config)
    XCTAssertEqual(score.status, 0, score.stderr)
    XCTAssertTrue(score.stdout.contains("\"nodes\" : 2"), score.stdout)
  }

  /// A rank that stops (SIGSTOP) in a collective on the second of two fake nodes: its
  /// heartbeats stop, and rank 0's partial report names it and its node.
  func testAStoppedRankIsNamedInThePartialReport() throws {
    let mpirun = try launcherForMPIBuild()
    let (folder, config, suite) = try keyedSuite(
      "stopped",
      [
        "{ id: stream.copy, repeats: 1, parameters: { elements: 100000 } }",
        "{ id: test.mpi.stall, parameters: { rank: -1, stop: true, timeoutSeconds: 10 } }",
        "{ id: mpi.barrier, parameters: { scale: 0.01 } }",
      ])
    let environment = config.merging(try fakeNodes(2, slots: 2, in: folder)) { $1 }
    let report = folder.appendingPathComponent("stopped.json").path
    let run = try execute(
      "/usr/bin/timeout",
      ["120", mpirun, "-np", "4", Self.binary, "run", suite, "--output", report],
      environment: environment)
    XCTAssertNotEqual(run.status, 0)
    XCTAssertNotEqual(run.status, 124, "the job was not aborted: " + run.stderr)
    // Once (1 of 5 clean-clone runs) the job ended after 5 s without a report: say what it said.
    XCTAssertTrue(
      FileManager.default.fileExists(atPath: report),
      "no report; exit \(run.status); the job said: " + run.stderr)
    try assertSignedPartialReport(
      report,
      ["stream.copy: ok", "stream.copy: ok", "test.mpi.stall: timedOut", "mpi.barrier: skipped"],
      config: config)
    let stalled = try XCTUnwrap(
      (try json(report)["results"] as? [[String: Any]])?.first {
        $0["id"] as? String == "test.mpi.stall"
      })
    let note = ((stalled["notes"] as? [String]) ?? []).joined(separator: " ")
    XCTAssertTrue(note.contains("rank 3 on node 1 (host"), note)
    XCTAssertTrue(note.contains("has sent no heartbeat for"), note)
    XCTAssertFalse(note.contains("rank 1 on"), "only the stopped rank is named: " + note)
  }

  func testAKilledRankLeavesAPartialReportNamingItsNode() throws {
    let mpirun = try launcherForMPIBuild()
    let (folder, config, suite) = try keyedSuite(
      "die",
      [
        "{ id: stream.copy, repeats: 2, parameters: { elements: 100000 } }",
        "{ id: test.mpi.die, parameters: { afterSeconds: 0.5 } }",
        "{ id: mpi.barrier, parameters: { scale: 0.01 } }",
      ])
    let environment = config.merging(try fakeNodes(2, slots: 2, in: folder)) { $1 }
    let report = folder.appendingPathComponent("died.json").path
    let run = try execute(
      mpirun, ["-np", "4", Self.binary, "run", suite, "--output", report],
      environment: environment)
    XCTAssertNotEqual(run.status, 0)
    try assertSignedPartialReport(
      report,
      [
        "stream.copy: ok", "stream.copy: ok", "test.mpi.die: failed", "mpi.barrier: skipped",
      ], config: config)
    let died = try XCTUnwrap(
      (try json(report)["results"] as? [[String: Any]])?.first {
        $0["id"] as? String == "test.mpi.die"
      })
    let note = (died["notes"] as? [String])?.first ?? ""
    XCTAssertTrue(note.contains("rank 3 on node 1"), note)
    XCTAssertFalse(
      FileManager.default.fileExists(
        atPath: folder.appendingPathComponent("died.partial.json").path),
      "the partial report beside it goes once the report is written")
  }
}
