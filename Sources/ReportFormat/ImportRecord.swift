/// Schema v2: a report made by `suanli import` from another tool's log, not by a Suanli run.
/// Signing such a report signs the importer's statement — "this file, with this sha256,
/// contained these values and passed these checks" — never the values' truth.
public struct ImportRecord: Codable, Sendable, Equatable {
  /// The tool that wrote the log ("hpcc", "HPL", "STREAM", "OSU micro-benchmarks").
  public var tool: String
  /// Its version as the log prints it, when it does.
  public var toolVersion: String?
  /// The parser and its version, e.g. "hpl@1".
  public var parser: String
  /// The log's file name (no folder), size and SHA-256.
  public var file: String
  public var bytes: Int
  public var sha256: String
  /// The log itself when it is text of at most 1 MiB; otherwise only its hash identifies it.
  public var log: String?
  public var importedAt: String
  /// Who says what: "center" → "user", "hardware" → "unknown" / "user" / "log"...
  public var claims: [String: String]
  /// Every check the log allowed, including the ones it did not (status notCheckable).
  public var checks: [ImportCheck]

  public init(
    tool: String, toolVersion: String?, parser: String, file: String, bytes: Int, sha256: String,
    log: String?, importedAt: String, claims: [String: String], checks: [ImportCheck]
  ) {
    self.tool = tool
    self.toolVersion = toolVersion
    self.parser = parser
    self.file = file
    self.bytes = bytes
    self.sha256 = sha256
    self.log = log
    self.importedAt = importedAt
    self.claims = claims
    self.checks = checks
  }
}

/// One check run on an imported log.
public struct ImportCheck: Codable, Sendable, Equatable {
  public enum Status: String, Codable, Sendable {
    case passed, failed, notCheckable
  }

  /// "hpl.passed", "hpl.residual.recomputed", "stream.validates", ...
  public var id: String
  public var status: Status
  public var detail: String
  /// The result id the check belongs to (nil: the whole log).
  public var result: String?
  /// The line of the log the check read (1-based), where one line holds it.
  public var line: Int?

  public init(id: String, status: Status, detail: String, result: String? = nil, line: Int? = nil)
  {
    self.id = id
    self.status = status
    self.detail = detail
    self.result = result
    self.line = line
  }
}

/// How far an imported figure can be trusted (schema v2, on each imported result).
public struct ImportedFigure: Codable, Sendable, Equatable {
  public enum Validity: String, Codable, Sendable {
    /// Every check that applies passed and at least one recomputation succeeded.
    case verifiedFromLog
    /// The log asserts it and offers nothing to check (OSU without its validation column).
    case claimedByLog
    /// A check failed: the result is invalid, as a measured one would be.
    case failed
  }

  public var validity: Validity
  /// The tool, e.g. "hpcc 1.5.0".
  public var source: String

  public init(validity: Validity, source: String) {
    self.validity = validity
    self.source = source
  }
}
