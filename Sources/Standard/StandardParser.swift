import Crypto
import Files
import Foundation
import Yams

/// Why a standard cannot be used: one line naming the file, the field and the expectation.
public struct StandardError: Error, CustomStringConvertible, Equatable {
  public var file: String
  public var field: String
  public var message: String
  public var description: String { "\(file): \(field): \(message)" }
}

/// Reads and checks a standard file: known benchmark ids, weights summing to 1 per dimension
/// and per profile, positive references for every tier.
public enum StandardParser {
  /// Major versions this build reads: 1 (no run rules), 2 (run rules, optional dimensions), 3
  /// (the same rules as 2; the major version marks a change of dimensions and references).
  public static let supportedMajorVersions = [1, 2, 3]

  struct File: Decodable {
    struct Tier: Decodable {
      var name: String
      var hplBelow: Double?
      var accelerated: Bool?
      var referencesFrom: String?
    }
    struct Metric: Decodable {
      var benchmark: String
      var metric: String
      var size: Int?
      var polarity: String
      var weight: Double
      var reference: [String: Double]
      var source: String
    }
    struct Dimension: Decodable {
      var id: String
      var name: String
      var meaning: String
      var metrics: [Metric]
      var optional: Bool?
    }
    struct Rule: Decodable {
      var id: String
      var benchmarks: [String]
      var check: String
      var minimum: Double?
      var maximum: Double?
      var parameter: String?
      var why: String
    }
    struct Grade: Decodable {
      var minimum: Double
      var grade: String
    }
    var id: String
    var version: String
    var name: String
    var cap: Double
    var tiers: [Tier]
    var dimensions: [Dimension]
    var profiles: [String: [String: Double]]
    var defaultProfile: String
    var grades: [Grade]
    var strongScore: Double
    var runRules: [Rule]?
  }

  /// Larger standard files are refused before reading (cses-1.yaml is 6 KB).
  public static let maximumBytes = 1 << 20

  /// `knownBenchmarks`: ids a metric may name besides "derived" (nil: any id).
  public static func load(path: String, knownBenchmarks: Set<String>?) throws -> EvaluationStandard
  {
    let data: [UInt8]
    do { data = try BoundedFile.read(path, limit: maximumBytes) } catch {
      throw StandardError(file: path, field: "file", message: "\(error)")
    }
    let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    return try parse(
      String(decoding: data, as: UTF8.self), file: path, sha256: digest,
      knownBenchmarks: knownBenchmarks)
  }

  public static let derivedMetrics: Set<String> = [
    "precisionBalance", "bytesPerFlop", "flopsPerWatt", "hpcgToHPL",
  ]

