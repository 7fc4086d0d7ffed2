import ArgumentParser
import Benchmarks
import Comparison
import Foundation
@preconcurrency import Rainbow
import Reports
import Signing
import Standard
import Visual

struct Compare: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Compare centers side by side: one column per center, one row per metric.",
    discussion:
      "Reports of one center are combined. Invalid or unsigned reports are shown flagged (an error with --strict)."
  )

  @Argument(help: "Report files and folders (searched recursively for *.json).")
  var paths: [String]

  @Option(name: .long, help: "table, markdown, csv, json or html.")
  var format = "table"

  @Flag(
    name: .long,
    help: "html: draw reports that do not verify too (marked); otherwise they are left out.")
  var allowUnverified = false

  @Option(name: .long, help: "Show differences relative to this center.")
  var baseline: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Rows to show (keys such as hpl.fp64.rate, score.composite).", valueName: "KEY,..."))
  var metrics: String?

  @Option(
    name: .long,
    help: "Order centers by this row (composite, a dimension id, or a metric key), best first.")
  var sort: String?

  @Flag(name: .long, help: "Centers as rows.")
  var transpose = false

  @Flag(name: .long, help: "Fail (exit 1) when any report is invalid or unsigned.")
  var strict = false

  @Option(name: .long, help: "The standard to score with.")
  var standard = Scoring.defaultStandard

  @Option(name: .long, help: "Scoring profile.")
  var profile: String?

  @Option(name: .long, help: "Folder of trusted public keys.")
  var trusted: String?

  @Flag(
    name: .long,
    help:
      "Show reports imported from other tools' logs (`suanli import`): what their logs verify, marked imp., never ranked.")
  var includeImported = false

  func validate() throws {
    guard ["table", "markdown", "csv", "json", "html"].contains(format) else {
      throw ValidationError("--format: expected table, markdown, csv, json or html, got \(format)")
    }
    if paths.isEmpty { throw ValidationError("expected report files or folders") }
  }

  func run() throws {
    let loaded: EvaluationStandard
    do {
      loaded = try Scoring.load(standard, knownBenchmarks: BenchmarkRegistry.standard.resultIDs)
    } catch {
      throw fail(String(describing: error), .badInput)
    }
    let collected = ComparisonInput.collect(
      paths: paths, standard: loaded, profile: profile,
      trust: TrustStore(folder: trusted ?? KeyFiles.defaultTrustFolder),
      includeImported: includeImported)
    for problem in collected.problems { Terminal.error("suanli: \(problem)") }
    guard !collected.columns.isEmpty else { throw fail("no report to compare", .badInput) }
    if let baseline, !collected.columns.contains(where: { $0.center == baseline }) {
      throw fail(
        "--baseline: no center \"\(baseline)\" (centers: \(collected.columns.map(\.center).joined(separator: ", ")))",
        .badInput)
    }
    var columns = collected.columns
    var notes = collected.notes
    if format == "html", !allowUnverified {
      let left = columns.filter { !$0.verified }.map(\.center)
      columns = columns.filter(\.verified)
      if !left.isEmpty {
        notes.append(
          "left out, not verified: \(left.joined(separator: ", ")) (--allow-unverified draws them, marked)"
        )
      }
      guard !columns.isEmpty else { throw fail("no verified report to draw", .resultsNotValid) }
    }
    let table = ComparisonTable(
      columns: columns, metrics: metrics?.split(separator: ",").map(String.init),
      baseline: baseline,
      sortBy: sort, notes: notes)
    switch format {
    case "markdown": print(ComparisonRenderer.markdown(table))
    case "csv": print(ComparisonRenderer.csv(table))
    case "json": print(try ComparisonRenderer.json(table))
    case "html":
      let ordered = table.centers.compactMap { name in columns.first { $0.center == name } }
      print(ComparePage.html(table, columns: ordered, title: "compare"), terminator: "")
    default:
      print(
        ComparisonRenderer.table(table, width: Self.width(), transpose: transpose) { style, text in
          switch style {
          case .best: return text.bold
          case .better: return text.green
          case .worse, .flagged: return text.red
          case .none: return text
          }
        })
    }
    if strict && collected.anyUnverified || !collected.problems.isEmpty {
      throw ExitStatus.resultsNotValid.code
    }
  }

  /// COLUMNS when set, else the terminal's width, else 100.
  static func width() -> Int {
    if let text = ProcessInfo.processInfo.environment["COLUMNS"], let columns = Int(text),
      columns > 20
    {
      return columns
    }
    var size = winsize()
    if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 {
      return Int(size.ws_col)
    }
    return 100
  }
}
