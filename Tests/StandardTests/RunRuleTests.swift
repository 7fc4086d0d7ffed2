import Foundation
import Measurement
import ReportFormat
import XCTest

@testable import Standard

/// Version 2 of a standard: run rules make figures conforming or estimates; a composite that
/// lacks a dimension has no grade and no classification.
final class RunRuleTests: XCTestCase {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  let all: Set<String> = [
    "hpl.fp64", "hplmxp", "gemm.fp64", "gemm.fp32", "gemm.fp16", "gemm.bf16", "stream.triad",
    "mpi.pingpong", "mpi.bw", "mpi.allreduce", "c2c.latency",
  ]

  func cses2() throws -> EvaluationStandard {
    try StandardParser.load(
      path: Self.root.appendingPathComponent("suites/standards/cses-2.yaml").path,
      knownBenchmarks: all)
  }

  func node(memory: Int = 16 << 30) -> NodeRecord {
    NodeRecord(
      hostname: "h",
      topology: TopologySummary(
        packages: 1, numaNodes: 1, cores: 2, pus: 2,
        caches: [
          CacheRecord(level: 3, kind: "unified", sizeBytes: 32 << 20, count: 1, sharedByPUs: 2)
        ],
        accelerators: [], networks: []),
      cpu: CPUSummary(
        model: "cpu", vendor: "v", family: 0, modelNumber: 0, architecture: "x86_64", isa: []),
      memoryBytes: memory, memorySource: "test", clock: nil, rpeak: [], hwlocXML: nil)
  }

  let quiet = RunConditions(
    loadBefore: 0.1, otherCPUShare: 0.01, stealShare: 0, seconds: 1, source: "test")
  let busy = RunConditions(
    loadBefore: 2, otherCPUShare: 0.45, stealShare: 0.02, seconds: 1, source: "test")

  func result(
    _ id: String, _ metric: String, _ value: Double, bandwidth: Bool = false,
    parameters: [String: JSONValue], samples: Int = 10, conditions: RunConditions?
  ) -> BenchmarkResult {
    var result = BenchmarkResult(
      id: id, status: .ok, parameters: parameters, samples: Array(repeating: 1, count: samples),
      sampleUnit: .seconds, warmupSamples: [],
      metrics: [
        Metric(
          name: metric, value: value, unit: bandwidth ? .bytesPerSecond : .flopsPerSecond,
          polarity: .higherIsBetter)
      ],
      validation: Validation(check: "c", passed: true, value: nil, bound: nil, detail: ""))
    result.conditions = conditions
    return result
  }

  func report(_ results: [BenchmarkResult]) -> Report {
    var report = Report(
      tool: .init(name: "suanli", version: "0", gitCommit: "x", buildISA: []), center: "c",
      createdAt: "2026-01-01T00:00:00Z", complete: true, nodes: [node()],
      software: Software(
        os: "", kernel: "", compiler: "", blas: nil, mpi: nil, hwloc: "", environment: [:]),
      suite: SuiteRecord(
        name: "s", description: "", file: "", sha256: "", timeBudgetSeconds: nil, overrides: []),
      results: results, notes: [])
    report.schemaVersion = 2
    return report
  }

