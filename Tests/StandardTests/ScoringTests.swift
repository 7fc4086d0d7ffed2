import Foundation
import Measurement
import ReportFormat
import XCTest

@testable import Standard

final class ScoringTests: XCTestCase {
  let known: Set<String> = [
    "hpl.fp64", "gemm.fp64", "gemm.fp16", "gemm.bf16", "stream.triad", "mpi.pingpong",
  ]

  /// Two dimensions, two tiers. Hand computation below each test.
  let text = """
    id: tiny
    version: 1.2.0
    name: tiny standard
    cap: 120
    strongScore: 60
    defaultProfile: p
    tiers:
      - { name: node, hplBelow: 1.0e14 }
      - { name: big }
    dimensions:
      - id: hpc
        name: HPC
        meaning: fp64
        metrics:
          - { benchmark: hpl.fp64, metric: rate, polarity: higherIsBetter, weight: 0.5, reference: { node: 1.0e12, big: 1.0e15 }, source: s }
          - { benchmark: hpl.fp64, metric: efficiency, polarity: higherIsBetter, weight: 0.5, reference: { node: 0.8, big: 0.8 }, source: s }
      - id: ai
        name: AI
        meaning: fp16
        metrics:
          - { benchmark: gemm.fp16, metric: rate, polarity: higherIsBetter, weight: 1.0, reference: { node: 4.0e12, big: 4.0e15 }, source: s }
      - id: network
        name: net
        meaning: latency
        metrics:
          - { benchmark: mpi.pingpong, metric: latency, size: 8, polarity: lowerIsBetter, weight: 1.0, reference: { node: 2.0e-6, big: 2.0e-6 }, source: s }
    profiles:
      p: { hpc: 0.5, ai: 0.5 }
      q: { hpc: 0.25, ai: 0.25, network: 0.5 }
    grades:
      - { minimum: 90, grade: A }
      - { minimum: 0, grade: E }
    """

  func standard(_ text: String? = nil) throws -> EvaluationStandard {
    try StandardParser.parse(
      text ?? self.text, file: "tiny.yaml", sha256: "x", knownBenchmarks: known)
  }

  func result(_ id: String, _ metrics: [Metric]) -> BenchmarkResult {
    BenchmarkResult(
      id: id, status: .ok, parameters: [:], samples: [1], sampleUnit: .seconds, warmupSamples: [],
      metrics: metrics,
      validation: Validation(check: "c", passed: true, value: nil, bound: nil, detail: ""))
  }

  func report(center: String, _ results: [BenchmarkResult]) -> Report {
    Report(
      tool: .init(name: "suanli", version: "0", gitCommit: "x", buildISA: []), center: center,
      createdAt: "2026-01-01T00:00:00Z", complete: true, nodes: [],
      software: Software(
        os: "", kernel: "", compiler: "", blas: nil, mpi: nil, hwloc: "", environment: [:]),
      suite: SuiteRecord(
        name: "s", description: "", file: "", sha256: "", timeBudgetSeconds: nil, overrides: []),
      results: results, notes: [])
  }

  func rate(_ value: Double) -> Metric {
    Metric(name: "rate", value: value, unit: .flopsPerSecond, polarity: .higherIsBetter)
  }

