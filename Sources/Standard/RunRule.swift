import Foundation
import ReportFormat

/// What a measurement must satisfy for its figures to be *conforming* under a standard (SPEC's
/// "reportable" as against "estimate"). A figure that misses a rule is still shown, labelled an
/// estimate with the rule it missed, and never ranked against conforming ones.
public struct RunRule: Sendable, Equatable {
  public enum Check: Sendable, Equatable {
    /// HPL's matrix (8·n² bytes) against the memory of the nodes it ran on: ≥ minimum.
    case memoryFraction(minimum: Double)
    /// STREAM's three arrays against the node's last-level caches: each array ≥ minimum × the
    /// summed last-level cache (McCalpin's rule is 4).
    case cacheMultiple(minimum: Double)
    /// A parameter of the result (after sizing) at least `minimum`.
    case parameter(name: String, minimum: Double)
    /// At least this many timed samples.
    case samples(minimum: Int)
    /// The node was quiet: other processes' share of the CPUs (and a VM's steal time) during
    /// the run at most `maximum`.
    case quietNode(maximum: Double)
  }

  public var id: String
  /// Result ids the rule applies to; "*" for every result, "stream.*" for a family.
  public var benchmarks: [String]
  public var check: Check
  /// Why the rule exists (its source).
  public var why: String

  public init(id: String, benchmarks: [String], check: Check, why: String) {
    self.id = id
    self.benchmarks = benchmarks
    self.check = check
    self.why = why
  }

  public func applies(to resultID: String) -> Bool {
    benchmarks.contains { pattern in
      pattern == "*" || pattern == resultID
        || (pattern.hasSuffix(".*") && resultID.hasPrefix(String(pattern.dropLast(1))))
    }
  }

  /// nil when `result` of `report` satisfies the rule; else one line saying what it missed.
  public func violation(_ result: BenchmarkResult, in report: Report) -> String? {
    func number(_ name: String) -> Double? {
      switch result.parameters[name] {
      case .int(let v)?: return Double(v)
      case .double(let v)?: return v
      default: return nil
      }
    }
    let nodes: [NodeRecord]
    if let index = result.node, report.nodes.indices.contains(index) {
      nodes = [report.nodes[index]]
    } else if result.scope == .job {
      nodes = report.nodes
    } else {
      nodes = Array(report.nodes.prefix(1))
    }
    switch check {
    case .memoryFraction(let minimum):
      guard let n = number("n") else { return "\(id): the problem size is not recorded" }
      let memory = nodes.reduce(0.0) { $0 + Double($1.memoryBytes) }
      guard memory > 0 else { return "\(id): the nodes' memory is not recorded" }
      let fraction = 8 * n * n / memory
      return fraction >= minimum
        ? nil
        : "\(id): the matrix uses \(Self.percent(fraction)) of memory, the rule asks \(Self.percent(minimum))"
    case .cacheMultiple(let minimum):
      guard let elements = number("elements") else {
        return "\(id): the array length is not recorded"
      }
      guard let caches = nodes.first?.topology.caches, let level = caches.map(\.level).max()
      else { return "\(id): the last-level cache is not recorded" }
      let cache = caches.filter { $0.level == level && $0.kind != "instruction" }
        .reduce(0.0) { $0 + Double($1.sizeBytes) * Double($1.count) }
      let multiple = 8 * elements / max(1, cache)
      return multiple >= minimum
        ? nil
        : "\(id): arrays are \(Self.times(multiple)) the last-level cache, the rule asks \(Self.times(minimum))"
    case .parameter(let name, let minimum):
      guard let value = number(name) else { return "\(id): \(name) is not recorded" }
      return value >= minimum
        ? nil
        : "\(id): \(name) = \(Self.plain(value)), the rule asks at least \(Self.plain(minimum))"
    case .samples(let minimum):
      return result.samples.count >= minimum
        ? nil : "\(id): \(result.samples.count) timed sample(s), the rule asks \(minimum)"
    case .quietNode(let maximum):
      // A collective benchmark keeps the job's own ranks busy: the rule is for node benchmarks.
      if result.scope == .job { return nil }
      guard let conditions = result.conditions else {
        return "\(id): what else used the node is not recorded (a report from before run rules)"
      }
      let busy = max(conditions.otherCPUShare ?? 0, conditions.stealShare ?? 0)
      return busy <= maximum
        ? nil
        : "\(id): the node was busy (\(Self.percent(busy)) of its CPUs used by others), the rule allows \(Self.percent(maximum))"
    }
  }

  static func percent(_ x: Double) -> String { String(format: "%.0f%%", x * 100) }
  static func times(_ x: Double) -> String { String(format: "%.1f×", x) }
  static func plain(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(format: "%g", x)
  }
}
