import Crypto
import Foundation
import Measurement
import ReportFormat

/// `suanli import`: another tool's log as an ordinary report whose every result says it was
/// imported, with every check the log allowed. Never a measurement: the report's `imported`
/// block and each result's `imported` figure say so wherever the report is read.
public enum Importer {
  /// What the user states beside the log.
  public struct Claims: Sendable {
    public var center: String
    /// Free text the user gives about the machine ("2× EPYC 9654, 1.5 TB"): recorded as theirs.
    public var hardware: String?

    public init(center: String, hardware: String? = nil) {
      self.center = center
      self.hardware = hardware
    }
  }

  /// Logs up to this size are embedded in the report.
  public static let embeddedLimit = 1 << 20

  /// Parses `bytes` (the file `file`) with `format` ("auto": by its signature lines).
  /// `machine`: the node the log ran on, from a topology file the user gives (`--topology`):
  /// recorded as the report's node and as the user's claim, it makes the checks that need the
  /// machine checkable (STREAM's arrays against 4× the last-level caches).
  public static func report(
    bytes: [UInt8], file: String, format: String, claims: Claims, tool: Report.Tool,
    software: Software, importedAt: String, machine: NodeRecord? = nil
  ) throws(ImportError) -> Report {
    let name = URL(fileURLWithPath: file).lastPathComponent
    let log = try LogText(bytes: bytes, file: file)
    let parser: any LogFormat.Type
    if format == "auto" {
      guard let found = LogFormats.detect(log) else {
        throw ImportError(
          file: file,
          "no known log format (\(LogFormats.ids.joined(separator: ", "))) recognised by its signature lines; name one with FORMAT"
        )
      }
      parser = found
    } else {
      guard let named = LogFormats.named(format) else {
        throw ImportError(
          file: file,
          "unknown format \"\(format)\" (known: auto, \(LogFormats.ids.joined(separator: ", ")))")
      }
      guard named.detect(log) else {
        throw ImportError(file: file, "does not look like \(format) output (its signature lines are missing)")
      }
      parser = named
    }
    var parsed = try parser.parse(log)
    if let machine { parsed = withMachine(parsed, machine) }
    let source = [parsed.tool, parsed.toolVersion].compactMap { $0 }.joined(separator: " ")

    var allChecks = parsed.checks
    var results: [BenchmarkResult] = []
    for item in parsed.results {
      if let wild = item.metrics.first(where: { !$0.value.isFinite }) {
        throw ImportError(file: file, "\(item.id) \(wild.name): a value beyond the range of a double")
      }
      let own = item.checks.map { check -> ImportCheck in
        var check = check
        check.result = item.id
        return check
      }
      allChecks += own
      let every = own + parsed.checks
      let failed = every.filter { $0.status == .failed }
      let verifying = item.verifying ?? Set(own.map(\.id))
      let verified = own.contains { $0.status == .passed && verifying.contains($0.id) }
      let validity: ImportedFigure.Validity =
        !failed.isEmpty ? .failed : verified ? .verifiedFromLog : .claimedByLog
      let passedCount = every.filter { $0.status == .passed }.count
      let unchecked = every.filter { $0.status == .notCheckable }.count
      let detail =
        failed.isEmpty
        ? "\(passedCount) of \(every.count) checks passed, \(unchecked) not checkable from the log"
        : failed.map { "\($0.id): \($0.detail)" }.joined(separator: "; ")
      var result = BenchmarkResult(
        id: item.id, status: failed.isEmpty ? .ok : .invalid, parameters: item.parameters,
        samples: item.samples, sampleUnit: .seconds, warmupSamples: [], metrics: item.metrics,
        validation: Validation(
          check: "imported from \(source): the checks its log allows",
          passed: failed.isEmpty, value: nil, bound: nil, detail: detail),
        summary: item.summary,
        notes: ["imported from \(source) (\(name)), not re-run by Suanli"] + item.notes)
      result.scope = item.scope
      result.imported = ImportedFigure(validity: validity, source: source)
      if validity == .claimedByLog {
        result.notes.append(
          "claimed by the log: nothing in it verifies the value (\(own.filter { $0.status == .notCheckable }.map(\.detail).joined(separator: "; ")))"
        )
      }
      results.append(result)
    }

    let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    var claimsRecord = ["center": "user"]
    claimsRecord["hardware"] = claims.hardware.map { "user: \($0)" } ?? "unknown (the log does not say)"
    if let machine {
      claimsRecord["topology"] =
        "user: the topology file \(machine.hostname) describes the node the log ran on (not the log's statement)"
    }
    let record = ImportRecord(
      tool: parsed.tool, toolVersion: parsed.toolVersion, parser: "\(parser.id)@\(parser.version)",
      file: name, bytes: bytes.count, sha256: digest,
      log: bytes.count <= embeddedLimit ? log.text : nil, importedAt: importedAt,
      claims: claimsRecord, checks: allChecks)
    var report = Report(
      tool: tool, center: claims.center, createdAt: importedAt, complete: true,
      nodes: machine.map { [$0] } ?? [],
      software: software,
      suite: SuiteRecord(
        name: "import", description: "imported from \(source): \(name)", file: name,
        sha256: digest, timeBudgetSeconds: nil, overrides: []),
      results: results,
      notes: parsed.notes + [
        "imported from \(source) (\(name), sha256 \(digest.prefix(16))…) by \(parser.id)@\(parser.version): not re-run by Suanli; a signature on this report vouches for what the log contained and the checks it passed, not for the figures' truth"
      ])
    report.imported = record
    return report
  }

  /// The checks a log leaves to the machine, made with the machine the user named: STREAM's
  /// rule, each array at least 4 times the last-level caches together.
  static func withMachine(_ parsed: ParsedLog, _ machine: NodeRecord) -> ParsedLog {
    var parsed = parsed
    let caches = machine.topology.caches
    guard let level = caches.map(\.level).max() else { return parsed }
    let llc = caches.filter { $0.level == level }.reduce(0) { $0 + $1.sizeBytes * $1.count }
    for index in parsed.results.indices where parsed.results[index].id.hasPrefix("stream.") {
      let parameters = parsed.results[index].parameters
      guard case .int(let elements)? = parameters["elements"],
        case .int(let size)? = parameters["bytesPerElement"], llc > 0
      else { continue }
      let bytes = elements * size
      let check = ImportCheck.check(
        "stream.arraySize", bytes >= 4 * llc,
        "arrays of \(bytes) B against 4 × \(llc) B of level-\(level) cache in the topology file: \(bytes >= 4 * llc ? "at least" : "below") STREAM's rule")
      parsed.checks.removeAll { $0.id == "stream.arraySize" }
      parsed.results[index].checks.removeAll { $0.id == "stream.arraySize" }
      parsed.results[index].checks.append(check)
      parsed.results[index].verifying = (parsed.results[index].verifying
        ?? Set(parsed.results[index].checks.map(\.id))).subtracting(["stream.arraySize"])
    }
    return parsed
  }
}
