import Kernels
import ReportFormat
import Topology
import XCTest

@testable import Benchmarks
@testable import Reports
@testable import Runner

final class PrecisionLadderTests: XCTestCase {
  func node() throws -> NodeProfile { try NodeDiscovery.discover(.host, clock: .given(2e9)) }

  func testEveryGEMMPrecisionRunsValidAndSaysHowItRan() throws {
    let suite = try SuiteParser().parse(
      """
      name: ladder
      benchmarks:
        - { id: gemm.fp64, repeats: 2, parameters: { n: 65 } }
        - { id: gemm.fp32, repeats: 2, parameters: { n: 65 } }
        - { id: gemm.fp16, repeats: 2, parameters: { n: 65, m: 31, k: 17 } }
        - { id: gemm.bf16, repeats: 2, parameters: { n: 65 } }
      """, file: "ladder.yaml", sha256: "")
    let outcome = SuiteRunner(node: try node(), progress: { _ in }).run(suite)
    XCTAssertEqual(outcome.results.map(\.id), ["gemm.fp64", "gemm.fp32", "gemm.fp16", "gemm.bf16"])
    for result in outcome.results {
      XCTAssertEqual(result.status, .ok, "\(result.id): \(result.notes)")
      XCTAssertNotNil(result.metric("rate"))
      XCTAssertNotNil(result.metric("efficiency"))
      XCTAssertEqual(result.samples.count, 2)
    }
    // BF16 runs natively where the build and CPU have AVX512-BF16 (the kernel says which ran).
    XCTAssertEqual(
      outcome.results.map(\.execution),
      ["native", "native", "emulated", GEMM.nativeBF16 ? "native" : "emulated"])
    XCTAssertEqual(outcome.results[2].parameters["m"], .int(31))
    let fp16 = outcome.results[2]
    XCTAssertEqual(
      fp16.metric("rate")!.value, 2.0 * 31 * 65 * 17 / fp16.samples.min()!, accuracy: 1e-3)
  }

  func testExecutionLabelsFollowTheISAAndTheKernelThatRan() {
    let plain = ISAFeatures(flags: ["avx2", "fma", "f16c"])
    let rich = ISAFeatures(flags: ["avx512f", "avx512_bf16", "avx512_fp16"])
    XCTAssertEqual(GEMMBenchmark.execution(.fp16, isa: plain, native: false).0, "emulated")
    XCTAssertTrue(
      GEMMBenchmark.execution(.fp16, isa: plain, native: false).1.contains("no FP16 arithmetic"))
    XCTAssertTrue(
      GEMMBenchmark.execution(.bf16, isa: rich, native: false).1.contains(
        "BF16 dot-product instructions Suanli's kernel does not use"))
    XCTAssertEqual(GEMMBenchmark.execution(.bf16, isa: rich, native: true).0, "native")
    XCTAssertEqual(GEMMBenchmark.execution(.fp64, isa: plain, native: true).0, "native")
  }

  /// `device:` beside an id: gemm.* only, a known selector, one entry per id and device.
  func testDeviceSelectorsAreCheckedWithTheLine() throws {
    func parse(_ body: String) throws -> Suite {
      try SuiteParser().parse("name: t\nbenchmarks:\n" + body, file: "t.yaml", sha256: "")
    }
    let both = try parse(
      "  - { id: gemm.fp16, parameters: { n: 64 } }\n  - { id: gemm.fp16, device: cuda:0 }\n  - { id: gemm.fp16, device: \"cuda:*\" }\n")
    XCTAssertEqual(both.entries.map { $0.values.string("device") }, ["cpu", "cuda:0", "cuda:*"])
    for (body, expected) in [
      ("  - { id: stream, device: cuda:0 }\n", "t.yaml:3: benchmarks[0].device: stream runs on the node's CPUs only"),
      ("  - { id: gemm.bf16, device: gpu0 }\n", "expected cpu, cuda:N or cuda:*"),
      ("  - { id: gemm.bf16, device: \"cuda:01\" }\n", "expected cpu, cuda:N or cuda:*"),
      ("  - { id: gemm.bf16, device: cuda:1 }\n  - { id: gemm.bf16, device: cuda:1 }\n", "gemm.bf16 measures gemm.bf16, which gemm.bf16 earlier in the suite measures too"),
    ] {
      XCTAssertThrowsError(try parse(body), body) {
        XCTAssertTrue(String(describing: $0).contains(expected), "\($0)")
      }
    }
  }

