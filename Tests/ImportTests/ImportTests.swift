import Foundation
import Measurement
import ReportFormat
import XCTest

@testable import Import

/// The importers against real logs (Fixtures/SOURCES.md says how each was made) and against
/// copies tampered with the ways people tamper: a residual changed, a PASSED added, a rate
/// inflated, a validation line removed.
final class ImportTests: XCTestCase {
  static let hpcgFixture = "hpcg-3.1-2ranks.txt"

  func fixture(_ name: String) throws -> String {
    let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil))
    return try String(contentsOf: url, encoding: .utf8)
  }

  func importing(_ text: String, format: String = "auto", file: String = "log.txt") throws -> Report {
    try Importer.report(
      bytes: Array(text.utf8), file: file, format: format,
      claims: .init(center: "C", hardware: "2 cores"),
      tool: .init(name: "suanli", version: "0", gitCommit: "x", buildISA: []),
      software: Software(
        os: "", kernel: "", compiler: "", blas: nil, mpi: nil, hwloc: "", environment: [:]),
      importedAt: "2026-12-01T00:00:00Z")
  }

  func check(_ report: Report, _ id: String, result: String? = nil) -> ImportCheck? {
    report.imported?.checks.first { $0.id == id && (result == nil || $0.result == result) }
  }

  func metric(_ result: BenchmarkResult, _ name: String, size: Int? = nil) -> Double? {
    result.metrics.first { $0.name == name && $0.size == size }?.value
  }

  // MARK: HPL

  func testNetlibHPLEveryResultLineWithItsChecks() throws {
    let report = try importing(try fixture("hpl-2.3-1x2.txt"))
    XCTAssertEqual(report.imported?.parser, "hpl@1")
    XCTAssertEqual(report.imported?.tool, "HPL")
    XCTAssertEqual(report.imported?.toolVersion, "2.3")
    XCTAssertEqual(report.results.map(\.id), ["hpl.fp64", "hpl.fp64"])
    XCTAssertEqual(report.results.map(\.status), [.ok, .ok])
    XCTAssertEqual(report.results.map { $0.imported?.validity }, [.verifiedFromLog, .verifiedFromLog])
    let second = report.results[1]
    XCTAssertEqual(second.parameters["n"], .int(3000))
    XCTAssertEqual(second.parameters["variant"], .string("WR11C2R4"))
    XCTAssertEqual(second.scope, .job)
    XCTAssertEqual(try XCTUnwrap(metric(second, "rate")), 5.9933e10, accuracy: 1)
    XCTAssertEqual(try XCTUnwrap(metric(second, "residual")), 3.51297268e-03, accuracy: 1e-12)
    XCTAssertEqual(second.samples, [0.30])
    for id in ["hpl.passed", "hpl.threshold", "hpl.residual", "hpl.eps", "hpl.rate.recomputed"] {
      XCTAssertEqual(check(report, id)?.status, .passed, id)
    }
    XCTAssertEqual(check(report, "hpl.residual.recomputed")?.status, .notCheckable)
    XCTAssertEqual(check(report, "hpl.closing")?.status, .passed)
    XCTAssertTrue(report.imported?.log?.hasPrefix("=") ?? false, "the log is embedded")
    XCTAssertEqual(report.imported?.claims["hardware"], "user: 2 cores")
    XCTAssertTrue(report.notes.last?.contains("not re-run by Suanli") ?? false)
  }

  func testTamperedHPLLogsFailTheirChecks() throws {
    let log = try fixture("hpl-2.3-1x2.txt")
    // The rate inflated by 10 %: the recomputation from N and Time catches it.
    let inflated = try importing(log.replacingOccurrences(of: "5.9933e+01", with: "6.5926e+01"))
    XCTAssertEqual(inflated.results[1].status, .invalid)
    XCTAssertEqual(inflated.results[1].imported?.validity, .failed)
    XCTAssertEqual(check(inflated, "hpl.rate.recomputed")?.status, .passed, "the first line is intact")
    XCTAssertTrue(
      inflated.imported!.checks.contains { $0.id == "hpl.rate.recomputed" && $0.status == .failed })
    // A failing residual edited to pass its verdict, but not its value.
    let residual = try importing(
      log.replacingOccurrences(of: "3.51297268e-03 ...... PASSED", with: "3.51297268e+01 ...... PASSED"))
    XCTAssertEqual(residual.results[1].status, .invalid)
    XCTAssertTrue(residual.results[1].validation!.detail.contains("hpl.residual"))
    // A PASSED added where HPL ran without checking: the closing lines still say unchecked.
    let unchecked = try fixture("hpl-2.3-unchecked.txt")
    let plain = try importing(unchecked)
    XCTAssertEqual(plain.results.map(\.status), [.invalid, .invalid])
    XCTAssertTrue(plain.results[0].validation!.detail.contains("without checking"))
    let forged = try importing(
      unchecked.replacingOccurrences(
        of: "             3.1784e+01\n",
        with: "             3.1784e+01\n||Ax-b||_oo/(eps*(||A||_oo*||x||_oo+||b||_oo)*N)=   3.67900133e-03 ...... PASSED\n"))
    XCTAssertEqual(forged.results[0].status, .invalid, "no threshold printed, closing lines disagree")
    XCTAssertEqual(check(forged, "hpl.closing")?.status, .failed)
    // A threshold raised to let a bad run through.
    let lax = try importing(
      log.replacingOccurrences(
        of: "scaled residuals are less than                16.0",
        with: "scaled residuals are less than              1000.0"))
    XCTAssertEqual(check(lax, "hpl.threshold")?.status, .failed)
    XCTAssertTrue(lax.results.allSatisfy { $0.status == .invalid })
  }

  func testVendorSpacingAndFailedTestsWithNorms() throws {
    // An Intel-style T/V code with a space, five-digit mantissas, and the norms HPL prints after
    // a failed test: the residual is recomputed from them (here 1/10 of the printed value).
    let text = """
      HPLinpack 2.3  --  High-Performance Linpack benchmark  --   December 2, 2018
      - The relative machine precision (eps) is taken to be               1.110223e-16
      - Computational tests pass if scaled residuals are less than                16.0
      T/V                N    NB     P     Q               Time                 Gflops
      WRC07R8C48c 211   1000   192     1     1               0.03             2.22917e+01
      ||Ax-b||_oo/(eps*(||A||_oo*||x||_oo+||b||_oo)*N)=   2.50000000e+01 ...... FAILED
      ||Ax-b||_oo  . . . . . . . . . . . . . . . . . =        6.94e-11
      ||A||_oo . . . . . . . . . . . . . . . . . . . =        250.0
      ||x||_oo . . . . . . . . . . . . . . . . . . . =        1.0
      ||b||_oo . . . . . . . . . . . . . . . . . . . =        0.5
      Finished      1 tests with the following results:
                    0 tests completed and passed residual checks,
                    1 tests completed and failed residual checks,
                    0 tests skipped because of illegal input values.
      """
    let report = try importing(text, format: "hpl")
    XCTAssertEqual(report.results[0].parameters["variant"], .string("WRC07R8C48c 211"))
    XCTAssertEqual(report.results[0].status, .invalid)
    XCTAssertEqual(check(report, "hpl.passed")?.status, .failed)
    let recomputed = try XCTUnwrap(check(report, "hpl.residual.recomputed"))
    XCTAssertEqual(recomputed.status, .failed, recomputed.detail)
    XCTAssertTrue(recomputed.detail.contains("= 2.495"), recomputed.detail)
    XCTAssertEqual(check(report, "hpl.closing")?.status, .passed)
  }

  // MARK: hpcc

  func testHPCCSummaryAndSectionsAgree() throws {
    let report = try importing(try fixture("hpcc-1.5.0-2ranks.txt"))
    XCTAssertEqual(report.imported?.parser, "hpcc@1")
    XCTAssertEqual(report.imported?.toolVersion, "1.5.0f")
    XCTAssertEqual(
      report.results.map(\.id),
      [
        "hpl.fp64", "hpcc.dgemm", "hpcc.stream", "hpcc.ptrans", "hpcc.randomaccess", "hpcc.fft",
        "hpcc.pingpong", "hpcc.ring",
      ])
    XCTAssertTrue(report.results.allSatisfy { $0.status == .ok }, "\(report.results.map(\.notes))")
    let hpl = report.results[0]
    XCTAssertEqual(try XCTUnwrap(metric(hpl, "rate")), 0.0608038e12, accuracy: 1e3)
    XCTAssertEqual(hpl.imported?.validity, .verifiedFromLog)
    let recomputed = try XCTUnwrap(check(report, "hpl.residual.recomputed"))
    XCTAssertEqual(recomputed.status, .passed, recomputed.detail)
    XCTAssertEqual(check(report, "hpl.rate.summary")?.status, .passed)
    XCTAssertEqual(check(report, "hpcc.success")?.status, .passed)
    XCTAssertEqual(check(report, "stream.validates")?.status, .passed)
    XCTAssertEqual(
      report.imported?.checks.filter { $0.id == "stream.rate.recomputed" }.map(\.status),
      [.passed, .passed, .passed, .passed])
    XCTAssertEqual(report.results[2].imported?.validity, .verifiedFromLog)
    XCTAssertEqual(report.results[4].metrics.first?.unit, .updatesPerSecond)
    XCTAssertEqual(report.results[6].imported?.validity, .claimedByLog, "nothing checks a ping-pong")
    XCTAssertTrue(report.results[6].notes.contains { $0.hasPrefix("claimed by the log") })
  }

  func testTamperedHPCCLogsFail() throws {
    let log = try fixture("hpcc-1.5.0-2ranks.txt")
    // The summary's rate inflated.
    let rate = try importing(log.replacingOccurrences(of: "HPL_Tflops=0.0608038", with: "HPL_Tflops=0.0708038"))
    XCTAssertEqual(rate.results[0].status, .invalid)
    XCTAssertEqual(check(rate, "hpl.rate.summary")?.status, .failed)
    // The printed residual changed: the summary's norms disagree.
    let residual = try importing(
      log.replacingOccurrences(of: "=        0.0035130 ...... PASSED", with: "=        0.0015130 ...... PASSED"))
    XCTAssertEqual(check(residual, "hpl.residual.recomputed")?.status, .failed)
    XCTAssertEqual(residual.results[0].status, .invalid)
    // Success=0: every figure of the run is invalid.
    let failed = try importing(log.replacingOccurrences(of: "Success=1", with: "Success=0"))
    XCTAssertTrue(failed.results.allSatisfy { $0.status == .invalid })
    // STREAM's validation removed.
    let stream = try importing(
      log.replacingOccurrences(of: "Solution Validates", with: "Solution Validated"))
    XCTAssertEqual(stream.results[2].status, .invalid)
    // The summary cut off.
    XCTAssertThrowsError(
      try importing(String(log.prefix(upTo: log.range(of: "End of Summary section.")!.lowerBound))))
    { error in
      XCTAssertTrue(String(describing: error).contains("the log is cut"), "\(error)")
    }
  }

  // MARK: STREAM

  func testStreamRatesRecomputeFromTheArraySize() throws {
    let report = try importing(try fixture("stream-5.10-2threads.txt"))
    XCTAssertEqual(report.imported?.parser, "stream@1")
    XCTAssertEqual(report.imported?.toolVersion, "5.10")
    XCTAssertEqual(report.results.map(\.id), ["stream.copy", "stream.scale", "stream.add", "stream.triad"])
    XCTAssertTrue(report.results.allSatisfy { $0.status == .ok && $0.imported?.validity == .verifiedFromLog })
    XCTAssertEqual(try XCTUnwrap(metric(report.results[3], "bandwidth")), 19120.4e6, accuracy: 1)
    XCTAssertEqual(report.results[3].parameters["threads"], .int(2))
    XCTAssertEqual(check(report, "stream.clockTicks")?.status, .passed)
    XCTAssertEqual(check(report, "stream.arraySize")?.status, .notCheckable)

    let log = try fixture("stream-5.10-2threads.txt")
    let inflated = try importing(log.replacingOccurrences(of: "19120.4", with: "21120.4"))
    XCTAssertEqual(inflated.results.map(\.status), [.ok, .ok, .ok, .invalid])
    let unvalidated = try importing(
      log.replacingOccurrences(of: "Solution Validates", with: "Solution validates"))
    XCTAssertTrue(unvalidated.results.allSatisfy { $0.status == .invalid })
    let short = try importing(log.replacingOccurrences(of: "(= 13546 clock ticks)", with: "(= 12 clock ticks)"))
    XCTAssertEqual(check(short, "stream.clockTicks")?.status, .failed)
  }

  // MARK: OSU

  func testOSUTablesOfBothGenerations() throws {
    let latency = try importing(try fixture("osu-5.3-latency.txt"))
    XCTAssertEqual(latency.imported?.toolVersion, "5.3")
    XCTAssertEqual(latency.results.map(\.id), ["mpi.pingpong"])
    let pingpong = latency.results[0]
    XCTAssertEqual(pingpong.status, .ok)
    XCTAssertEqual(pingpong.imported?.validity, .claimedByLog, "OSU without -c checks nothing")
    XCTAssertEqual(try XCTUnwrap(metric(pingpong, "latency", size: 0)), 0.16e-6, accuracy: 1e-12)
    XCTAssertEqual(check(latency, "osu.validation")?.status, .notCheckable)

    let validated = try importing(try fixture("osu-7.4-latency-validated.txt"))
    XCTAssertEqual(validated.imported?.toolVersion, "7.4")
    XCTAssertEqual(validated.results[0].imported?.validity, .verifiedFromLog)
    XCTAssertEqual(try XCTUnwrap(metric(validated.results[0], "latency", size: 1)), 0.51e-6, accuracy: 1e-12)

    let bw = try importing(try fixture("osu-7.4-bw.txt"))
    XCTAssertEqual(bw.results.map(\.id), ["mpi.bw"])
    XCTAssertEqual(try XCTUnwrap(metric(bw.results[0], "bandwidth", size: 1)), 5.93e6, accuracy: 1)
    XCTAssertEqual(try importing(try fixture("osu-7.4-bibw.txt")).results.map(\.id), ["mpi.bibw"])
    XCTAssertEqual(try importing(try fixture("osu-5.3-bw.txt")).results.map(\.id), ["mpi.bw"])
    XCTAssertEqual(try importing(try fixture("osu-7.4-allreduce.txt")).results.map(\.id), ["mpi.allreduce"])
    XCTAssertEqual(try importing(try fixture("osu-7.4-latency.txt")).results[0].metrics.count, 17)

    // A Fail in the Validation column; rows out of order.
    let log = try fixture("osu-7.4-latency-validated.txt")
    let failing = try importing(
      log.replacingOccurrences(of: "0.59              Pass", with: "0.59              Fail"))
    XCTAssertEqual(failing.results[0].status, .invalid)
    let shuffled = try importing(log.replacingOccurrences(of: "\n2  ", with: "\n200  "))
    XCTAssertEqual(check(shuffled, "osu.sizes")?.status, .failed)
  }

  // MARK: nccl-tests

  func testNCCLTestsRowsRecomputeFromSizeTimeAndRanks() throws {
    let log = try fixture("nccl-tests-2.17.1-allreduce-8gh200.txt")
    let report = try importing(log)
    XCTAssertEqual(report.imported?.parser, "nccl-tests@1")
    XCTAssertEqual(report.results.map(\.id), ["nccl.allreduce"])
    let result = report.results[0]
    XCTAssertEqual(result.status, .ok, result.validation?.detail ?? "")
    XCTAssertEqual(result.imported?.validity, .verifiedFromLog)
    XCTAssertEqual(result.parameters["ranks"], .int(8))
    XCTAssertEqual(try XCTUnwrap(metric(result, "busbw", size: 134_217_728)), 122.57e9, accuracy: 1)
    XCTAssertEqual(try XCTUnwrap(metric(result, "time", size: 8)), 17.93e-6, accuracy: 1e-12)
    for id in ["nccl.wrong", "nccl.outOfBounds", "nccl.algbw.recomputed", "nccl.busbw.recomputed"] {
      XCTAssertEqual(check(report, id)?.status, .passed, "\(id): \(check(report, id)?.detail ?? "")")
    }
    XCTAssertFalse(result.metrics.contains { $0.value == 19.7866e9 }, "the average is never imported")

    // busbw inflated at the largest size; a wrong element; the out-of-bounds line gone; the
    // rank list cut to 4 (busbw then no longer matches the factor for 8).
    let inflated = try importing(
      log.replacingOccurrences(of: "70.04  122.57", with: "70.04  142.57"))
    XCTAssertEqual(check(inflated, "nccl.busbw.recomputed")?.status, .failed)
    XCTAssertEqual(inflated.results[0].status, .invalid)
    let wrong = try importing(
      log.replacingOccurrences(of: "1916.4   70.04  122.57      0", with: "1916.4   70.04  122.57      3"))
    XCTAssertEqual(check(wrong, "nccl.wrong")?.status, .failed)
    let cut = try importing(
      log.replacingOccurrences(of: "# Out of bounds values : 0 OK\n", with: ""))
    XCTAssertEqual(cut.results[0].status, .invalid)
    let fewer = log.split(separator: "\n", omittingEmptySubsequences: false)
      .filter { !($0.contains("Pid 15525") ) }.joined(separator: "\n")
    XCTAssertEqual(check(try importing(fewer), "nccl.busbw.recomputed")?.status, .failed)
    // Unchecked data (-c 0) is not verified; a log that does not name its test needs a name.
    let uncheckedLog = log.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      var fields = line.split(separator: " ").map(String.init)
      guard fields.count == 13, Int(fields[0]) != nil else { return String(line) }
      fields[8] = "N/A"
      fields[12] = "N/A"
      return fields.joined(separator: " ")
    }.joined(separator: "\n")
    let unchecked = try importing(uncheckedLog)
    XCTAssertEqual(check(unchecked, "nccl.wrong")?.status, .notCheckable)
    let anonymous = log.replacingOccurrences(
      of: "# Collective test starting: all_reduce_perf\n", with: "")
    XCTAssertThrowsError(try importing(anonymous, file: "run.log")) {
      XCTAssertTrue(String(describing: $0).contains("does not name its test"), "\($0)")
    }
    XCTAssertEqual(try importing(anonymous, file: "all_reduce_perf.log").results[0].id, "nccl.allreduce")
    // mpirun --tag-output prefixes.
    let tagged = log.split(separator: "\n").map { "[1,0]<stdout>:" + $0 }.joined(separator: "\n")
    XCTAssertEqual(try importing(tagged).results[0].status, .ok)
  }

  /// nccl-tests' JSON (-J): the same checks as the text, at the JSON's six decimals. The
  /// fixture is constructed (see Fixtures/SOURCES.md): the CSCS run's rows in util.cu's layout.
  func testNCCLTestsJSONRowsRecomputeAndTamperingFails() throws {
    let log = try fixture("nccl-tests-allreduce-8gh200-constructed.json")
    let report = try importing(log, file: "allreduce.json")
    XCTAssertEqual(report.imported?.parser, "nccl-tests-json@1")
    XCTAssertEqual(report.results.map(\.id), ["nccl.allreduce"])
    let result = report.results[0]
    XCTAssertEqual(result.status, .ok, result.validation?.detail ?? "")
    XCTAssertEqual(result.imported?.validity, .verifiedFromLog)
    XCTAssertEqual(result.parameters["ranks"], .int(8))
    XCTAssertEqual(try XCTUnwrap(metric(result, "busbw", size: 134_217_728)), 122.563674e9, accuracy: 1)
    XCTAssertEqual(try XCTUnwrap(metric(result, "time", size: 8)), 17.93e-6, accuracy: 1e-12)
    for id in ["nccl.wrong", "nccl.outOfBounds", "nccl.algbw.recomputed", "nccl.busbw.recomputed"] {
      XCTAssertEqual(check(report, id)?.status, .passed, "\(id): \(check(report, id)?.detail ?? "")")
    }
    XCTAssertFalse(result.metrics.contains { $0.value == 19.7866e9 }, "the average is never imported")
    // busbw inflated by 0.1 % at the largest size (well past six decimals): caught.
    let inflated = try importing(log.replacingOccurrences(of: "\"bus_bw\":122.563674", with: "\"bus_bw\":122.686238"))
    XCTAssertEqual(check(inflated, "nccl.busbw.recomputed")?.status, .failed)
    XCTAssertTrue(check(inflated, "nccl.busbw.recomputed")?.detail.contains("results [24]") ?? false)
    XCTAssertEqual(inflated.results[0].status, .invalid)
    let faster = try importing(log.replacingOccurrences(of: "\"time\":1916.400000", with: "\"time\":1816.400000"))
    XCTAssertEqual(check(faster, "nccl.algbw.recomputed")?.status, .failed)
    let wrong = try importing(log.replacingOccurrences(of: "\"nwrong\":0.000000}", with: "\"nwrong\":3.000000}"))
    XCTAssertEqual(check(wrong, "nccl.wrong")?.status, .failed)
    let bounds = try importing(log.replacingOccurrences(of: "\"out_of_bounds\":{\"count\":0,\"okay\":\"true\"}", with: "\"out_of_bounds\":{\"count\":2,\"okay\":\"false\"}"))
    XCTAssertEqual(check(bounds, "nccl.outOfBounds")?.status, .failed)
    let unchecked = try importing(log.replacingOccurrences(of: "\"nwrong\":0.000000", with: "\"nwrong\":null"))
    XCTAssertEqual(check(unchecked, "nccl.wrong")?.status, .notCheckable)
    // Bad input: one line naming the file and what was expected.
    XCTAssertThrowsError(try importing(String(log.dropLast(40)), file: "cut.json")) {
      XCTAssertTrue(String(describing: $0).hasPrefix("cut.json: not valid JSON"), "\($0)")
    }
    XCTAssertThrowsError(
      try importing(log.replacingOccurrences(of: "\"time\":17.930000", with: "\"time\":\"nan\""), file: "nan.json")
    ) {
      XCTAssertEqual(
        String(describing: $0),
        "nan.json: results[0].out_of_place: expected a positive time and non-negative alg_bw and bus_bw")
    }
  }

  // MARK: HPCG

  func testHPCGRatingRecomputesAndVAndVMustPass() throws {
    let log = try fixture(Self.hpcgFixture)
    let report = try importing(log)
    XCTAssertEqual(report.imported?.parser, "hpcg@1")
    XCTAssertEqual(report.imported?.toolVersion, "3.1")
    let result = try XCTUnwrap(report.results.first)
    XCTAssertEqual(result.id, "hpcg")
    XCTAssertEqual(result.status, .ok, result.validation?.detail ?? "")
    XCTAssertEqual(result.imported?.validity, .verifiedFromLog)
    for id in [
      "hpcg.valid", "hpcg.spectral.result", "hpcg.departure.result", "hpcg.iteration.result",
      "hpcg.reproducibility.result", "hpcg.rate.recomputed",
    ] {
      XCTAssertEqual(check(report, id)?.status, .passed, "\(id): \(check(report, id)?.detail ?? "-")")
    }
    XCTAssertEqual(result.parameters["official"], .bool(false))
    XCTAssertTrue(result.notes.contains { $0.hasPrefix("not an official HPCG run") }, "\(result.notes)")
    XCTAssertTrue(result.notes.contains { $0.hasPrefix("reference (unoptimized) kernels") })

    // The rating inflated; a V&V result flipped; the run declared INVALID.
    let rating = try XCTUnwrap(
      log.split(separator: "\n").first { $0.hasPrefix("Final Summary::HPCG result is VALID") })
    let value = try XCTUnwrap(Double(rating.split(separator: "=").last!))
    let inflated = try importing(
      log.replacingOccurrences(of: String(rating), with: "Final Summary::HPCG result is VALID with a GFLOP/s rating of=\(value * 1.2)"))
    XCTAssertEqual(check(inflated, "hpcg.rate.recomputed")?.status, .failed)
    XCTAssertEqual(inflated.results[0].status, .invalid)
    let symmetry = try importing(
      log.replacingOccurrences(of: "/epsilon::Result=PASSED", with: "/epsilon::Result=FAILED"))
    XCTAssertEqual(check(symmetry, "hpcg.departure.result")?.status, .failed)
    let invalid = try importing(
      log.replacingOccurrences(of: String(rating), with: "Final Summary::HPCG result is=INVALID."))
    XCTAssertEqual(invalid.results[0].status, .invalid)
    XCTAssertTrue(invalid.results[0].metrics.filter { $0.name == "rate" }.isEmpty, "no rating to import")
  }

  /// HPCG 3.0's indented shape reads the same way.
  func testHPCG30Shape() throws {
    let text = """
      HPCG-Benchmark version: 3.0
      Spectral Convergence Tests:
        Result: PASSED
      Departure from Symmetry |x'Ay-y'Ax|/(2*||x||*||A||*||y||)/epsilon:
        Result: PASSED
      Iteration Count Information:
        Result: PASSED
      Reproducibility Information:
        Result: PASSED
      Final Summary:
        HPCG result is VALID with a GFLOP/s rating of: 5.28937
      """
    let report = try importing(text, format: "hpcg")
    XCTAssertEqual(report.results[0].status, .ok, report.results[0].validation?.detail ?? "")
    XCTAssertEqual(try XCTUnwrap(metric(report.results[0], "rate")), 5.28937e9, accuracy: 1)
    XCTAssertEqual(check(report, "hpcg.rate.recomputed")?.status, .notCheckable)
  }

  // MARK: NVIDIA

  func testNVIDIAHPLRecomputesTheResidualFromItsNorms() throws {
    let log = try fixture("nvidia-hpl-8gh200-excerpt.txt")
    let report = try importing(log)
    XCTAssertEqual(report.imported?.parser, "nvidia-hpl@1")
    let hpl = try XCTUnwrap(report.results.first)
    XCTAssertEqual(hpl.id, "hpl.fp64")
    XCTAssertEqual(hpl.status, .ok, hpl.validation?.detail ?? "")
    XCTAssertEqual(hpl.parameters["variant"], .string("WC0"))
    XCTAssertEqual(try XCTUnwrap(metric(hpl, "rate")), 3.370e14, accuracy: 1e8)
    for id in ["hpl.passed", "hpl.rate.recomputed", "hpl.residual.recomputed", "hpl.perGPU"] {
      XCTAssertEqual(check(report, id)?.status, .passed, id)
    }
    // The residual printed smaller than the norms give; the per-GPU rate inflated.
    let residual = try importing(
      log.replacingOccurrences(of: "0.000550841189 ...... PASSED", with: "0.000050841189 ...... PASSED"))
    XCTAssertEqual(check(residual, "hpl.residual.recomputed")?.status, .failed)
    let perGPU = try importing(log.replacingOccurrences(of: "( 4.213e+04)", with: "( 5.213e+04)"))
    XCTAssertEqual(perGPU.results[0].status, .invalid)
  }

  func testNVIDIAHPLMxPImportsGFLOPSNeverLUGFLOPS() throws {
    let log = try fixture("nvidia-hpl-mxp-8a100-excerpt.txt")
    let report = try importing(log)
    XCTAssertEqual(report.imported?.parser, "nvidia-hpl-mxp@1")
    let mxp = try XCTUnwrap(report.results.first)
    XCTAssertEqual(mxp.id, "hplmxp")
    XCTAssertEqual(mxp.status, .ok, mxp.validation?.detail ?? "")
    XCTAssertEqual(mxp.metrics.map(\.name), ["rate"])
    XCTAssertEqual(try XCTUnwrap(metric(mxp, "rate")), 8.7877e14, accuracy: 1e9)
    XCTAssertEqual(mxp.parameters["lowPrecision"], .string("fp16"))
    XCTAssertTrue(mxp.notes.contains { $0.hasPrefix("LU GFLOPS is not imported") })
    XCTAssertEqual(check(report, "hplmxp.residual.recomputed")?.status, .passed)
    // Passing LU GFLOPS off as the result: the per-GPU figure no longer agrees.
    let lu = try importing(
      log.replacingOccurrences(of: "       GFLOPS = 8.7877e+05", with: "       GFLOPS = 1.7273e+06"))
    XCTAssertEqual(check(lu, "hplmxp.perGPU")?.status, .failed)
    XCTAssertEqual(lu.results[0].status, .invalid)
    let residual = try importing(
      log.replacingOccurrences(of: "4.477002E-04 ...... PASSED", with: "1.477002E-04 ...... PASSED"))
    XCTAssertEqual(check(residual, "hplmxp.residual.recomputed")?.status, .failed)
  }

  // MARK: input errors

  func testBadInputIsOneLineWithTheLine() throws {
    func message(_ text: String, format: String = "auto") -> String {
      do {
        _ = try importing(text, format: format, file: "x.log")
        return "imported"
      } catch { return String(describing: error) }
    }
    XCTAssertEqual(
      message("hello\n"),
      "x.log: no known log format (hpcc, nvidia-hpl, nvidia-hpl-mxp, hpl, stream, osu, nccl-tests-json, nccl-tests, hpcg) recognised by its signature lines; name one with FORMAT")
    XCTAssertEqual(
      message("hello\n", format: "nccl"),
      "x.log: unknown format \"nccl\" (known: auto, hpcc, nvidia-hpl, nvidia-hpl-mxp, hpl, stream, osu, nccl-tests-json, nccl-tests, hpcg)")
    XCTAssertTrue(message("hello\n", format: "hpl").contains("does not look like hpl output"))
    XCTAssertEqual(
      message("# OSU MPI Latency Test v7.4\n# Size Avg Latency(us)\n1 0.5\n2 nan\n"),
      "x.log:4: expected a positive latency after the size 2")
    XCTAssertEqual(
      message("# OSU MPI Put Latency Test v7.4\n1 0.5\n"),
      "x.log:1: \"OSU MPI Put Latency Test v7.4\" is not imported (osu_latency, osu_bw, osu_bibw and osu_allreduce are)")
    XCTAssertTrue(
      message("HPLinpack 2.3\nT/V N\nWR11C2R4 2000 128 1 2 1e999 4.0e+01\n").hasPrefix("x.log:3:"))
    XCTAssertEqual(
      message("STREAM version $Revision: 5.10 $\nCopy: 1 2 3\n"),
      "x.log:2: expected Copy: then 4 positive numbers (best rate MB/s, avg, min, max time)")
    XCTAssertThrowsError(
      try Importer.report(
        bytes: [0x48, 0xff, 0x0a], file: "bin", format: "auto", claims: .init(center: "C"),
        tool: .init(name: "s", version: "0", gitCommit: "x", buildISA: []),
        software: Software(
          os: "", kernel: "", compiler: "", blas: nil, mpi: nil, hwloc: "", environment: [:]),
        importedAt: "t")
    ) { XCTAssertEqual(String(describing: $0), "bin: not UTF-8 text (a log is text)") }
    let long = String(repeating: "x", count: 70_000)
    XCTAssertEqual(message("a\n" + long), "x.log:2: a line of 70000 bytes (at most 65536)")
  }

  /// Mutated logs (bit flips, truncation, spliced lines, huge numbers) give an error or a
  /// report, never a crash.
  func testMutatedLogsNeverCrash() throws {
    var generator = SystemRandomNumberGenerator()
    let hpcgFixture = Self.hpcgFixture
    let logs = try [
      "hpl-2.3-1x2.txt", "hpcc-1.5.0-2ranks.txt", "stream-5.10-2threads.txt",
      "osu-7.4-latency-validated.txt", "nccl-tests-2.17.1-allreduce-8gh200.txt", hpcgFixture,
      "nvidia-hpl-8gh200-excerpt.txt", "nvidia-hpl-mxp-8a100-excerpt.txt",
      "nccl-tests-allreduce-8gh200-constructed.json",
    ].map { Array(try fixture($0).utf8) }
    var outcomes = [0, 0]
    for round in 0..<2_000 {
      var bytes = logs[round % logs.count]
      switch round % 4 {
      case 0:
        for _ in 0..<8 {
          let i = Int.random(in: 0..<bytes.count, using: &generator)
          bytes[i] ^= UInt8(1 << Int.random(in: 0..<7, using: &generator))
        }
      case 1: bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator)))
      case 2:
        let a = Int.random(in: 0..<bytes.count, using: &generator)
        let b = Int.random(in: a..<bytes.count, using: &generator)
        bytes.insert(contentsOf: bytes[a..<b], at: Int.random(in: 0..<bytes.count, using: &generator))
      default:
        let i = Int.random(in: 0..<bytes.count, using: &generator)
        bytes.insert(contentsOf: Array("9e99999 -1 nan 1e308".utf8), at: i)
      }
      do {
        let report = try Importer.report(
          bytes: bytes, file: "m", format: "auto", claims: .init(center: "C"),
          tool: .init(name: "s", version: "0", gitCommit: "x", buildISA: []),
          software: Software(
            os: "", kernel: "", compiler: "", blas: nil, mpi: nil, hwloc: "", environment: [:]),
          importedAt: "t")
        XCTAssertFalse(report.results.isEmpty)
        for result in report.results {
          XCTAssertTrue(result.metrics.allSatisfy { $0.value.isFinite })
        }
        outcomes[0] += 1
      } catch {
        XCTAssertFalse(String(describing: error).contains("\n"))
        outcomes[1] += 1
      }
    }
    XCTAssertGreaterThan(outcomes[0], 0)
    XCTAssertGreaterThan(outcomes[1], 0)
  }
}
