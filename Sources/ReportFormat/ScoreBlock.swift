/// A report scored against an evaluation standard: every number that went into the score, so a
/// reader can recompute it.
public struct ScoreBlock: Codable, Sendable, Equatable {
  public struct StandardRef: Codable, Sendable, Equatable {
    public var id: String
    public var version: String
    public var sha256: String
    public init(id: String, version: String, sha256: String) {
      self.id = id
      self.version = version
      self.sha256 = sha256
    }
  }

  public struct MetricScore: Codable, Sendable, Equatable {
    /// "hpl.fp64.rate", "mpi.pingpong.latency@8", "derived.precisionBalance".
    public var key: String
    /// nil when the report has no valid value for it (missing, never zero).
    public var value: Double?
    public var reference: Double
    public var weight: Double
    /// 100 · value/reference (inverse for lower-is-better), capped.
    public var score: Double?
    /// Under a standard with run rules: the rules the measurement missed (an estimate), empty
    /// when it conforms; nil under a standard without run rules.
    public var missedRules: [String]?

    public init(
      key: String, value: Double?, reference: Double, weight: Double, score: Double?,
      missedRules: [String]? = nil
    ) {
      self.key = key
      self.value = value
      self.reference = reference
      self.weight = weight
      self.score = score
      self.missedRules = missedRules
    }

    /// A value measured against the standard's run rules.
    public var conforming: Bool { missedRules?.isEmpty ?? true }
  }

  public struct DimensionScore: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    /// Weighted geometric mean of the metric scores that exist; nil when none does.
    public var score: Double?
    /// False when a metric is missing: the score then covers only the metrics present, with
    /// their weights renormalised, and `missing` lists the rest.
    public var complete: Bool
    public var missing: [String]
    public var metrics: [MetricScore]
    /// Figures measured for this dimension but not scored, with why: energy over a component
    /// scope ("hpl.fp64.flopsPerJoule(cpu-package) = 3.1e9: measured, not comparable").
    public var notComparable: [String]?

    /// Metrics with a value, of those the standard names ("k of n").
    public var present: Int { metrics.filter { $0.value != nil }.count }
    /// Some value it is computed from is an estimate.
    public var estimate: Bool { metrics.contains { $0.value != nil && !$0.conforming } }

    public init(
      id: String, name: String, score: Double?, complete: Bool, missing: [String],
      metrics: [MetricScore]
    ) {
      self.id = id
      self.name = name
      self.score = score
      self.complete = complete
      self.missing = missing
      self.metrics = metrics
    }
  }

  public struct Skew: Codable, Sendable, Equatable {
    /// log2((R_fp16 / R_fp64) / 4): 0 on the 1:2:4 rule, +1 twice as AI-leaning, −1 the reverse.
    public var index: Double?
    public var fp64: Double?
    public var fp32: Double?
    public var fp16: Double?
    public var reading: String

    public init(index: Double?, fp64: Double?, fp32: Double?, fp16: Double?, reading: String) {
      self.index = index
      self.fp64 = fp64
      self.fp32 = fp32
      self.fp16 = fp16
      self.reading = reading
    }
  }

  public var standard: StandardRef
  public var profile: String
  public var tier: String
  public var nodes: Int
  public var dimensions: [DimensionScore]
  public var composite: Double?
  public var complete: Bool
  public var grade: String
  /// 超算型 / 智算型 / 通算型 / 超智融合型.
  public var classification: String
  public var skew: Skew
  /// Under a standard with run rules: the dimensions the composite lacks (then it has no grade
  /// and no classification), and whether any scored value is an estimate.
  public var lacking: [String]?
  public var estimate: Bool?
  /// Schema v2: the scored figures that were imported from other tools' logs (asked for with
  /// --include-imported; verified from the log only), by key → tool. Absent: none.
  public var imported: [String: String]?

  public init(
    standard: StandardRef, profile: String, tier: String, nodes: Int, dimensions: [DimensionScore],
    composite: Double?, complete: Bool, grade: String, classification: String, skew: Skew
  ) {
    self.standard = standard
    self.profile = profile
    self.tier = tier
    self.nodes = nodes
    self.dimensions = dimensions
    self.composite = composite
    self.complete = complete
    self.grade = grade
    self.classification = classification
    self.skew = skew
  }
}