  func testEachRuleConformsOrSaysWhatItMissed() throws {
    let standard = try cses2()
    // 16 GiB of memory: n = 40000 is 12.8 GB (75 %), n = 6000 is 288 MB (1.7 %).
    let big = result("hpl.fp64", "rate", 1e11, parameters: ["n": .int(40000)], conditions: quiet)
    let small = result("hpl.fp64", "rate", 1e11, parameters: ["n": .int(6000)], conditions: quiet)
    let noisy = result("hpl.fp64", "rate", 1e11, parameters: ["n": .int(40000)], conditions: busy)
    let old = result("hpl.fp64", "rate", 1e11, parameters: ["n": .int(40000)], conditions: nil)
    // 32 MiB of L3: 16,777,216 elements are 128 MiB, 4× — and 2,000,000 are 0.5×.
    let stream = result(
      "stream.triad", "bandwidth", 3e10, bandwidth: true,
      parameters: ["elements": .int(16_777_216)], conditions: quiet)
    let cached = result(
      "stream.triad", "bandwidth", 3e10, bandwidth: true,
      parameters: ["elements": .int(2_000_000)], samples: 3, conditions: quiet)
    let gemm = result("gemm.fp64", "rate", 1e11, parameters: ["n": .int(2048)], conditions: quiet)
    var job = result("hpl.fp64", "rate", 1e11, parameters: ["n": .int(40000)], conditions: nil)
    job.scope = .job
    let report = report([big, small, noisy, old, stream, cached, gemm, job])
    XCTAssertEqual(standard.missedRules(big, in: report), [])
    XCTAssertEqual(
      standard.missedRules(small, in: report),
      ["hpl-problem-size: the matrix uses 2% of memory, the rule asks 25%"])
    XCTAssertEqual(
      standard.missedRules(noisy, in: report),
      ["quiet-node: the node was busy (45% of its CPUs used by others), the rule allows 10%"])
    XCTAssertEqual(
      standard.missedRules(old, in: report),
      [
        "quiet-node: what else used the node is not recorded (a report from before run rules)"
      ])
    XCTAssertEqual(standard.missedRules(stream, in: report), [])
    XCTAssertEqual(
      standard.missedRules(cached, in: report),
      [
        "stream-array-size: arrays are 0.5× the last-level cache, the rule asks 4.0×",
        "stream-repeats: 3 timed sample(s), the rule asks 10",
      ])
    XCTAssertEqual(
      standard.missedRules(gemm, in: report),
      ["gemm-size: n = 2048, the rule asks at least 4096"])
    XCTAssertEqual(standard.missedRules(job, in: report), [], "a job's HPL: its ranks are busy")
  }

  func testEstimatesAreMarkedAndALackingCompositeHasNoGrade() throws {
    let standard = try cses2()
    let hpl = result("hpl.fp64", "rate", 1e12, parameters: ["n": .int(6000)], conditions: quiet)
    let figures = try XCTUnwrap(CenterFigures.aggregate([report([hpl])], standard: standard).first)
    XCTAssertEqual(figures.estimates.keys.sorted(), ["hpl.fp64.rate"])
    let block = Scorer.score(figures, standard: standard)
    let hpc = try XCTUnwrap(block.dimensions.first { $0.id == "hpc" })
    XCTAssertTrue(hpc.estimate)
    XCTAssertEqual(hpc.present, 1)
    XCTAssertEqual(hpc.metrics.count, 2)
    XCTAssertEqual(hpc.metrics[0].missedRules?.first?.hasPrefix("hpl-problem-size"), true)
    XCTAssertEqual(block.estimate, true)
    XCTAssertEqual(block.grade, "-")
    XCTAssertEqual(block.classification, "unclassified")
    // Every weighted dimension but the optional 能效 lacks.
    XCTAssertEqual(
      block.lacking, ["智算 AI", "通算 general", "存力 memory", "运力 network", "均衡 balance"])
    XCTAssertNotNil(block.composite, "the composite of what is there is still shown")
  }

  func testVersionOneStandardsHaveNoRulesAndKeepTheirGrades() throws {
    let standard = try StandardParser.load(
      path: Self.root.appendingPathComponent("suites/standards/cses-1.yaml").path,
      knownBenchmarks: all)
    XCTAssertEqual(standard.runRules, [])
    let hpl = result("hpl.fp64", "rate", 1e12, parameters: ["n": .int(6000)], conditions: nil)
    let block = Scorer.score(
      try XCTUnwrap(CenterFigures.aggregate([report([hpl])], standard: standard).first),
      standard: standard)
    XCTAssertNil(block.lacking)
    XCTAssertNil(block.estimate)
    XCTAssertNotEqual(block.grade, "-")
  }

