import Foundation
import Measurement
import ReportFormat
import Reports
import Runner

/// The summary table printed after a run: one row per result, its headline figure, spread and
/// validity check.
enum RunView {
  /// The metric that heads a result, in order of preference.
  static let headline = ["rate", "iops", "score", "bandwidth", "latency", "capacity", "residual"]

  /// What `suanli run` prints on stdout once the report is written: the report as JSON (the
  /// path then goes to stderr), or the summary table, the first lines of the score, the
  /// signature and, last, the path.
  static func print(_ outcome: SuiteRun.Outcome, json: Bool) throws {
    guard let report = outcome.report else { return }
    if json {
      let bytes = try ReportBuilder.encode(report, key: outcome.signingKey)
      Swift.print(String(decoding: bytes, as: UTF8.self), terminator: "")
      Terminal.error(outcome.path)
      return
    }
    Swift.print(render(report))
    if let score = report.score {
      Swift.print(
        ScoreView.render(center: report.center, score).split(separator: "\n").prefix(12)
          .joined(separator: "\n"))
    }
    Swift.print(
      outcome.signingKey.map { "signed with key \($0.publicKey.keyID.prefix(16))" }
        ?? "unsigned (no key: `suanli keygen`)")
    Swift.print(outcome.path)
  }

  static func render(_ report: ReportFormat.Report) -> String {
    var lines: [String] = []
    for node in report.nodes {
      let label = node.index.map { "node \($0): " } ?? ""
      let peaks = node.rpeak.filter { $0.precision == "fp64" || $0.precision == "fp32" }
        .map { "\($0.precision) \(Humanize.format($0.flopsPerSecond, unit: .flopsPerSecond))" }
      lines.append(
        Terminal.bold(label + node.hostname)
          + "  \(node.cpu.model), \(node.topology.cores) cores, \(Humanize.format(Double(node.memoryBytes), unit: .bytes))"
          + (peaks.isEmpty ? "" : "; Rpeak " + peaks.joined(separator: ", ")))
    }
    lines.append("center \(report.center), suite \(report.suite.name), \(report.createdAt)")
    lines.append("")
    var table = TextTable(
      ["benchmark", "status", "result", "median", "samples", "CV", "check"],
      alignments: [.left, .left, .right, .right, .right, .right, .left])
    for result in report.results {
      let metric = headline.lazy.compactMap { headlineMetric(result, $0) }.first
      let median = metric.flatMap { result.metric($0.name + "Median") }
      table.add([
        label(result), result.status.rawValue,
        metric.map { Humanize.format($0.value, unit: $0.unit) } ?? "—",
        median.map { Humanize.format($0.value, unit: $0.unit) } ?? "—",
        "\(result.samples.count)",
        repetitions(result)
          ? result.statistics.map { Humanize.fixed($0.cv * 100, decimals: 1) + "%" } ?? "—" : "—",
        checkText(result),
      ])
    }
    let rendered = table.render { row, column, text in
      guard column == 1 else { return text }
      return report.results[row].status == .ok ? Terminal.ok(text) : Terminal.bad(text)
    }
    lines.append(rendered)
    for result in report.results {
      if let summary = result.summary { lines.append(summary) }
      for note in result.notes { lines.append(Terminal.dim("\(label(result)): \(note)")) }
    }
    lines += jobLines(report)
    if !report.complete {
      lines.append(Terminal.bad("incomplete: ") + "some benchmarks did not run")
    }
    return lines.joined(separator: "\n")
  }

  /// Whether the samples repeat one measurement (then their CV says something): not for sweeps
  /// over message sizes or per-pair latencies.
  static func repetitions(_ result: BenchmarkResult) -> Bool {
    !result.metrics.contains { $0.size != nil || $0.name.contains(":") }
  }

  /// "stream.triad", "stream.triad @node 1", "hpl.fp64 (job)", "gemm.bf16 cuda:0",
  /// "gemm.bf16 cuda:0 FAKE"; a GPU entry skipped on a node without one keeps its selector.
  static func label(_ result: BenchmarkResult) -> String {
    var device = ""
    if let use = result.device {
      device = " " + use.id + (use.fake ? " FAKE" : "")
    } else if case .string(let selector)? = result.parameters["device"], selector != "cpu" {
      device = " " + selector
    }
    if let node = result.node { return "\(result.id)\(device) @node \(node)" }
    if result.scope == .job { return "\(result.id) (job)" }
    return result.id + device
  }

  /// The job, how its nodes differ, each node metric's spread and the outlier nodes.
  static func jobLines(_ report: ReportFormat.Report) -> [String] {
    guard let job = report.job else { return [] }
    var lines = [
      "job: \(job.ranks) ranks on \(job.nodes) node(s) (\(job.ranksPerNode.map(String.init).joined(separator: ", ")) per node), \(job.launcher), MPI thread level \(job.threadLevel)"
    ]
    for difference in job.heterogeneity {
      lines.append(Terminal.bad("heterogeneous nodes: ") + difference)
    }
    for statistic in report.nodeStatistics ?? [] {
      let size = statistic.size.map { " @\($0) B" } ?? ""
      lines.append(
        Terminal.dim(
          "\(statistic.id) \(statistic.metric)\(size) over \(statistic.nodes) nodes: min \(Humanize.format(statistic.min, unit: statistic.unit)), median \(Humanize.format(statistic.median, unit: statistic.unit)), max \(Humanize.format(statistic.max, unit: statistic.unit)), CV \(Humanize.fixed(statistic.cv * 100, decimals: 1))%"
        ))
      for outlier in statistic.outliers {
        let percent = Humanize.fixed(abs(1 - outlier.ratioToMedian) * 100, decimals: 1)
        let direction = outlier.ratioToMedian < 1 ? "below" : "above"
        lines.append(
          Terminal.bad("OUTLIER ")
            + "node \(outlier.node) (\(outlier.hostname)): \(statistic.id) \(statistic.metric) \(Humanize.format(outlier.value, unit: statistic.unit)), \(percent)% \(direction) the median (tolerance \(Humanize.fixed(statistic.tolerance * 100, decimals: 0))%)"
        )
      }
    }
    return lines
  }

  /// The metric `name` of a result; for sweeps, the latency of the smallest message and the
  /// bandwidth of the largest.
  static func headlineMetric(_ result: BenchmarkResult, _ name: String) -> Metric? {
    let matching = result.metrics.filter { $0.name == name }
    guard matching.count > 1 else { return matching.first }
    let bySize = matching.sorted { ($0.size ?? 0) < ($1.size ?? 0) }
    return name == "latency" ? bySize.first : bySize.last
  }

  /// Two significant digits; exponent form for the tiny bounds of residual checks.
  static func short(_ value: Double) -> String {
    if value == 0 || (abs(value) >= 1e-3 && abs(value) < 1e6) {
      return Humanize.significant(value, digits: 2)
    }
    return String(format: "%.1e", value)
  }

  static func checkText(_ result: BenchmarkResult) -> String {
    guard let validation = result.validation else { return "—" }
    guard validation.value != nil || validation.bound != nil else {
      return validation.passed ? "passed" : "FAILED"
    }
    let value = validation.value.map(short) ?? "?"
    let bound = validation.bound.map(short) ?? "?"
    return (validation.passed ? "passed" : "FAILED") + " (\(value) ≤ \(bound))"
  }
}
