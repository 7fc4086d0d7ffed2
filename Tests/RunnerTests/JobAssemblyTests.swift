import Foundation
import Measurement
import ReportFormat
import XCTest

@testable import Reports
@testable import Runner

/// What rank 0 makes of a job's nodes: spreads, outliers with their tolerances, differences.
final class JobAssemblyTests: XCTestCase {
  func record(_ host: String, cores: Int = 2, memory: Int = 1 << 34, clock: Double = 3e9)
    -> NodeRecord
  {
    NodeRecord(
      hostname: host,
      topology: TopologySummary(
        packages: 1, numaNodes: 1, cores: cores, pus: cores, caches: [], accelerators: [],
        networks: []),
      cpu: CPUSummary(
        model: "cpu", vendor: "v", family: 0, modelNumber: 0, architecture: "x86_64", isa: []),
      memoryBytes: memory, memorySource: "test",
      clock: ClockRecord(hertz: clock, source: "test"), rpeak: [], hwlocXML: "<topology/>")
  }

  func result(_ id: String, _ metric: Metric, node: Int) -> BenchmarkResult {
    var result = BenchmarkResult(
      id: id, status: .ok, parameters: [:], samples: [1], sampleUnit: .seconds, warmupSamples: [],
      metrics: [metric],
      validation: Validation(check: "c", passed: true, value: nil, bound: nil, detail: ""))
    result.scope = .node
    result.node = node
    return result
  }

  func testOutliersAreWorseThanTheMedianByMoreThanTheTolerance() {
    let nodes = (0..<5).map { record("n\($0)") }
    // HPL rates: median 100; node 3 is 6 % below (an outlier at 5 %), node 4 4 % below (not).
    let rates = [100.0, 101, 99, 94, 96].map { $0 * 1e9 }
    // STREAM: node 2 is 8 % below the median: within STREAM's 10 %.
    let bandwidths = [50.0, 51, 46, 50, 52].map { $0 * 1e9 }
    // Latency (lower is better): node 1 is 20 % above the median: beyond 15 %.
    let latencies = [1.0, 1.2, 1.0, 0.98, 1.01].map { $0 * 1e-6 }
    var results: [BenchmarkResult] = []
    for i in 0..<5 {
      results.append(
        result(
          "hpl.fp64",
          Metric(name: "rate", value: rates[i], unit: .flopsPerSecond, polarity: .higherIsBetter),
          node: i))
      results.append(
        result(
          "stream.triad",
          Metric(
            name: "bandwidth", value: bandwidths[i], unit: .bytesPerSecond,
            polarity: .higherIsBetter), node: i))
      results.append(
        result(
          "mpi.x",
          Metric(name: "latency", value: latencies[i], unit: .seconds, polarity: .lowerIsBetter),
          node: i))
    }
    let statistics = NodeStatistics.compute(results, nodes: nodes)
    XCTAssertEqual(statistics.map(\.id), ["hpl.fp64", "stream.triad", "mpi.x"])
    XCTAssertEqual(statistics[0].median, 99e9)
    XCTAssertEqual(statistics[0].outliers.map(\.node), [3])
    XCTAssertEqual(statistics[0].outliers.first?.hostname, "n3")
    XCTAssertEqual(statistics[0].tolerance, 0.05)
    XCTAssertEqual(statistics[1].outliers.map(\.node), [])
    XCTAssertEqual(statistics[1].tolerance, 0.10)
    XCTAssertEqual(statistics[2].outliers.map(\.node), [1])
    XCTAssertEqual(statistics[2].min, 0.98e-6)
    XCTAssertEqual(statistics[2].max, 1.2e-6)
    var report = Report(
      tool: .init(name: "suanli", version: "0", gitCommit: "x", buildISA: []), center: "c",
      createdAt: "2026-01-01T00:00:00Z", complete: true, nodes: nodes,
      software: Software(
        os: "", kernel: "", compiler: "", blas: nil, mpi: nil, hwloc: "", environment: [:]),
      suite: SuiteRecord(
        name: "s", description: "", file: "", sha256: "", timeBudgetSeconds: nil,
        overrides: []),
      results: results, notes: [])
    report.nodeStatistics = statistics
    let lines = ComparisonInput.outliers([report])
    XCTAssertEqual(
      lines, ["node 3 (n3): hpl.fp64 rate −5.1%", "node 1 (n1): mpi.x latency +20.0%"])
    // `verify` recomputes them: an outlier dropped, or a median moved, is found.
    XCTAssertFalse(ReportAudit.problems(report).contains { $0.hasPrefix("nodeStatistics") })
    var hidden = report
    hidden.nodeStatistics![0].outliers = []
    XCTAssertTrue(
      ReportAudit.problems(hidden).contains { $0.hasPrefix("nodeStatistics do not recompute") })
    var moved = report
    moved.nodeStatistics![1].median *= 1.1
    XCTAssertTrue(ReportAudit.problems(moved).contains { $0.hasPrefix("nodeStatistics") })
  }

  func testHeterogeneousNodesAreNamed() {
    let reports = [
      JobAssembly.NodeReport(record: record("a"), blas: "OpenBLAS 0.3.21"),
      JobAssembly.NodeReport(
        record: record("b", cores: 4, memory: 1 << 35, clock: 3.5e9), blas: "OpenBLAS 0.3.21"),
      JobAssembly.NodeReport(record: record("c"), blas: "MKL"),
    ]
    let differences = JobAssembly.heterogeneity(reports)
    XCTAssertEqual(differences.count, 4, differences.joined(separator: "\n"))
    XCTAssertTrue(
      differences[0].hasPrefix("cores: 2 on node(s) 0, 2; 4 on node(s) 1"), differences[0])
    XCTAssertTrue(differences[1].hasPrefix("BLAS: "), differences[1])
    XCTAssertTrue(
      differences[2].contains("distributed HPL is sized by the smallest"), differences[2])
    XCTAssertTrue(differences[3].hasPrefix("clock: "), differences[3])
    XCTAssertEqual(JobAssembly.heterogeneity(Array(reports.prefix(1))), [])
  }

  func testLaunchersAreToldApart() {
    XCTAssertEqual(JobAssembly.launcher(["SLURM_STEP_ID": "0", "PMIX_RANK": "1"]), "srun (Slurm)")
    XCTAssertEqual(JobAssembly.launcher(["OMPI_COMM_WORLD_SIZE": "4"]), "mpirun (Open MPI)")
    XCTAssertEqual(
      JobAssembly.launcher(["OMPI_COMM_WORLD_SIZE": "4", "SLURM_JOB_ID": "7"]),
      "mpirun (Open MPI) in a Slurm job")
  }
}
