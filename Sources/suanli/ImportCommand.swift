import ArgumentParser
import Benchmarks
import Files
import Foundation
import Import
import Measurement
import ReportFormat
import Reports
import Signing
import Topology

struct ImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract:
      "Bring in results a center already has (HPL, hpcc, STREAM, OSU): checked as far as the log allows, labelled imported, never passed off as measured."
  )

  @Argument(help: "FORMAT (auto, or one of --list-formats), then the log files.")
  var arguments: [String] = []

  @Flag(name: .long, help: "List the formats and what each checks.")
  var listFormats = false

  @Option(name: .long, help: "The center the results belong to (your statement, recorded as such).")
  var center: String?

  @Option(name: .long, help: "What the machine was, in your words (recorded as your claim).")
  var hardware: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The node the log ran on, as an hwloc XML file (lstopo --of xml, or suanli topo --xml): recorded as your claim; checks STREAM's array rule.",
      valueName: "FILE"))
  var topology: String?

  @Option(name: .long, help: "The report file (one log only; default: under --results).")
  var output: String?

  @Option(name: .long, help: "Folder for reports.")
  var results = "results"

  @Option(name: .long, help: "Private key (default: the one `suanli keygen` wrote, when present).")
  var key: String?

  @Flag(name: .long, help: "Do not sign the report.")
  var noSign = false

  func run() throws {
    if listFormats {
      print("auto  the format whose signature lines the log has")
      for (id, summary) in LogFormats.list { print("\(id)  \(summary)") }
      return
    }
    guard arguments.count >= 2 else {
      throw fail("import: expected FORMAT and at least one log file (or --list-formats)", .badInput)
    }
    guard let center, !center.trimmingCharacters(in: .whitespaces).isEmpty else {
      throw fail("import: --center: expected the name of the center the logs come from", .badInput)
    }
    if output != nil, arguments.count > 2 {
      throw fail("import: --output: only with one log file (several go under --results)", .badInput)
    }
    let format = arguments[0]
    var machine: NodeRecord? = nil
    if let topology {
      do {
        var record = try NodeDiscovery.discover(
          TopologySource(argument: topology), clock: .given(1e9)
        ).record()
        record.hostname = URL(fileURLWithPath: topology).lastPathComponent
        record.clock = nil
        record.rpeak = []
        machine = record
      } catch {
        throw fail("--topology \(topology): \(error)", .badInput)
      }
    }
    var signingKey: SigningKey? = nil
    if !noSign, key != nil || FileManager.default.fileExists(atPath: KeyFiles.defaultPrivateKey) {
      signingKey = try loadSigningKey(key)
    }
    var allValid = true
    for file in arguments.dropFirst() {
      let bytes: [UInt8]
      do {
        bytes = try BoundedFile.read(file, limit: LogText.maximumBytes)
      } catch {
        throw fail("\(file): \(error)", .badInput)
      }
      let now = Date()
      let report: Report
      do {
        report = try Importer.report(
          bytes: bytes, file: file, format: format,
          claims: .init(center: center, hardware: hardware), tool: Provenance.tool(),
          software: Software(
            os: "", kernel: "", compiler: "", blas: nil, mpi: nil, hwloc: "", environment: [:]),
          importedAt: ReportBuilder.iso8601(now), machine: machine)
      } catch {
        throw fail(error, .badInput)
      }
      let parser = report.imported?.parser.split(separator: "@").first.map(String.init) ?? format
      let path =
        output
        ?? ReportBuilder.defaultPath(
          folder: results, center: center,
          host: "imported-" + URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent,
          suite: parser, date: now)
      do {
        try AtomicFile.ensureWritableFolder(URL(fileURLWithPath: path).deletingLastPathComponent().path)
        try ReportBuilder.write(report, to: path, key: signingKey)
      } catch {
        throw fail("\(path): \(error)", .environment)
      }
      print(Self.describe(report, file: file, path: path, signed: signingKey != nil))
      if report.results.contains(where: { $0.status != .ok }) { allValid = false }
    }
    if !allValid { throw ExitStatus.resultsNotValid.code }
  }

  /// What was imported, each figure with its standing, and where the report went.
  static func describe(_ report: Report, file: String, path: String, signed: Bool) -> String {
    let record = report.imported!
    var lines = [
      "\(file): \(record.tool)\(record.toolVersion.map { " " + $0 } ?? "") log, parser \(record.parser), sha256 \(record.sha256.prefix(16))…"
    ]
    for result in report.results {
      let headline = result.metrics.first.map {
        Humanize.format($0.value, unit: $0.unit) + ($0.size.map { " @\($0) B" } ?? "")
      } ?? "—"
      let standing =
        switch result.imported?.validity {
        case .verifiedFromLog: "verified from the log"
        case .claimedByLog: "claimed by the log (nothing to check)"
        case .failed, nil: "FAILED: " + (result.validation?.detail ?? "")
        }
      lines.append("  \(result.id)  \(headline)  \(standing)")
    }
    let checks = record.checks
    lines.append(
      "  checks: \(checks.filter { $0.status == .passed }.count) passed, \(checks.filter { $0.status == .failed }.count) failed, \(checks.filter { $0.status == .notCheckable }.count) not checkable"
    )
    lines.append(
      "\(path) (imported, not measured\(signed ? "; signed: the signature vouches for what the log contained and the checks it passed" : "; unsigned"))"
    )
    return lines.joined(separator: "\n")
  }
}
