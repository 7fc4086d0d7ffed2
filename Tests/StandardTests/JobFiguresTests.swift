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

  /// A GPU node: its figure is the sum over its GPUs, the CPU's run of the same benchmark does
  /// not add to it, and a fake device's figure is marked, never a measurement.
  func testAcceleratorsAddUpPerNodeAndFakesAreMarked() throws {
    func onDevice(_ rate: Double, _ id: String, fake: Bool) -> BenchmarkResult {
      var value = result("gemm.fp16", rate: rate, scope: .node, node: 0)
      value.device = DeviceUse(
        id: id, name: "GPU", architecture: "sm_90", pciBusID: nil, fake: fake)
      return value
    }
    func report(_ results: [BenchmarkResult]) -> Report {
      var report = Report(
        tool: .init(name: "suanli", version: "0", gitCommit: "x", buildISA: []), center: "c",
        createdAt: "2026-01-01T00:00:00Z", complete: true, nodes: [node("gpu1", index: 0)],
        software: Software(
          os: "", kernel: "", compiler: "", blas: nil, mpi: nil, hwloc: "", environment: [:]),
        suite: SuiteRecord(
          name: "s", description: "", file: "", sha256: "", timeBudgetSeconds: nil, overrides: []),
        results: results, notes: [])
      report.schemaVersion = 2
      return report
    }
    let real = try XCTUnwrap(
      CenterFigures.aggregate([
        report([
          result("gemm.fp16", rate: 50e9, scope: .node, node: 0),
          onDevice(700e12, "cuda:0", fake: false), onDevice(710e12, "cuda:1", fake: false),
          result("gemm.fp64", rate: 40e9, scope: .node, node: 0),
        ])
      ]).first)
    XCTAssertEqual(real.nodes, 1, "two GPUs of one node are one node")
    XCTAssertEqual(real.values["gemm.fp16.rate"], 1410e12, "the GPUs' sum, without the CPU's 50e9")
    XCTAssertEqual(real.values["gemm.fp64.rate"], 40e9, "the CPU's where no GPU ran it")
    XCTAssertNil(real.estimates["gemm.fp16.rate"])
    let fake = try XCTUnwrap(
      CenterFigures.aggregate([report([onDevice(1e9, "cuda:0", fake: true)])]).first)
    XCTAssertEqual(fake.estimates["gemm.fp16.rate"], ["fake-device"])
  }
}