  /// Version 3: 存力 in two parts. Storage is scored from the io benchmarks where they ran,
  /// with the io-stonewall rule (a 2 s pass is an estimate); where none ran, storage is listed
  /// as missing but, being optional, withholds no grade.
  func testVersionThreeScoresStorageApartFromMemory() throws {
    let standard = try StandardParser.load(
      path: Self.root.appendingPathComponent("suites/standards/cses-3.yaml").path,
      knownBenchmarks: all.union([
        "io.seq.read", "io.seq.write", "io.rand.read", "io.rand.write", "io.md.easy", "io.md.hard",
        "hpcg",
      ]))
    XCTAssertEqual(standard.version, "3.2.0")
    let storageDimension = try XCTUnwrap(standard.dimensions.first { $0.id == "storage" })
    XCTAssertTrue(storageDimension.optional)
    XCTAssertEqual(storageDimension.name, "存力 storage")
    func io(_ id: String, _ metric: String, _ value: Double, stonewall: Double) -> BenchmarkResult {
      result(
        id, metric, value, bandwidth: metric == "bandwidth",
        parameters: ["stonewallSeconds": .double(stonewall)], samples: 1, conditions: quiet)
    }
    // At the node references: 100 each.
    let atReference = [
      io("io.seq.read", "bandwidth", 6.5e9, stonewall: 30),
      io("io.seq.write", "bandwidth", 4.0e9, stonewall: 30),
      io("io.rand.read", "iops", 5.0e5, stonewall: 30),
      io("io.rand.write", "iops", 1.8e5, stonewall: 30),
      io("io.md.easy", "rate", 1.0e5, stonewall: 30),
      io("io.md.hard", "rate", 5.0e4, stonewall: 30),
    ]
    let hpl = result("hpl.fp64", "rate", 1e12, parameters: ["n": .int(40000)], conditions: quiet)
    let figures = try XCTUnwrap(
      CenterFigures.aggregate([report([hpl] + atReference)], standard: standard).first)
    let block = Scorer.score(figures, standard: standard)
    let storage = try XCTUnwrap(block.dimensions.first { $0.id == "storage" })
    XCTAssertEqual(try XCTUnwrap(storage.score), 100, accuracy: 1e-9)
    XCTAssertEqual(storage.present, 6)
    XCTAssertFalse(storage.estimate)
    XCTAssertFalse(block.lacking?.contains("存力 storage") ?? false)
    // A quick pass (2 s) is an estimate, and says which rule it missed.
    let quick = io("io.rand.read", "iops", 5.0e5, stonewall: 2)
    XCTAssertEqual(
      standard.missedRules(quick, in: report([quick])),
      ["io-stonewall: stonewallSeconds = 2, the rule asks at least 30"])
    // No storage run: missing, never a zero, and no grade withheld for it.
    let without = Scorer.score(
      try XCTUnwrap(CenterFigures.aggregate([report([hpl])], standard: standard).first),
      standard: standard)
    let absent = try XCTUnwrap(without.dimensions.first { $0.id == "storage" })
    XCTAssertNil(absent.score)
    XCTAssertFalse(without.lacking?.contains("存力 storage") ?? false, "\(without.lacking ?? [])")
    XCTAssertTrue(without.lacking?.contains("存力 memory") ?? false)
  }

