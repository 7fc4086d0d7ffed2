/// Suanli report, schema version 2 (a superset of 1: a job block, every node of a job, results
/// with a scope and a node index, statistics over nodes). One file per run; see
/// schema/report-v2.schema.json. Reports of version 1 decode into the same type.
///
/// The types here have no dependencies so that other tools can link this module alone to read
/// reports. Values are stored in base SI units (B/s, flop/s, s, B, Hz).
public struct Report: Codable, Sendable, Equatable {
  public static let currentSchemaVersion = 2
  /// The versions this build reads.
  public static let readableSchemaVersions = [1, 2]

  public var schemaVersion: Int
  public var tool: Tool
  public var center: String
  /// UTC, ISO 8601 with seconds: "2026-11-24T05:25:28Z".
  public var createdAt: String
  /// False when the run stopped early (interrupted, budget exhausted): some results are missing.
  public var complete: Bool
  public var nodes: [NodeRecord]
  public var software: Software
  public var suite: SuiteRecord
  public var results: [BenchmarkResult]
  public var notes: [String]
  /// Schema v2: how a job of several ranks ran (absent for one process).
  public var job: JobRecord?
  /// Schema v2: each node metric's spread over the nodes of a job, with the outlier nodes.
  public var nodeStatistics: [NodeStatistic]?
  /// Schema v2: present when the report was imported from another tool's log (`suanli import`):
  /// what the log was, and every check it allowed. Its results were not re-run by Suanli.
  public var imported: ImportRecord?
  /// The score against an evaluation standard (absent when not scored).
  public var score: ScoreBlock?
  /// Ed25519 over the RFC 8785 canonical form of the report without this member.
  public var signature: SignatureRecord?

  public init(
    tool: Tool, center: String, createdAt: String, complete: Bool, nodes: [NodeRecord],
    software: Software, suite: SuiteRecord, results: [BenchmarkResult], notes: [String]
  ) {
    self.schemaVersion = Report.currentSchemaVersion
    self.tool = tool
    self.center = center
    self.createdAt = createdAt
    self.complete = complete
    self.nodes = nodes
    self.software = software
    self.suite = suite
    self.results = results
    self.notes = notes
  }

  public struct SignatureRecord: Codable, Sendable, Equatable {
    public var algorithm: String
    public var canonicalization: String
    /// Hex SHA-256 of the 32-byte raw public key.
    public var keyId: String
    /// The raw public key, base64.
    public var publicKey: String
    /// The 64-byte signature, base64.
    public var value: String
  }

  public struct Tool: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    public var gitCommit: String
    /// ISA features the binary was compiled for (e.g. "avx2 fma f16c").
    public var buildISA: [String]

    public init(name: String, version: String, gitCommit: String, buildISA: [String]) {
      self.name = name
      self.version = version
      self.gitCommit = gitCommit
      self.buildISA = buildISA
    }
  }
}
