import Benchmarks
import Foundation
import ReportFormat
import Reports

extension ReportBuilder {
  /// The report of a suite run on one node.
  public static func report(
    suite: Suite, center: String, node: NodeProfile, outcome: SuiteRunner.Outcome, date: Date
  ) -> Report {
    Report(
      tool: Provenance.tool(), center: center, createdAt: iso8601(date),
      complete: outcome.complete, nodes: [node.record()], software: Provenance.software(),
      suite: SuiteRecord(
        name: suite.name, description: suite.description, file: suite.file, sha256: suite.sha256,
        timeBudgetSeconds: suite.timeBudgetSeconds, overrides: suite.overrides),
      results: outcome.results, notes: outcome.notes)
  }
}
