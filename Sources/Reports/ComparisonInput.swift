import Comparison
import Crypto
import Foundation
import ReportFormat
import Signing
import Standard
import Synchronization

/// Reads report files and folders for `suanli compare`: verifies each, drops exact duplicates,
/// groups by center and scores each center with one standard.
public enum ComparisonInput {
  public struct Collected: Sendable {
    public var columns: [CenterColumn]
    public var notes: [String]
    /// Files that could not be used at all (unreadable, not JSON, unknown schema version).
    public var problems: [String]
    /// True when any report is invalid or unsigned (for --strict).
    public var anyUnverified: Bool
  }

  /// `*.json` files under the paths (folders recursively), sorted for a stable order.
  public static func files(_ paths: [String]) -> [String] {
    var files: [String] = []
    for path in paths {
      var isFolder: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
        files.append(path)
        continue
      }
      if isFolder.boolValue {
        let found = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? [])
          .filter { $0.hasSuffix(".json") }.sorted().map {
            (path as NSString).appendingPathComponent($0)
          }
        files += found
      } else {
        files.append(path)
      }
    }
    return files
  }

  /// The verdict in a table cell: "trusted: NAME", "untrusted", "unsigned", "INVALID".
  static func short(_ verdict: String) -> String {
    if let imported = verdict.range(of: " (imported from ") {
      return short(String(verdict[..<imported.lowerBound])) + ", imported"
    }
    if verdict.hasPrefix("INVALID") { return "INVALID" }
    if verdict.hasPrefix("valid, trusted"), let open = verdict.lastIndex(of: "(") {
      return "trusted: " + verdict[verdict.index(after: open)...].dropLast()
    }
    if verdict.hasPrefix("valid, untrusted") { return "untrusted" }
    return verdict
  }

  /// One file, read, parsed and verified (independent of every other file).
  enum Loaded: Sendable {
    case problem(String)
    case parsed(identity: String, outcome: ReportVerification.Outcome)
  }

  static func load(_ path: String, trust: TrustStore) -> Loaded {
    let bytes: [UInt8]
    do { bytes = try ReportVerification.read(path) } catch { return .problem("\(path): \(error)") }
    let node: JSONNode
    do { node = try JSONParser.parse(bytes) } catch {
      return .problem("\(path): not JSON: \(error)")
    }
    // Same content, counted once: a signed report is identified by its signature (Ed25519 is
    // deterministic over the canonical form, so equal content signed by one key gives one
    // value); an unsigned one by the hash of its canonical form, so that reformatting it
    // (indentation, member order, number spelling) does not make it a second report.
    let identity =
      node["signature"]?["value"]?.stringValue
      ?? SHA256.hash(data: Canonicalizer.canonical(node)).map { String(format: "%02x", $0) }
      .joined()
    return .parsed(
      identity: identity,
      outcome: ReportVerification.verify(
        bytes: bytes, node: node, trust: trust, requireTrusted: false))
  }

  public static func collect(
    paths: [String], standard: EvaluationStandard, profile: String?, trust: TrustStore,
    includeImported: Bool = false
  ) -> Collected {
    var notes: [String] = []
    var problems: [String] = []
    var seen: [String: String] = [:]
    var reports: [(report: Report, verdict: String, good: Bool)] = []
    var standards = Set<String>()
    // Files are read and verified on every core; what follows goes in file order.
    let paths = files(paths)
    let loaded = Mutex([Loaded?](repeating: nil, count: paths.count))
    DispatchQueue.concurrentPerform(iterations: paths.count) { i in
      let one = load(paths[i], trust: trust)
      loaded.withLock { $0[i] = one }
    }
    for (path, item) in zip(paths, loaded.withLock { $0 }) {
      switch item {
      case .problem(let problem)?:
        problems.append(problem)
      case .parsed(let identity, _)? where seen[identity] != nil:
        notes.append("\(path) is the same report as \(seen[identity]!): counted once")
      case .parsed(let identity, let outcome)?:
        guard let report = outcome.report else {
          problems.append("\(path): \(outcome.verdict.0)")
          continue
        }
        seen[identity] = path
        if let imported = report.imported, !includeImported {
          notes.append(
            "\(path): imported from \(imported.tool) (\(imported.file)), not measured: left out (--include-imported shows what its log verifies, labelled imp.)"
          )
          continue
        }
        let (verdict, good) = outcome.verdict
        if let score = report.score {
          standards.insert(
            "\(score.standard.id) \(score.standard.version) (\(score.standard.sha256.prefix(12)))")
        }
        reports.append((report, verdict, good))
      case nil:
        problems.append("\(path): not read")
      }
    }
    if standards.count > 1
      || (standards.count == 1 && !standards.first!.contains(String(standard.sha256.prefix(12))))
    {
      notes.append(
        "reports carry scores from \(standards.sorted().joined(separator: ", ")); all rescored here with \(standard.id) \(standard.version)"
      )
    }
    let figures = CenterFigures.aggregate(
      reports.map(\.report), standard: standard, includeImported: includeImported)
    let columns = figures.map { center -> CenterColumn in
      let own = reports.filter { $0.report.center == center.center }
      func rank(_ verdict: String) -> Int {
        verdict.hasPrefix("INVALID")
          ? 3 : verdict.hasPrefix("unsigned") ? 2 : verdict.hasPrefix("valid, untrusted") ? 1 : 0
      }
      let worst = own.max { rank($0.verdict) < rank($1.verdict) }?.verdict ?? "unsigned"
      let signature = short(worst) + (own.count > 1 ? " (\(own.count) reports)" : "")
      let date = own.map(\.report.createdAt).max().map { String($0.prefix(10)) } ?? "—"
      var column = CenterColumn(
        center: center.center, figures: center,
        score: Scorer.score(center, standard: standard, profile: profile),
        signature: signature, verified: own.allSatisfy(\.good), date: date, reports: own.count)
      column.outliers = outliers(own.map(\.report))
      return column
    }
    for column in columns where !column.verified {
      let verdicts = reports.filter { $0.report.center == column.center && !$0.good }.map(\.verdict)
      notes.append(
        "\(column.center): \(verdicts.first ?? column.signature) — its figures are shown, flagged")
    }
    return Collected(
      columns: columns, notes: notes, problems: problems,
      anyUnverified: columns.contains { !$0.verified })
  }

  /// The outlier nodes the reports' jobs found, one line per node and metric.
  static func outliers(_ reports: [Report]) -> [String] {
    var lines: [String] = []
    for report in reports {
      for statistic in report.nodeStatistics ?? [] {
        for outlier in statistic.outliers {
          let percent = (outlier.ratioToMedian - 1) * 100
          let sign = percent < 0 ? "−" : "+"
          lines.append(
            "node \(outlier.node) (\(outlier.hostname)): \(statistic.id) \(statistic.metric) \(sign)\(String(format: "%.1f", abs(percent)))%"
          )
        }
      }
    }
    return lines
  }
}
