import Foundation
import Measurement
import ReportFormat

/// `suanli report REPORT --html`: one self-contained page — no script, no network, every chart
/// inline SVG drawn here with its numbers in a table beside it — for one report, top to bottom:
/// the scorecard, the dimension radar and every scored metric, the precision ladder, a roofline
/// per precision, STREAM's samples, the MPI curves, the core-to-core heat map, the job's nodes,
/// and the provenance with every validity check. The same inputs give the same bytes.
public enum ReportPage {
  /// What the page says about the report it draws: the verification verdict, and the exact
  /// bytes it embeds (with their SHA-256), so a reader can verify them elsewhere.
  public struct Source: Sendable {
    public var file: String
    public var bytes: [UInt8]
    public var sha256: String
    public var verdict: String
    public var verified: Bool

    public init(file: String, bytes: [UInt8], sha256: String, verdict: String, verified: Bool) {
      self.file = file
      self.bytes = bytes
      self.sha256 = sha256
      self.verdict = verdict
      self.verified = verified
    }
  }

  public static func html(_ report: Report, source: Source) -> String {
    let data = ReportData(report: report)
    var page = Markup()
    PageHead.open(
      &page, title: "Suanli 算力 — \(report.center), \(report.suite.name), \(report.createdAt)")
    page.element("h1", [], "Suanli 算力 — \(report.center)")
    page.element(
      "p", [("class", "muted")],
      "suite \(report.suite.name), \(report.createdAt), \(report.nodes.count) node(s); \(report.tool.name) \(report.tool.version) (\(report.tool.gitCommit))"
    )
    if !source.verified {
      page.element(
        "p", [("class", "banner"), ("data-verified", "false")],
        "UNVERIFIED: \(source.verdict) — the figures below are not vouched for")
    }
    if !report.complete {
      page.element(
        "p", [("class", "banner")], "INCOMPLETE: some benchmarks did not run (see the checks below)"
      )
    }
    if let imported = report.imported {
      let checks = imported.checks
      page.element(
        "p", [("class", "banner"), ("data-imported", "true")],
        "IMPORTED from \(imported.tool)\(imported.toolVersion.map { " " + $0 } ?? "") (\(imported.file), sha256 \(imported.sha256.prefix(16))…), not re-run by Suanli: \(checks.filter { $0.status == .passed }.count) of \(checks.count) checks passed, \(checks.filter { $0.status == .failed }.count) failed, \(checks.filter { $0.status == .notCheckable }.count) not checkable from the log"
      )
    }
    if report.score?.estimate == true {
      page.element(
        "p", [("class", "banner"), ("data-estimate", "true")],
        "ESTIMATE: some figures come from measurements that missed the standard's run rules; they are marked below and never ranked as conforming"
      )
    }
    page.newline()
    scorecard(&page, report, source: source)
    if let score = report.score {
      page.element("h2", [], "Dimensions")
      page.raw(Radar.figure(score).html)
      page.raw(metricTable(score))
      page.newline()
    }
    var figures: [(String, Figure)] = []
    if let ladder = Ladder.figure(data, skew: report.score?.skew.reading) {
      figures.append(("Precision ladder", ladder))
    }
    for roofline in Roofline.figures(data) { figures.append(("Roofline", roofline)) }
    if let dots = Curves.streamDots(data) { figures.append(("Memory: STREAM", dots)) }
    if let latency = Curves.latency(data) { figures.append(("Interconnect", latency)) }
    if let bandwidth = Curves.bandwidth(data) { figures.append(("Interconnect", bandwidth)) }
    if let heat = HeatMap.figure(data) { figures.append(("Core to core", heat)) }
    var heading = ""
    for (title, figure) in figures {
      if title != heading {
        page.element("h2", [], title)
        heading = title
      }
      page.raw(figure.html)
      page.newline()
    }
    acceleratorSection(&page, report)
    if let job = report.job { jobSection(&page, job, report) }
    provenance(&page, report, source: source)
    page.close("body")
    page.close("html")
    page.newline()
    return page.text
  }

