import Measurement
import ReportFormat

/// One log format `suanli import` reads.
protocol LogFormat {
  /// The parser's id ("hpl") and version: a report names "hpl@1".
  static var id: String { get }
  static var version: Int { get }
  /// What it reads, for `--list-formats`.
  static var summary: String { get }
  /// Whether the log's own signature lines say it is this format.
  static func detect(_ log: LogText) -> Bool
  static func parse(_ log: LogText) throws(ImportError) -> ParsedLog
}

/// What a parser found: the tool, its results, each with the checks the log allowed.
struct ParsedLog {
  var tool: String
  var toolVersion: String?
  var results: [ParsedResult]
  /// Checks about the whole log (hpcc's Success flag, HPL's closing counts).
  var checks: [ImportCheck] = []
  var notes: [String] = []
}

struct ParsedResult {
  var id: String
  var scope: ResultScope?
  var parameters: [String: JSONValue]
  /// Seconds of the timed run where the log prints them.
  var samples: [Double]
  var metrics: [Metric]
  /// The checks about this result (their `result` is set by the importer).
  var checks: [ImportCheck]
  /// The log's own line for it (HPL's T/V line).
  var summary: String?
  var notes: [String] = []
  /// The checks that verify the value itself (a recomputation, the tool's own payload check);
  /// nil: every check of the result does. A result none of whose verifying checks passed is
  /// only claimed by the log.
  var verifying: Set<String>? = nil
}

/// The formats, in the order detection tries them (the most specific first: hpcc's output
/// contains an HPL section).
public enum LogFormats {
  static let all: [any LogFormat.Type] = [
    HPCCLog.self, NVIDIAHPLLog.self, NVIDIAMxPLog.self, HPLLog.self, StreamLog.self, OSULog.self,
    NCCLJSONLog.self, NCCLLog.self, HPCGLog.self,
  ]

  public static var ids: [String] { all.map { $0.id } }

  /// "id — summary" per format.
  public static var list: [(id: String, summary: String)] { all.map { ($0.id, $0.summary) } }

  static func named(_ id: String) -> (any LogFormat.Type)? { all.first { $0.id == id } }

  /// The format whose signature lines the log has, or nil.
  static func detect(_ log: LogText) -> (any LogFormat.Type)? { all.first { $0.detect(log) } }
}

extension ImportCheck {
  static func check(
    _ id: String, _ passed: Bool, _ detail: String, line: Int? = nil
  ) -> ImportCheck {
    ImportCheck(id: id, status: passed ? .passed : .failed, detail: detail, line: line)
  }

  static func notCheckable(_ id: String, _ detail: String) -> ImportCheck {
    ImportCheck(id: id, status: .notCheckable, detail: detail)
  }
}