  /// hpc: scores 100·5e11/1e12 = 50 and 100·0.8/0.8 = 100 → √(50·100) = 70.7107;
  /// ai: 100·8e12/4e12 = 200, capped at 120; composite (p: ½, ½) = √(70.7107·120) = 92.1156.
  func testHandComputedScores() throws {
    let center = report(
      center: "A",
      [
        result(
          "hpl.fp64",
          [
            rate(5e11),
            Metric(name: "efficiency", value: 0.8, unit: .ratio, polarity: .higherIsBetter),
          ]),
        result("gemm.fp16", [rate(8e12)]),
        result("gemm.fp64", [rate(2e12)]),
      ])
    let block = Scorer.score(CenterFigures.aggregate([center])[0], standard: try standard())
    XCTAssertEqual(block.tier, "node")
    XCTAssertEqual(block.dimensions[0].score!, 50.0.squareRoot() * 10, accuracy: 1e-9)
    XCTAssertEqual(block.dimensions[1].score!, 120, accuracy: 1e-12)
    XCTAssertEqual(block.composite!, (70.71067811865476 * 120).squareRoot(), accuracy: 1e-9)
    XCTAssertEqual(block.composite!, 92.1156, accuracy: 1e-4)
    XCTAssertEqual(block.grade, "A")
    XCTAssertEqual(block.classification, "超智融合型 fusion")
    XCTAssertTrue(block.complete, "profile p does not weigh the network")
    // Skew: 8e12 / 2e12 = 4: exactly the 1:2:4 rule.
    XCTAssertEqual(block.skew.index, 0)
    XCTAssertTrue(block.skew.reading.contains("balanced"))
  }

  /// Profile q weighs the network, which has no figure: composite over hpc and ai only,
  /// renormalised (¼ : ¼ → ½ : ½), and marked incomplete with the missing metric listed.
  func testMissingMetricsMakeTheDimensionIncompleteNeverZero() throws {
    let center = report(
      center: "A",
      [
        result(
          "hpl.fp64",
          [
            rate(5e11),
            Metric(name: "efficiency", value: 0.8, unit: .ratio, polarity: .higherIsBetter),
          ]),
        result("gemm.fp16", [rate(8e12)]),
      ])
    let block = Scorer.score(
      CenterFigures.aggregate([center])[0], standard: try standard(), profile: "q")
    let network = block.dimensions[2]
    XCTAssertNil(network.score)
    XCTAssertFalse(network.complete)
    XCTAssertEqual(network.missing, ["mpi.pingpong.latency@8"])
    XCTAssertFalse(block.complete)
    XCTAssertEqual(block.composite!, (70.71067811865476 * 120).squareRoot(), accuracy: 1e-9)
  }

  /// An AI-skewed center (FP16 37× FP64) and an FP64-only one.
  func testSkewedAndFP64OnlyCenters() throws {
    let ai = report(
      center: "AI",
      [
        result(
          "hpl.fp64",
          [
            rate(1e11),
            Metric(name: "efficiency", value: 0.5, unit: .ratio, polarity: .higherIsBetter),
          ]),
        result("gemm.fp64", [rate(1e11)]), result("gemm.fp16", [rate(3.7e12)]),
      ])
    let block = Scorer.score(CenterFigures.aggregate([ai])[0], standard: try standard())
    XCTAssertEqual(block.skew.index!, log2(37.0 / 4), accuracy: 1e-12)
    XCTAssertEqual(
      block.skew.reading,
      "FP16 is 37× FP64: AI-skewed (算力偏科 toward low precision; the 1:2:4 rule expects 4×)")
    XCTAssertEqual(block.classification, "智算型 AI", "ai 92.5 strong, hpc √(10·62.5) = 25 weak")

    let fp64 = report(
      center: "F",
      [
        result(
          "hpl.fp64",
          [
            rate(9e11),
            Metric(name: "efficiency", value: 0.9, unit: .ratio, polarity: .higherIsBetter),
          ]),
        result("gemm.fp64", [rate(1e12)]),
      ])
    let only = Scorer.score(CenterFigures.aggregate([fp64])[0], standard: try standard())
    XCTAssertNil(only.dimensions[1].score)
    XCTAssertEqual(only.dimensions[1].missing, ["gemm.fp16.rate"])
    XCTAssertEqual(only.classification, "超算型 HPC")
    XCTAssertNil(only.skew.index)
    XCTAssertFalse(only.complete)
  }