  static func scorecard(_ page: inout Markup, _ report: Report, source: Source) {
    var cells: [(String, String)] = [
      ("center", report.center), ("date", String(report.createdAt.prefix(10))),
    ]
    if let score = report.score {
      let composite = score.composite.map { Humanize.fixed($0, decimals: 1) } ?? "—"
      var marks: [String] = []
      if !score.complete { marks.append("incomplete") }
      if score.estimate == true { marks.append("estimate") }
      cells += [
        ("standard", "\(score.standard.id) \(score.standard.version)"),
        ("composite", composite + (marks.isEmpty ? "" : " (\(marks.joined(separator: ", ")))")),
        ("grade", score.grade),
        ("profile", score.profile), ("classification", score.classification), ("tier", score.tier),
      ]
      if let lacking = score.lacking, !lacking.isEmpty {
        cells.append(("lacks", lacking.joined(separator: ", ")))
      }
      cells.append(("算力偏科", score.skew.reading))
    }
    cells.append(("signature", source.verdict))
    page.open("div", [("class", "scorecard")])
    for (label, value) in cells {
      page.open("div", [("data-field", label)])
      page.element("span", [("class", "muted")], label)
      page.element("b", [], value)
      page.close("div")
    }
    page.close("div")
  }

  static func metricTable(_ score: ScoreBlock) -> String {
    var rows: [[String]] = []
    var classes: [[String]] = []
    for dimension in score.dimensions {
      for metric in dimension.metrics {
        let conforming: String
        switch metric.missedRules {
        case nil: conforming = "—"
        case let missed? where metric.value == nil:
          conforming = missed.isEmpty ? "missing" : missed.joined(separator: "; ")
        case let missed?:
          conforming = missed.isEmpty ? "conforming" : "estimate: " + missed.joined(separator: "; ")
        }
        rows.append([
          dimension.name, metric.key,
          metric.value.map { Humanize.significant($0, digits: 4) } ?? "missing",
          Humanize.significant(metric.reference, digits: 3), Show.score(metric.score),
          Humanize.fixed(metric.weight, decimals: 2), conforming,
        ])
        classes.append(["", "", "num", "num", "num", "num", metric.conforming ? "" : "bad"])
      }
    }
    return Table.html(
      headers: ["dimension", "metric", "value", "reference", "score", "weight", "run rules"],
      rows: rows, classes: classes)
  }

  /// The results measured on GPUs: each against its own device's peak, with the board's power
  /// and clock (the charts above are the CPUs' against the node's Rpeak).
  static func acceleratorSection(_ page: inout Markup, _ report: Report) {
    let results = report.results.filter { $0.device != nil }
    guard !results.isEmpty else { return }
    page.element("h2", [], "Accelerators")
    if results.contains(where: { $0.device?.fake == true }) {
      page.element(
        "p", [("class", "banner"), ("data-fake", "true")],
        "FAKE DEVICES: some results were made with Suanli's test libraries, not a GPU — never a real measurement"
      )
    }
    let rows = results.map { result -> [String] in
      let device = result.device!
      func metric(_ name: String) -> String {
        result.metric(name).map { Show.value($0.value, $0.unit) } ?? "—"
      }
      return [
        device.id + (device.fake ? " FAKE" : ""), device.name, result.id, result.status.rawValue,
        metric("rate"), metric("efficiency"), metric("averagePower(gpu-board)"),
        metric("smClock"), result.validation.map { $0.passed ? "passed" : "FAILED" } ?? "—",
      ]
    }
    page.raw(
      Table.html(
        headers: [
          "device", "name", "benchmark", "status", "rate", "efficiency", "board power", "SM clock",
          "check",
        ], rows: rows))
    page.newline()
  }

  static func jobSection(_ page: inout Markup, _ job: JobRecord, _ report: Report) {
    page.element("h2", [], "Job")
    page.element(
      "p", [],
      "\(job.ranks) ranks on \(job.nodes) node(s) (\(job.ranksPerNode.map(String.init).joined(separator: ", ")) per node), \(job.launcher), \(job.mpi), thread level \(job.threadLevel). \(job.grouping)."
    )
    for difference in job.heterogeneity {
      page.element("p", [("class", "banner")], "Heterogeneous nodes: \(difference)")
    }
    let nodes = report.nodes.map { node in
      [
        "\(node.index ?? 0)", node.hostname,
        node.ranks.map { $0.map(String.init).joined(separator: ", ") } ?? "—",
        node.cpu.model, "\(node.topology.cores)",
        Humanize.format(Double(node.memoryBytes), unit: .bytes),
      ]
    }
    page.raw(Table.html(headers: ["node", "host", "ranks", "CPU", "cores", "memory"], rows: nodes))
    if let statistics = report.nodeStatistics, !statistics.isEmpty {
      let rows = statistics.map { s in
        [
          "\(s.id) \(s.metric)\(s.size.map { " @\($0)" } ?? "")", "\(s.nodes)",
          Show.value(s.min, s.unit),
          Show.value(s.median, s.unit), Show.value(s.max, s.unit),
          Humanize.fixed(100 * s.cv, decimals: 1) + "%",
          s.outliers.isEmpty
            ? "—"
            : s.outliers.map {
              "node \($0.node) (\($0.hostname)) \(Humanize.fixed(100 * ($0.ratioToMedian - 1), decimals: 1))%"
            }.joined(separator: "; "),
        ]
      }
      page.raw(
        Table.html(
          headers: ["metric", "nodes", "min", "median", "max", "CV", "outliers"], rows: rows))
    }
  }

