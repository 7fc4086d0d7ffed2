import Foundation
import ReportFormat
import Standard

/// The glue between reports and the evaluation standard.
public enum Scoring {
  public static let defaultStandard = shipped("suites/standards/cses-3.yaml")

  /// A file that ships with Suanli, named relative to the source tree: as given when it exists
  /// from the working directory, else found above the executable (a build in
  /// `<tree>/.build/release/suanli` finds `<tree>/suites/...` from any directory); as given
  /// when neither has it, so that an error names the path the user knows.
  public static func shipped(_ relative: String) -> String {
    let files = FileManager.default
    if files.fileExists(atPath: relative) { return relative }
    let executable =
      (try? files.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments.first ?? ""
    var folder = URL(fileURLWithPath: executable).standardizedFileURL.deletingLastPathComponent()
    for _ in 0..<5 {
      let candidate = folder.appendingPathComponent(relative).path
      if files.fileExists(atPath: candidate) { return candidate }
      folder = folder.deletingLastPathComponent()
    }
    return relative
  }

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
