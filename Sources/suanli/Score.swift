import ArgumentParser
import Benchmarks
import Foundation
import Measurement
import ReportFormat
import Reports
import Standard

struct Score: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Score reports against an evaluation standard (node reports of one center are combined).")

  @Argument(help: "Report files.")
  var reports: [String]

  @Option(name: .long, help: "The standard (YAML).")
  var standard = Scoring.defaultStandard

  @Option(
    name: .long,
    help: "Profile: hpc-center, ai-center, fusion-center, general (default: the standard's).")
  var profile: String?

  @Flag(name: .long, help: "Print JSON.")
  var json = false

  @Flag(
    name: .long,
    help:
      "Score figures imported from other tools' logs too (only those the log verifies; labelled).")
  var includeImported = false

  func validate() throws {
    if reports.isEmpty { throw ValidationError("expected at least one report file") }
  }

  func run() throws {
    let loaded: EvaluationStandard
    do {
      loaded = try Scoring.load(standard, knownBenchmarks: BenchmarkRegistry.standard.resultIDs)
    } catch {
      throw fail(String(describing: error), .badInput)
    }
    if let profile, loaded.profiles[profile] == nil {
      throw fail(
        "--profile: expected one of \(loaded.profiles.keys.sorted().joined(separator: ", ")), got \(profile)",
        .badInput)
    }
    var decoded: [Report] = []
    for path in reports {
      let bytes: [UInt8]
      do { bytes = try ReportVerification.read(path) } catch {
        throw fail("\(path): \(error)", .badInput)
      }
      do { decoded.append(try ReportAudit.decode(bytes)) } catch {
        throw fail("\(path): \(error)", .badInput)
      }
    }
    let scored = CenterFigures.aggregate(
      decoded, standard: loaded, includeImported: includeImported
    ).map {
      ($0.center, Scorer.score($0, standard: loaded, profile: profile))
    }
    let imported = decoded.flatMap { report in
      report.results.filter { $0.imported != nil }.map { (report.center, $0) }
    }
    if json {
      struct Entry: Encodable {
        var center: String
        var score: ScoreBlock
      }
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      print(
        String(
          decoding: try encoder.encode(scored.map { Entry(center: $0.0, score: $0.1) }),
          as: UTF8.self))
      return
    }
    for (center, block) in scored { print(ScoreView.render(center: center, block)) }
    if !imported.isEmpty {
      let unverified = imported.filter { $0.1.imported?.validity != .verifiedFromLog }
      if includeImported {
        if !unverified.isEmpty {
          print(
            "not scored, imported but not verified by their logs: "
              + unverified.map { "\($0.0) \($0.1.id) (\($0.1.imported!.validity.rawValue))" }
              .joined(separator: ", "))
        }
      } else {
        print(
          "left out: \(imported.count) imported result(s) (\(Set(imported.map { $0.1.imported!.source }).sorted().joined(separator: ", "))); --include-imported scores those their logs verify, labelled"
        )
      }
    }
  }
}

enum ScoreView {
  static func render(center: String, _ block: ScoreBlock) -> String {
    var lines = [
      Terminal.bold(center)
        + "  \(block.nodes) node(s), tier \(block.tier), profile \(block.profile), standard \(block.standard.id) \(block.standard.version)"
    ]
    var table = TextTable(
      ["dimension", "score", "metrics", "missing"], alignments: [.left, .right, .right, .left])
    for dimension in block.dimensions {
      let score = dimension.score.map { Humanize.fixed($0, decimals: 1) } ?? "—"
      table.add([
        dimension.name, score + (dimension.estimate ? " est." : ""),
        "\(dimension.present) of \(dimension.metrics.count)",
        dimension.missing.joined(separator: ", "),
      ])
    }
    lines.append(table.render())
    let composite = block.composite.map { Humanize.fixed($0, decimals: 1) } ?? "—"
    let estimate = block.estimate == true ? ", an estimate (a measurement missed a run rule)" : ""
    if let lacking = block.lacking, !lacking.isEmpty {
      lines.append(
        "composite \(composite) over the dimensions present\(estimate); lacks \(lacking.joined(separator: ", ")): no grade, no classification"
      )
    } else {
      lines.append(
        "composite \(composite)\(block.complete ? "" : " (incomplete: dimensions with missing metrics)")\(estimate), grade \(block.grade), \(block.classification)"
      )
    }
    lines.append("skew: \(block.skew.reading)")
    for (key, source) in (block.imported ?? [:]).sorted(by: { $0.key < $1.key }) {
      lines.append("imported, not measured: \(key) from \(source) (verified from its log)")
    }
    for dimension in block.dimensions {
      for line in dimension.notComparable ?? [] {
        lines.append("\(dimension.name): \(line)")
      }
    }
    for dimension in block.dimensions {
      for metric in dimension.metrics {
        let value = metric.value.map { Humanize.significant($0, digits: 3) } ?? "missing"
        let score = metric.score.map { Humanize.fixed($0, decimals: 1) } ?? "—"
        let missed =
          metric.missedRules.map { $0.isEmpty ? "" : "; estimate: " + $0.joined(separator: "; ") }
          ?? ""
        lines.append(
          Terminal.dim(
            "  \(dimension.id) \(metric.key): value \(value), reference \(Humanize.significant(metric.reference, digits: 3)), weight \(metric.weight), score \(score)\(missed)"
          ))
      }
    }
    return lines.joined(separator: "\n")
  }
}
