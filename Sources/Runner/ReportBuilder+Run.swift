import Benchmarks
import Foundation
import ReportFormat
import Reports

extension ReportBuilder {
  /// The report of a suite run: on one node, or (with `nodes` and `job`) on every node of a job
  /// of several ranks, with each node metric's spread over the nodes.
  public static func report(
    suite: Suite, center: String, node: NodeProfile, outcome: SuiteRunner.Outcome, date: Date,
    nodes: [NodeRecord]? = nil, job: JobRecord? = nil
  ) -> Report {
    let records = nodes ?? [node.record()]
    var report = Report(
      tool: Provenance.tool(), center: center, createdAt: iso8601(date),
      complete: outcome.complete, nodes: records, software: Provenance.software(),
      suite: SuiteRecord(
        name: suite.name, description: suite.description, file: suite.file, sha256: suite.sha256,
        timeBudgetSeconds: suite.timeBudgetSeconds, overrides: suite.overrides),
      results: outcome.results, notes: outcome.notes)
    report.job = job
    if records.count > 1 {
      report.nodeStatistics = NodeStatistics.compute(outcome.results, nodes: records)
    }
    return report
  }
}
