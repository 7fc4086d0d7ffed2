import Foundation
import ReportFormat
import Standard

/// The glue between reports and the evaluation standard.
public enum Scoring {
  public static let defaultStandard = "suites/standards/cses-2.yaml"

  /// The default standard, loaded once per process (nil when absent or broken), to recompute
  /// the score blocks of reports that name it.
  public static let cachedDefault: EvaluationStandard? = try? load(defaultStandard)

  /// Loads a standard; `knownBenchmarks` (the registry's result ids) makes a metric naming an
  /// unknown benchmark an error, as `score` and `run` want; nil accepts any id.
  public static func load(_ path: String, knownBenchmarks: Set<String>? = nil) throws
    -> EvaluationStandard
  {
    try StandardParser.load(path: path, knownBenchmarks: knownBenchmarks)
  }

  /// The report with its score block (the report's own center, this one report).
  public static func scored(_ report: Report, standard: EvaluationStandard) -> Report {
    var scored = report
    scored.score = nil
    if let figures = CenterFigures.aggregate([scored], standard: standard).first {
      scored.score = Scorer.score(figures, standard: standard)
    }
    return scored
  }
}
