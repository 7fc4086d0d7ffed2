import Foundation
import ReportFormat
import Standard

/// The glue between reports and the evaluation standard.
public enum Scoring {
  public static let defaultStandard = "suites/standards/cses-1.yaml"

  /// The default standard, loaded once per process (nil when absent or broken).
  public static let cachedDefault: EvaluationStandard? = try? load(defaultStandard)

  public static func load(_ path: String) throws -> EvaluationStandard {
    try StandardParser.load(
      path: path, knownBenchmarks: Set(BenchmarkRegistry.standard.descriptors.flatMap(\.produces)))
  }

  /// The report with its score block (the report's own center, this one report).
  public static func scored(_ report: Report, standard: EvaluationStandard) -> Report {
    var scored = report
    scored.score = nil
    if let figures = CenterFigures.aggregate([scored]).first {
      scored.score = Scorer.score(figures, standard: standard)
    }
    return scored
  }
}
