import Foundation
import ReportFormat

/// A declarative, versioned compute-service evaluation standard (suites/standards/*.yaml).
public struct EvaluationStandard: Sendable, Equatable {
  public struct Tier: Sendable, Equatable {
    public var name: String
    /// The tier applies when the center's HPL rate (flop/s) is below this; nil = no upper bound.
    public var hplBelow: Double?
    /// Applies only to centers with accelerator results (and they skip to it first).
    public var accelerated = false
    /// The tier whose references stand in for those this one does not state.
    public var referencesFrom: String? = nil
  }

  public struct MetricRule: Sendable, Equatable {
    /// Benchmark id ("hpl.fp64") or "derived" for figures computed from several results.
    public var benchmark: String
    public var metric: String
    /// For sweeps: the message size of the point that counts.
    public var size: Int?
    public var higherIsBetter: Bool
    /// Weight inside the dimension (the weights of a dimension sum to 1).
    public var weight: Double
    /// Reference value per tier name: a score of 100 means "at the reference".
    public var references: [String: Double]
    /// Where the reference comes from.
    public var source: String

    public var key: String { "\(benchmark).\(metric)" + (size.map { "@\($0)" } ?? "") }
  }

  public struct Dimension: Sendable, Equatable {
    public var id: String
    public var name: String
    public var meaning: String
    public var metrics: [MetricRule]
    /// Scored where measured, but its absence does not withhold the grade (listed all the same).
    public var optional: Bool = false
  }

  public struct Grade: Sendable, Equatable {
    public var minimum: Double
    public var grade: String
  }

  public var id: String
  public var version: String
  public var name: String
  /// SHA-256 of the standard file's bytes (hex).
  public var sha256: String
  /// Highest score one metric can earn (a reference exceeded tenfold does not hide a gap).
  public var cap: Double
  public var tiers: [Tier]
  public var dimensions: [Dimension]
  /// Dimension weights per profile (hpc-center, ai-center, fusion-center, general).
  public var profiles: [String: [String: Double]]
  public var grades: [Grade]
  /// A dimension score at least this makes a center strong in it (classification).
  public var strongScore: Double
  public var defaultProfile: String
  /// What a measurement must satisfy to count as conforming (none in version 1).
  public var runRules: [RunRule] = []

  /// The rules `result` of `report` misses, one line each (empty: conforming).
  public func missedRules(_ result: BenchmarkResult, in report: Report) -> [String] {
    runRules.filter { $0.applies(to: result.id) }.compactMap { $0.violation(result, in: report) }
  }

  /// The tier a center belongs to from its HPL rate (the smallest tier when unknown); tiers
  /// marked `accelerated` only for a center with accelerator results.
  public func tier(hplRate: Double?, accelerated: Bool = false) -> String {
    let eligible = tiers.filter { accelerated || !$0.accelerated }
    guard let rate = hplRate else { return eligible.first?.name ?? "" }
    return eligible.first { $0.hplBelow.map { rate < $0 } ?? true }?.name ?? eligible.last?.name
      ?? ""
  }

  /// The reference of `rule` in `tier`, or in the tier it takes references from.
  public func reference(_ rule: MetricRule, tier: String) -> Double? {
    rule.references[tier]
      ?? tiers.first { $0.name == tier }?.referencesFrom.flatMap { rule.references[$0] }
  }

  public func grade(_ score: Double) -> String {
    grades.sorted { $0.minimum > $1.minimum }.first { score >= $0.minimum }?.grade ?? "-"
  }
}
