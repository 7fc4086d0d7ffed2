import Energy
import Foundation
import ReportFormat
import Signing
import XCTest

@testable import Benchmarks
@testable import Reports
@testable import Runner

final class VerificationTests: XCTestCase {
  func folder() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "suanli-verify-\(UUID().uuidString)"
    ).path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
  }

  func report() throws -> Report {
    var suite = try SuiteParser().parse(
      "name: small\nbenchmarks:\n  - { id: stream.triad, repeats: 3, parameters: { elements: 4096 } }\n  - { id: gemm.fp32, repeats: 2, parameters: { n: 33 } }\n",
      file: "small.yaml", sha256: String(repeating: "0", count: 64))
    try suite.apply(set: [])
    let node = try NodeDiscovery.discover(.host, clock: .given(2e9))
    let outcome = SuiteRunner(node: node, progress: { _ in }).run(suite)
    return ReportBuilder.report(
      suite: suite, center: "c", node: node, outcome: outcome, date: Date())
  }

  func testSignedReportVerifiesAndAuditsClean() throws {
    let dir = try folder()
    _ = try KeyFiles.generate(folder: dir, name: "center-a")
    let key = try KeyFiles.loadPrivate(path: dir + "/private-key.pem").0
    let path = dir + "/r.json"
    try ReportBuilder.write(try report(), to: path, key: key)
    let (verdict, good) = ReportVerification.verify(
      path: path, trust: TrustStore(folder: dir + "/trusted"), requireTrusted: true)
    XCTAssertTrue(good, verdict)
    XCTAssertTrue(verdict.hasPrefix("valid, trusted key"), verdict)
    XCTAssertTrue(verdict.hasSuffix("(center-a)"), verdict)
    try SchemaCheck.assertValid(path)
    let decoded = try ReportAudit.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    XCTAssertEqual(decoded.signature?.keyId, key.publicKey.keyID)
  }

  func testAuditCatchesNumbersThatDoNotFollowFromTheSamples() throws {
    var doctored = try report()
    XCTAssertEqual(ReportAudit.problems(doctored), [])
    let index = doctored.results.firstIndex { $0.id == "gemm.fp32" }!
    let rate = doctored.results[index].metrics.firstIndex { $0.name == "rate" }!
    doctored.results[index].metrics[rate].value *= 1.1
    XCTAssertTrue(ReportAudit.problems(doctored).first?.contains("rate") ?? false)

    var samples = try report()
    samples.results[0].samples[0] /= 2
    XCTAssertTrue(ReportAudit.problems(samples).contains { $0.contains("statistics do not match") })

    var flags = try report()
    flags.results[0].valid = false
    XCTAssertTrue(ReportAudit.problems(flags).contains { $0.contains("valid=false but status=ok") })
  }

  /// Energy metrics follow from the energy reading: a doctored power, a package's flops per
  /// joule passed off as a node's, or energy metrics with no reading are all caught.
  func testAuditRecomputesEnergyMetricsFromTheReading() throws {
    var report = try self.report()
    let index = report.results.firstIndex { $0.id == "gemm.fp32" }!
    func reading(nodeWide: Bool) -> EnergyRecord {
      EnergyRecord(
        primary: EnergyReading(
          scope: nodeWide ? "node-bmc" : "cpu-package", nodeWide: nodeWide, joules: 120,
          seconds: 2, sources: ["x"], method: "m", readings: 20, interval: 0.1),
        others: [], dropped: [])
    }
    report.results[index] = EnergySession.attach(
      reading(nodeWide: false), to: report.results[index], requireScope: nil)
    XCTAssertEqual(ReportAudit.problems(report), [])
    XCTAssertNotNil(report.results[index].metric("flopsPerJoule(cpu-package)"))

    var doctored = report
    let power = doctored.results[index].metrics.firstIndex {
      $0.name == "averagePower(cpu-package)"
    }!
    doctored.results[index].metrics[power].value = 30
    XCTAssertTrue(
      ReportAudit.problems(doctored).contains {
        $0.contains("averagePower(cpu-package) 30.0 is not 60.0")
      }, "\(ReportAudit.problems(doctored))")

    var promoted = report
    for m in promoted.results[index].metrics.indices {
      promoted.results[index].metrics[m].name = promoted.results[index].metrics[m].name
        .replacingOccurrences(of: "(cpu-package)", with: "")
    }
    XCTAssertTrue(
      ReportAudit.problems(promoted).contains { $0.contains("flopsPerJoule: not a metric") },
      "\(ReportAudit.problems(promoted))")

    var orphan = report
    orphan.results[index].energy = nil
    XCTAssertTrue(
      ReportAudit.problems(orphan).contains { $0.contains("without an energy reading") })
  }

  func testUnsignedTruncatedAndForeignVersionsAreReported() throws {
    let dir = try folder()
    let unsigned = dir + "/u.json"
    try ReportBuilder.write(try report(), to: unsigned)
    XCTAssertEqual(
      ReportVerification.verify(
        path: unsigned, trust: TrustStore(names: [:]), requireTrusted: false
      ).0, "unsigned")
    let bytes = try Data(contentsOf: URL(fileURLWithPath: unsigned))
    let truncated = dir + "/t.json"
    try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
    let (verdict, good) = ReportVerification.verify(
      path: truncated, trust: TrustStore(names: [:]), requireTrusted: false)
    XCTAssertFalse(good)
    XCTAssertTrue(verdict.hasPrefix("INVALID: not valid JSON"), verdict)
    let future = dir + "/v3.json"
    try Data(#"{"schemaVersion": 3, "anything": true}"#.utf8).write(
      to: URL(fileURLWithPath: future))
    XCTAssertTrue(
      ReportVerification.verify(path: future, trust: TrustStore(names: [:]), requireTrusted: false)
        .0.contains("schemaVersion: 3 is not supported"))
    XCTAssertEqual(
      ReportVerification.verify(
        path: dir + "/missing.json", trust: TrustStore(names: [:]), requireTrusted: false
      ).0, "INVALID: cannot be read: No such file or directory")
    // A report past the limit is refused without being read (a sparse file: no disk used).
    let huge = dir + "/huge.json"
    XCTAssertTrue(FileManager.default.createFile(atPath: huge, contents: Data()))
    XCTAssertEqual(truncate(huge, off_t(ReportVerification.maximumBytes + 1)), 0)
    XCTAssertEqual(
      ReportVerification.verify(path: huge, trust: TrustStore(names: [:]), requireTrusted: false)
        .0, "INVALID: is larger than 64 MiB")
  }
}