  /// Three node reports of one center: rates add, efficiency is ΣRmax/ΣRpeak, the MPI figure
  /// is the median; another center stays apart.
  func testThreeNodesAggregateIntoOneCenter() throws {
    func node(_ hpl: Double, _ efficiency: Double, _ latency: Double) -> Report {
      report(
        center: "C",
        [
          result(
            "hpl.fp64",
            [
              rate(hpl),
              Metric(
                name: "efficiency", value: efficiency, unit: .ratio, polarity: .higherIsBetter),
            ]),
          result(
            "mpi.pingpong",
            [
              Metric(
                name: "latency", value: latency, unit: .seconds, polarity: .lowerIsBetter, size: 8)
            ]),
          result("gemm.fp16", [rate(1e12)]),
        ])
    }
    let reports = [
      node(1e12, 0.8, 1e-6), node(2e12, 0.5, 3e-6), report(center: "D", []), node(3e12, 0.75, 2e-6),
    ]
    let centers = CenterFigures.aggregate(reports)
    XCTAssertEqual(centers.map(\.center), ["C", "D"])
    let c = centers[0]
    XCTAssertEqual(c.values["hpl.fp64.rate"], 6e12)
    // Rpeaks 1.25e12 + 4e12 + 4e12 = 9.25e12.
    XCTAssertEqual(c.values["hpl.fp64.efficiency"]!, 6e12 / 9.25e12, accuracy: 1e-15)
    XCTAssertEqual(c.values["mpi.pingpong.latency@8"], 2e-6)
    XCTAssertEqual(c.values["gemm.fp16.rate"], 3e12, "FP16 summed on its own, never with FP64")
    XCTAssertNil(c.values["hpl.fp64.rate+gemm.fp16.rate"])
  }

  /// 能效: node-wide flops per joule of HPL add up over nodes as Σrate / Σpower and become the
  /// scored flops per watt; a component scope (a CPU package) is listed "not comparable" and
  /// never scored; a center where one node measured nothing has no energy figure at all.
  func testFlopsPerWattIsScoredOnlyFromWholeNodeScopes() throws {
    let withEfficiency = text.replacingOccurrences(
      of: "\nprofiles:",
      with: """

          - id: efficiency
            name: 能效
            meaning: flops per watt
            optional: true
            metrics:
              - { benchmark: derived, metric: flopsPerWatt, polarity: higherIsBetter, weight: 1.0, reference: { node: 5.0e9, big: 5.0e9 }, source: s }
        profiles:
        """)
    let standard = try self.standard(withEfficiency)
    func node(_ center: String, rate hpl: Double, perJoule: Double?, scope: String = "")
      -> Report
    {
      var metrics = [rate(hpl)]
      if let perJoule {
        metrics.append(
          Metric(
            name: "flopsPerJoule" + scope, value: perJoule, unit: .flopsPerJoule,
            polarity: .higherIsBetter))
        metrics.append(
          Metric(
            name: "averagePower" + scope, value: hpl / perJoule, unit: .watts,
            polarity: .lowerIsBetter))
      }
      return report(center: center, [result("hpl.fp64", metrics)])
    }
    // 1e11 flop/s at 50 W and 3e11 flop/s at 100 W: 4e11 / 150 W.
    let centers = CenterFigures.aggregate([
      node("N", rate: 1e11, perJoule: 2e9), node("N", rate: 3e11, perJoule: 3e9),
      node("P", rate: 1e11, perJoule: 1e9, scope: "(cpu-package)"),
      node("H", rate: 1e11, perJoule: 2e9), node("H", rate: 1e11, perJoule: nil),
    ])
    XCTAssertEqual(centers.map(\.center), ["N", "P", "H"])
    XCTAssertEqual(centers[0].values["hpl.fp64.flopsPerJoule"]!, 4e11 / 150, accuracy: 1e-3)
    XCTAssertEqual(centers[0].values["hpl.fp64.averagePower"]!, 150, accuracy: 1e-9)
    func efficiency(_ figures: CenterFigures) throws -> ScoreBlock.DimensionScore {
      try XCTUnwrap(
        Scorer.score(figures, standard: standard).dimensions.first { $0.id == "efficiency" })
    }
    let whole = try efficiency(centers[0])
    XCTAssertEqual(whole.metrics[0].value!, 4e11 / 150, accuracy: 1e-3)
    XCTAssertEqual(whole.score!, 100 * (4e11 / 150) / 5e9, accuracy: 1e-9)
    XCTAssertNil(whole.notComparable)

    let package = try efficiency(centers[1])
    XCTAssertNil(package.score)
    XCTAssertEqual(package.missing, ["derived.flopsPerWatt"])
    XCTAssertEqual(
      package.notComparable,
      [
        "hpl.fp64.flopsPerJoule(cpu-package) = 1.00 GFLOPS/W: measured, not comparable (not a whole-node scope)"
      ])

    XCTAssertNil(centers[2].values["hpl.fp64.flopsPerJoule"], "one node of two measured nothing")
    XCTAssertNil(try efficiency(centers[2]).score)
  }