  static func provenance(_ page: inout Markup, _ report: Report, source: Source) {
    page.element("h2", [], "Provenance and checks")
    var facts: [[String]] = [
      [
        "tool",
        "\(report.tool.name) \(report.tool.version), commit \(report.tool.gitCommit), built for \(report.tool.buildISA.joined(separator: " "))",
      ],
      ["OS", "\(report.software.os), kernel \(report.software.kernel)"],
      ["compiler", report.software.compiler], ["BLAS", report.software.blas ?? "—"],
      ["MPI", report.software.mpi ?? "—"], ["hwloc", report.software.hwloc],
      [
        "suite",
        "\(report.suite.name) (\(report.suite.file), sha256 \(report.suite.sha256.prefix(16))…) \(report.suite.overrides.joined(separator: " "))",
      ],
    ]
    for (key, value) in report.software.environment.sorted(by: { $0.key < $1.key }) {
      facts.append(["env \(key)", value])
    }
    for node in report.nodes {
      facts.append([
        "node \(node.index.map(String.init) ?? node.hostname)",
        "\(node.cpu.model), \(node.topology.cores) cores, \(Humanize.format(Double(node.memoryBytes), unit: .bytes)) (\(node.memorySource)), clock \(node.clock.map { Humanize.format($0.hertz, unit: .hertz) + " (" + $0.source + ")" } ?? "unknown")",
      ])
      for peak in node.rpeak {
        facts.append([
          "Rpeak \(peak.precision)",
          "\(Show.flops(peak.flopsPerSecond)) (\(peak.execution)): \(peak.formula)",
        ])
      }
    }
    page.raw(Table.html(headers: ["what", "value"], rows: facts))
    var rows: [[String]] = []
    var classes: [[String]] = []
    for result in report.results {
      let place = result.node.map { " @node \($0)" } ?? (result.scope == .job ? " (job)" : "")
      let validation = result.validation
      rows.append([
        result.id + place, result.status.rawValue, validation?.check ?? "—",
        validation?.value.map { Humanize.significant($0, digits: 3) } ?? "—",
        validation?.bound.map { Humanize.significant($0, digits: 3) } ?? "—",
        validation.map { $0.passed ? "passed" : "FAILED" } ?? (result.notes.first ?? "—"),
      ])
      classes.append([
        "", result.status == .ok ? "good" : "bad", "", "num", "num",
        validation?.passed == true ? "good" : "bad",
      ])
    }
    page.element(
      "p", [],
      "Every result and its validity check: a result that fails its check is never given a rate.")
    page.raw(
      Table.html(
        headers: ["result", "status", "check", "value", "bound", "verdict"], rows: rows,
        classes: classes))
    for note in report.notes { page.element("p", [("class", "muted")], note) }
    page.element("h2", [], "The report itself")
    page.open("p")
    page.raw("This page renders the embedded report: ")
    page.element(
      "a",
      [
        ("download", (source.file as NSString).lastPathComponent),
        ("href", "data:application/json;base64," + Data(source.bytes).base64EncodedString()),
      ], "download the exact bytes")
    page.raw(
      Markup.escape(
        " (\(source.bytes.count) bytes, sha256 \(source.sha256)\(report.signature.map { ", signed by key \($0.keyId.prefix(16))" } ?? ", unsigned")). Verify them with `suanli verify` or any RFC 8785 + Ed25519 tool; the page is a view, the signature covers the JSON."
      ))
    page.close("p")
  }
}