  public static func parse(
    _ text: String, file: String, sha256: String, knownBenchmarks: Set<String>?
  ) throws
    -> EvaluationStandard
  {
    func fail(_ field: String, _ message: String) -> StandardError {
      StandardError(file: file, field: field, message: message)
    }
    let raw: File
    do {
      guard let node = try Yams.compose(yaml: text) else { throw fail("file", "is empty") }
      guard YAMLExpansion.isBounded(node) else {
        throw fail(
          "yaml",
          "expands to more than \(YAMLExpansion.maximumNodes) nodes through aliases; a standard has a few hundred"
        )
      }
      raw = try YAMLDecoder().decode(File.self, from: node)
    } catch let error as StandardError {
      throw error
    } catch let DecodingError.keyNotFound(key, context) {
      throw fail((context.codingPath + [key]).map(\.stringValue).joined(separator: "."), "missing")
    } catch let DecodingError.typeMismatch(_, context) {
      throw fail(
        context.codingPath.map(\.stringValue).joined(separator: "."),
        "wrong type: \(context.debugDescription)")
    } catch {
      throw fail(
        "yaml",
        "not a valid standard: \(String(describing: error).split(separator: "\n").first ?? "")")
    }
    guard let major = raw.version.split(separator: ".").first.flatMap({ Int($0) }),
      supportedMajorVersions.contains(major)
    else {
      throw fail(
        "version",
        "expected \(supportedMajorVersions.dropLast().map { "\($0).x" }.joined(separator: ", ")) or \(supportedMajorVersions.last!).x, got \(raw.version)"
      )
    }
    if major < 2, raw.runRules != nil {
      throw fail("runRules", "run rules need a standard of version 2 or later")
    }
    var runRules: [RunRule] = []
    for (r, rule) in (raw.runRules ?? []).enumerated() {
      let field = "runRules[\(r)] \(rule.id)"
      func bound(_ value: Double?, _ name: String) throws -> Double {
        guard let value, value.isFinite, value >= 0 else {
          throw fail(field + ".\(name)", "expected a number ≥ 0")
        }
        return value
      }
      let check: RunRule.Check
      switch rule.check {
      case "memoryFraction": check = .memoryFraction(minimum: try bound(rule.minimum, "minimum"))
      case "cacheMultiple": check = .cacheMultiple(minimum: try bound(rule.minimum, "minimum"))
      case "samples": check = .samples(minimum: Int(try bound(rule.minimum, "minimum")))
      case "quietNode": check = .quietNode(maximum: try bound(rule.maximum, "maximum"))
      case "parameter":
        guard let name = rule.parameter, !name.isEmpty else {
          throw fail(field + ".parameter", "expected the parameter's name")
        }
        check = .parameter(name: name, minimum: try bound(rule.minimum, "minimum"))
      default:
        throw fail(
          field + ".check",
          "expected memoryFraction, cacheMultiple, parameter, samples or quietNode, got \(rule.check)"
        )
      }
      guard !rule.benchmarks.isEmpty else { throw fail(field + ".benchmarks", "expected ids") }
      for pattern in rule.benchmarks where pattern != "*" && !pattern.hasSuffix(".*") {
        if let knownBenchmarks, !knownBenchmarks.contains(pattern) {
          throw fail(field + ".benchmarks", "unknown benchmark id \"\(pattern)\"")
        }
      }
      runRules.append(
        RunRule(id: rule.id, benchmarks: rule.benchmarks, check: check, why: rule.why))
    }
    guard raw.cap >= 100 else { throw fail("cap", "expected at least 100, got \(raw.cap)") }
    guard !raw.tiers.isEmpty else { throw fail("tiers", "expected at least one tier") }
    // A tier may take the references it does not state from another tier (a GPU node's host
    // figures are a CPU node's): that tier must exist and state all of its own.
    for (t, tier) in raw.tiers.enumerated() {
      if let source = tier.referencesFrom {
        guard let from = raw.tiers.first(where: { $0.name == source }), from.referencesFrom == nil
        else {
          throw fail(
            "tiers[\(t)].referencesFrom",
            "expected the name of a tier that states its own references, got \"\(source)\"")
        }
      }
    }
    var dimensions: [EvaluationStandard.Dimension] = []
    for (d, dimension) in raw.dimensions.enumerated() {
      var rules: [EvaluationStandard.MetricRule] = []
      for (m, metric) in dimension.metrics.enumerated() {
        let field = "dimensions[\(d)] \(dimension.id).metrics[\(m)]"
        if metric.benchmark == "derived" {
          guard derivedMetrics.contains(metric.metric) else {
            throw fail(
              field + ".metric",
              "unknown derived metric \"\(metric.metric)\" (known: \(derivedMetrics.sorted().joined(separator: ", ")))"
            )
          }
        } else if let knownBenchmarks, !knownBenchmarks.contains(metric.benchmark) {
          throw fail(field + ".benchmark", "unknown benchmark id \"\(metric.benchmark)\"")
        }
        guard metric.polarity == "higherIsBetter" || metric.polarity == "lowerIsBetter" else {
          throw fail(
            field + ".polarity", "expected higherIsBetter or lowerIsBetter, got \(metric.polarity)")
        }
        guard metric.weight > 0 else {
          throw fail(field + ".weight", "expected a weight > 0, got \(metric.weight)")
        }
        for tier in raw.tiers {
          guard let value = metric.reference[tier.name] ?? tier.referencesFrom.flatMap({ metric.reference[$0] })
          else {
            throw fail(field + ".reference", "missing tier \"\(tier.name)\"")
          }
          let name = tier.name
          guard value > 0, value.isFinite else {
            throw fail(field + ".reference.\(name)", "expected a positive reference, got \(value)")
          }
        }
        rules.append(
          EvaluationStandard.MetricRule(
            benchmark: metric.benchmark, metric: metric.metric, size: metric.size,
            higherIsBetter: metric.polarity == "higherIsBetter", weight: metric.weight,
            references: metric.reference, source: metric.source))
      }
      let sum = rules.reduce(0) { $0 + $1.weight }
      guard abs(sum - 1) <= 1e-9 else {
        throw fail("dimensions[\(d)] \(dimension.id)", "metric weights sum to \(sum), expected 1")
      }
      dimensions.append(
        .init(
          id: dimension.id, name: dimension.name, meaning: dimension.meaning, metrics: rules,
          optional: dimension.optional ?? false))
    }
    let ids = Set(dimensions.map(\.id))
    for (name, weights) in raw.profiles {
      for key in weights.keys where !ids.contains(key) {
        throw fail(
          "profiles.\(name).\(key)",
          "unknown dimension (known: \(ids.sorted().joined(separator: ", ")))")
      }
      let sum = weights.values.reduce(0, +)
      guard abs(sum - 1) <= 1e-9 else {
        throw fail("profiles.\(name)", "weights sum to \(sum), expected 1")
      }
    }
    guard raw.profiles[raw.defaultProfile] != nil else {
      throw fail("defaultProfile", "\"\(raw.defaultProfile)\" is not one of the profiles")
    }
    return EvaluationStandard(
      id: raw.id, version: raw.version, name: raw.name, sha256: sha256, cap: raw.cap,
      tiers: raw.tiers.map {
        .init(
          name: $0.name, hplBelow: $0.hplBelow, accelerated: $0.accelerated ?? false,
          referencesFrom: $0.referencesFrom)
      }, dimensions: dimensions,
      profiles: raw.profiles,
      grades: raw.grades.map { .init(minimum: $0.minimum, grade: $0.grade) },
      strongScore: raw.strongScore, defaultProfile: raw.defaultProfile, runRules: runRules)
  }
}