  /// Imported figures count only when asked for and only when their log verifies them; a
  /// measured figure of the same metric wins over an imported one, whatever their dates.
  func testImportedFiguresAreOptInVerifiedOnlyAndNeverBeatAMeasurement() throws {
    func imported(_ center: String, _ rate: Double, _ validity: ImportedFigure.Validity, at date: String)
      -> Report
    {
      var hpl = result("hpl.fp64", [self.rate(rate)])
      hpl.scope = .job
      hpl.imported = ImportedFigure(validity: validity, source: "HPL 2.3")
      var report = self.report(center: center, [hpl])
      report.createdAt = date
      return report
    }
    let verified = imported("I", 7e11, .verifiedFromLog, at: "2026-12-01T00:00:00Z")
    XCTAssertNil(CenterFigures.aggregate([verified])[0].values["hpl.fp64.rate"], "opt-in only")
    let opted = CenterFigures.aggregate([verified], includeImported: true)[0]
    XCTAssertEqual(opted.values["hpl.fp64.rate"], 7e11)
    XCTAssertEqual(opted.imported["hpl.fp64.rate"], "HPL 2.3")
    let block = Scorer.score(opted, standard: try standard())
    XCTAssertEqual(block.imported?["hpl.fp64.rate"], "HPL 2.3")
    let claimed = imported("I", 7e11, .claimedByLog, at: "2026-12-01T00:00:00Z")
    XCTAssertNil(
      CenterFigures.aggregate([claimed], includeImported: true)[0].values["hpl.fp64.rate"])
    var measuredResult = result("hpl.fp64", [rate(5e11)])
    measuredResult.scope = .job
    let measured = report(center: "I", [measuredResult])
    let both = CenterFigures.aggregate([measured, verified], includeImported: true)[0]
    XCTAssertEqual(both.values["hpl.fp64.rate"], 5e11, "measured first, though older")
    XCTAssertNil(both.imported["hpl.fp64.rate"])
  }

  func testScoringTwiceIsByteIdenticalAndTheStandardHashFollowsItsBytes() throws {
    let center = report(center: "A", [result("hpl.fp64", [rate(5e11)])])
    let figures = CenterFigures.aggregate([center])[0]
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let first = try encoder.encode(Scorer.score(figures, standard: try standard()))
    let second = try encoder.encode(Scorer.score(figures, standard: try standard()))
    XCTAssertEqual(first, second)

    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "suanli-std-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let a = folder.appendingPathComponent("a.yaml")
    let b = folder.appendingPathComponent("b.yaml")
    try text.write(to: a, atomically: true, encoding: .utf8)
    try text.replacingOccurrences(of: "tiny standard", with: "tiny standarD").write(
      to: b, atomically: true, encoding: .utf8)
    let ha = try StandardParser.load(path: a.path, knownBenchmarks: known).sha256
    let hb = try StandardParser.load(path: b.path, knownBenchmarks: known).sha256
    XCTAssertEqual(ha.count, 64)
    XCTAssertNotEqual(ha, hb)
  }