  /// Version 3.1: HPCG's rating in 超算 and HPCG over HPL in 均衡, each at its reference scoring
  /// 100; a box under a quarter of memory or sets shorter than 1800 s make it an estimate.
  func testVersionThreePointOneScoresHPCGAndItsRatioToHPL() throws {
    let standard = try StandardParser.load(
      path: Self.root.appendingPathComponent("suites/standards/cses-3.yaml").path,
      knownBenchmarks: all.union([
        "io.seq.read", "io.seq.write", "io.rand.read", "io.rand.write", "io.md.easy", "io.md.hard",
        "hpcg",
      ]))
    let hpl = result("hpl.fp64", "rate", 3e12, parameters: ["n": .int(40000)], conditions: quiet)
    func hpcg(share: Double, seconds: Double) -> BenchmarkResult {
      result(
        "hpcg", "rate", 6e10,
        parameters: ["memoryShare": .double(share), "timedSeconds": .double(seconds)], samples: 1,
        conditions: quiet)
    }
    let official = hpcg(share: 0.3, seconds: 1805)
    XCTAssertEqual(standard.missedRules(official, in: report([official])), [])
    let figures = try XCTUnwrap(
      CenterFigures.aggregate([report([hpl, official])], standard: standard).first)
    let block = Scorer.score(figures, standard: standard)
    let hpc = try XCTUnwrap(block.dimensions.first { $0.id == "hpc" })
    let rating = try XCTUnwrap(hpc.metrics.first { $0.key == "hpcg.rate" })
    XCTAssertEqual(try XCTUnwrap(rating.score), 100, accuracy: 1e-9)
    let balance = try XCTUnwrap(block.dimensions.first { $0.id == "balance" })
    let ratio = try XCTUnwrap(balance.metrics.first { $0.key == "derived.hpcgToHPL" })
    XCTAssertEqual(try XCTUnwrap(ratio.value), 0.02, accuracy: 1e-15)
    XCTAssertEqual(try XCTUnwrap(ratio.score), 100, accuracy: 1e-9)
    let quick = hpcg(share: 0.01, seconds: 3)
    XCTAssertEqual(
      standard.missedRules(quick, in: report([quick])),
      [
        "hpcg-problem-size: memoryShare = 0.01, the rule asks at least 0.25",
        "hpcg-official-length: timedSeconds = 3, the rule asks at least 1800",
      ])
  }

  /// Version 3.2: a center with accelerator figures is a GPU node — its GEMM against an 8-GPU
  /// server's references, its host's figures against a CPU node's — and a fake device's
  /// figure is an estimate.
  func testAGPUNodeIsRatedInItsOwnTier() throws {
    let standard = try StandardParser.load(
      path: Self.root.appendingPathComponent("suites/standards/cses-3.yaml").path,
      knownBenchmarks: nil)
    var figures = CenterFigures(
      center: "g", nodes: 1,
      values: ["gemm.fp16.rate": 6.0e15, "stream.triad.bandwidth": 4.5e11, "hpl.fp64.rate": 3e12])
    XCTAssertEqual(Scorer.score(figures, standard: standard).tier, "node", "no accelerator figures")
    figures.accelerated = true
    let block = Scorer.score(figures, standard: standard)
    XCTAssertEqual(block.tier, "gpu-node")
    let scores = Dictionary(
      uniqueKeysWithValues: block.dimensions.flatMap(\.metrics).map { ($0.key, $0) })
    XCTAssertEqual(scores["gemm.fp16.rate"]?.reference, 6.0e15)
    XCTAssertEqual(scores["gemm.fp16.rate"]?.score ?? 0, 100, accuracy: 1e-9)
    XCTAssertEqual(scores["stream.triad.bandwidth"]?.reference, 4.5e11, "the host as a CPU node")
    XCTAssertEqual(scores["hpl.fp64.rate"]?.reference, 3.0e12)
    figures.estimates["gemm.fp16.rate"] = ["fake-device"]
    let fake = Scorer.score(figures, standard: standard)
    let fp16 = try XCTUnwrap(fake.dimensions.flatMap(\.metrics).first { $0.key == "gemm.fp16.rate" })
    XCTAssertFalse(fp16.conforming)
    XCTAssertEqual(fp16.missedRules, ["fake-device"])
  }

  /// A tier that takes references from another must name one that states its own.
  func testReferencesFromMustNameATierWithItsOwnReferences() throws {
    let text = try String(
      contentsOf: Self.root.appendingPathComponent("suites/standards/cses-3.yaml"), encoding: .utf8)
    let broken = text.replacingOccurrences(of: "referencesFrom: node", with: "referencesFrom: nowhere")
    XCTAssertThrowsError(try StandardParser.parse(broken, file: "cses-3.yaml", sha256: "", knownBenchmarks: nil)) {
      XCTAssertTrue("\($0)".contains("referencesFrom"), "\($0)")
    }
  }
}
