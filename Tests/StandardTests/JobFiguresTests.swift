import Foundation
import Measurement
import ReportFormat
import XCTest

@testable import Standard

/// A job of several nodes (schema v2) as a center's figures: node results count per node, the
/// job's own figure stands for the center.
final class JobFiguresTests: XCTestCase {
  func node(_ host: String, index: Int) -> NodeRecord {
    var record = NodeRecord(
      hostname: host,
      topology: TopologySummary(
        packages: 1, numaNodes: 1, cores: 2, pus: 2, caches: [], accelerators: [], networks: []),
      cpu: CPUSummary(
        model: "cpu", vendor: "v", family: 0, modelNumber: 0, architecture: "x86_64", isa: []),
      memoryBytes: 1 << 30, memorySource: "test", clock: nil, rpeak: [], hwlocXML: nil)
    record.index = index
    return record
  }

  func result(_ id: String, rate: Double, scope: ResultScope?, node: Int?) -> BenchmarkResult {
    var result = BenchmarkResult(
      id: id, status: .ok, parameters: [:], samples: [1], sampleUnit: .seconds, warmupSamples: [],
      metrics: [
        Metric(name: "rate", value: rate, unit: .flopsPerSecond, polarity: .higherIsBetter)
      ],
      validation: Validation(check: "c", passed: true, value: nil, bound: nil, detail: ""))
    result.scope = scope
    result.node = node
    return result
  }

  func testAJobsFigureStandsForTheCenterAndNodesAreCounted() throws {
    // Two fake nodes with one host name: each keeps its own figures.
    var report = Report(
      tool: .init(name: "suanli", version: "0", gitCommit: "x", buildISA: []), center: "c",
      createdAt: "2026-01-01T00:00:00Z", complete: true,
      nodes: [node("vm", index: 0), node("vm", index: 1)],
      software: Software(
        os: "", kernel: "", compiler: "", blas: nil, mpi: nil, hwloc: "", environment: [:]),
      suite: SuiteRecord(
        name: "s", description: "", file: "", sha256: "", timeBudgetSeconds: nil, overrides: []),
      results: [
        result("gemm.fp64", rate: 40e9, scope: .node, node: 0),
        result("gemm.fp64", rate: 38e9, scope: .node, node: 1),
        result("hpl.fp64", rate: 30e9, scope: .node, node: 0),
        result("hpl.fp64", rate: 29e9, scope: .node, node: 1),
        result("hpl.fp64", rate: 55e9, scope: .job, node: nil),
      ], notes: [])
    report.schemaVersion = 2
    let figures = try XCTUnwrap(CenterFigures.aggregate([report]).first)
    XCTAssertEqual(figures.nodes, 2)
    XCTAssertEqual(figures.values["gemm.fp64.rate"], 78e9, "node rates add up")
    XCTAssertEqual(figures.values["hpl.fp64.rate"], 55e9, "the job's HPL, not 30 + 29")
  }
}