  func testBadStandardsAreOneLineErrors() throws {
    let cases: [(String, String, String)] = [
      ("benchmark: gemm.fp16,", "benchmark: gemm.fp8,", "unknown benchmark id \"gemm.fp8\""),
      (
        "weight: 0.5, reference: { node: 0.8", "weight: 0.4, reference: { node: 0.8",
        "metric weights sum to 0.9"
      ),
      (
        "reference: { node: 4.0e12, big: 4.0e15 }", "reference: { node: -4.0e12, big: 4.0e15 }",
        "expected a positive reference"
      ),
      (
        "reference: { node: 2.0e-6, big: 2.0e-6 }", "reference: { node: 2.0e-6 }",
        "missing tier \"big\""
      ),
      ("version: 1.2.0", "version: 4.0.0", "version: expected 1.x, 2.x or 3.x, got 4.0.0"),
      (
        "grades:",
        "runRules: [{ id: r, benchmarks: [hpl.fp64], check: memoryFraction, minimum: 0.5, why: w }]\ngrades:",
        "runRules: run rules need a standard of version 2 or later"
      ),
      ("p: { hpc: 0.5, ai: 0.5 }", "p: { hpc: 0.5, ai: 0.4 }", "profiles.p: weights sum to 0.9"),
      ("p: { hpc: 0.5, ai: 0.5 }", "p: { hpc: 0.5, gpu: 0.5 }", "unknown dimension"),
      ("cap: 120", "cap: lots", "cap"),
    ]
    for (from, to, fragment) in cases {
      let broken = text.replacingOccurrences(of: from, with: to)
      XCTAssertNotEqual(broken, text, "the test edit \(from) must apply")
      XCTAssertThrowsError(try standard(broken), to) { error in
        let message = String(describing: error)
        XCTAssertTrue(message.hasPrefix("tiny.yaml: "), message)
        XCTAssertTrue(message.contains(fragment), "\(message) lacks \(fragment)")
        XCTAssertFalse(message.contains("\n"))
      }
    }
  }

  func testAliasesThatExpandWithoutBoundAreRefused() {
    // Every dimension's metrics alias one list: 4 dimensions x 1 alias, then nine-fold levels.
    var bomb = "m0: &m0 [x, x, x, x, x, x, x, x, x]\n"
    for level in 1...6 {
      bomb +=
        "m\(level): &m\(level) ["
        + Array(repeating: "*m\(level - 1)", count: 9).joined(separator: ", ")
        + "]\n"
    }
    XCTAssertThrowsError(try standard(bomb + text)) { error in
      XCTAssertEqual(
        String(describing: error),
        "tiny.yaml: yaml: expands to more than 100000 nodes through aliases; a standard has a few hundred"
      )
    }
  }

  func testTheShippedStandardLoads() throws {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("suites/standards/cses-1.yaml").path
    let all: Set<String> = known.union([
      "hplmxp", "gemm.fp32", "mpi.bw", "mpi.allreduce", "c2c.latency", "stream.triad",
    ])
    let cses = try StandardParser.load(path: path, knownBenchmarks: all)
    XCTAssertEqual(
      cses.dimensions.map(\.id),
      ["hpc", "ai", "general", "memory", "network", "balance", "efficiency"])
    XCTAssertEqual(
      Set(cses.profiles.keys), ["hpc-center", "ai-center", "fusion-center", "general"])
    XCTAssertEqual(cses.tier(hplRate: 1e11), "node")
    XCTAssertEqual(cses.tier(hplRate: 5e15), "medium")
    XCTAssertEqual(cses.tier(hplRate: 2e18), "large")
  }
}