  func testBadPrecisionAndSizesAreRefused() throws {
    XCTAssertThrowsError(
      try SuiteParser().parse("name: t\nbenchmarks: [gemm.fp4]\n", file: "t.yaml", sha256: "")
    ) { XCTAssertTrue(String(describing: $0).contains("unknown benchmark id \"gemm.fp4\"")) }
    XCTAssertThrowsError(
      try SuiteParser().parse(
        "name: t\nbenchmarks:\n  - { id: hplmxp, parameters: { precision: fp8 } }\n",
        file: "t.yaml", sha256: "")
    ) { XCTAssertTrue(String(describing: $0).contains("one of fp32, fp16, bf16"), "\($0)") }
    XCTAssertThrowsError(
      try SuiteParser().parse(
        "name: t\nbenchmarks:\n  - { id: gemm.fp32, parameters: { n: 0 } }\n", file: "t.yaml",
        sha256: "")
    ) { XCTAssertTrue(String(describing: $0).contains("1...200000"), "\($0)") }
    var huge = try SuiteParser().parse(
      "name: t\nbenchmarks: [gemm.fp64, hplmxp]\n", file: "t.yaml", sha256: "")
    try huge.apply(set: ["gemm.fp64.n=200000"])
    XCTAssertThrowsError(try SuiteRunner(node: try node(), progress: { _ in }).preflight(huge)) {
      XCTAssertTrue(
        String(describing: $0).hasPrefix("gemm.fp64: m=200000 n=200000 k=200000 needs"), "\($0)")
    }
  }

  func testMxPRunsAndRecordsItsSpeedupOverHPLAtTheSameN() throws {
    let suite = try SuiteParser().parse(
      """
      name: mxp
      benchmarks:
        - { id: hpl.fp64, parameters: { n: 400, nb: 64 } }
        - { id: hplmxp, parameters: { n: 400, nb: 64 } }
      """, file: "mxp.yaml", sha256: "")
    let outcome = SuiteRunner(node: try node(), progress: { _ in }).run(suite)
    let mxp = try XCTUnwrap(outcome.results.last)
    XCTAssertEqual(mxp.status, .ok, "\(mxp.notes)")
    XCTAssertEqual(mxp.execution, "mixed")
    XCTAssertLessThan(try XCTUnwrap(mxp.metric("residual")).value, 16)
    XCTAssertNotNil(mxp.metric("iterations"))
    let speedup = try XCTUnwrap(mxp.metric("speedupOverHPL")).value
    let expected = mxp.metric("rate")!.value / outcome.results[0].metric("rate")!.value
    XCTAssertEqual(speedup, expected, accuracy: expected * 1e-12)
    XCTAssertTrue(mxp.summary?.contains("not an FP64 figure") ?? false)
  }

  func testNonConvergenceIsInvalidWithTheReason() throws {
    let stuck = MxPOutcome(
      n: 10, nb: 2, precision: .bf16, seconds: 1, factorSeconds: 0.5, refineSeconds: 0.5,
      iterations: 3, singularColumn: nil,
      check: HPLCheck(scaledResidual: 400, normA: 1, normX: 1, normB: 1, normR: 1),
      history: [900, 600, 500, 400])
    let result = MxPBenchmark.result(
      outcomes: [stuck], parameters: [:], placement: "p", maxIterations: 3)
    XCTAssertEqual(result.status, .invalid)
    XCTAssertNil(result.metric("rate"))
    XCTAssertTrue(
      result.notes.first?.contains("did not converge within 3 refinement steps") ?? false)
  }
}
