import Foundation
import Measurement
import ReportFormat

/// Internal consistency of a report, as `suanli verify` checks it: what can be recomputed from
/// the raw samples must match what the report states.
public enum ReportAudit {
  /// Decodes a report, reading the schema version before the body (from `version` when the
  /// caller has already parsed the document).
  public static func decode(_ bytes: [UInt8], version known: Int? = nil) throws -> Report {
    struct Version: Decodable { var schemaVersion: Int }
    let data = Data(bytes)
    let version: Int
    if let known {
      version = known
    } else {
      do {
        version = try JSONDecoder().decode(Version.self, from: data).schemaVersion
      } catch {
        throw ReportError.io(path: "report", message: "schemaVersion: missing or not an integer")
      }
    }
    guard Report.readableSchemaVersions.contains(version) else {
      throw ReportError.io(
        path: "report",
        message:
          "schemaVersion: \(version) is not supported (this suanli reads \(Report.readableSchemaVersions.map(String.init).joined(separator: " and ")))"
      )
    }
    do {
      return try JSONDecoder().decode(Report.self, from: data)
    } catch let DecodingError.keyNotFound(key, context) {
      throw ReportError.io(path: "report", message: "\(path(context.codingPath + [key])): missing")
    } catch let DecodingError.typeMismatch(_, context) {
      throw ReportError.io(
        path: "report", message: "\(path(context.codingPath)): \(context.debugDescription)")
    } catch let DecodingError.dataCorrupted(context) {
      throw ReportError.io(
        path: "report", message: "\(path(context.codingPath)): \(context.debugDescription)")
    } catch {
      throw ReportError.io(path: "report", message: "not a Suanli report: \(error)")
    }
  }

  private static func path(_ keys: [CodingKey]) -> String {
    let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    return text.hasPrefix(".") ? String(text.dropFirst()) : text
  }

  /// Every inconsistency found, one line each (empty: consistent).
  public static func problems(_ report: Report) -> [String] {
    var problems: [String] = []
    // A job's node statistics and outliers follow from its node results.
    if let stated = report.nodeStatistics,
      stated != NodeStatistics.compute(report.results, nodes: report.nodes)
    {
      problems.append(
        "nodeStatistics do not recompute from the node results (min, median, max, CV or outliers differ)")
    }
    for (index, result) in report.results.enumerated() {
      let place = "results[\(index)] \(result.id)"
      if result.valid != (result.status == .ok) {
        problems.append("\(place): valid=\(result.valid) but status=\(result.status.rawValue)")
      }
      if result.status == .ok, result.validation?.passed != true {
        problems.append("\(place): status ok without a passed validity check")
      }
      if result.statistics != Statistics(result.samples) {
        problems.append("\(place): statistics do not match the samples")
      }
      if let imported = result.imported {
        // An imported figure is the log's; what the log allowed to check is in `imported`.
        if report.imported == nil {
          problems.append("\(place): imported from \(imported.source) in a report that was not")
        }
        if (imported.validity == .failed) != (result.status != .ok) {
          problems.append(
            "\(place): imported validity \(imported.validity.rawValue) but status \(result.status.rawValue)")
        }
        continue
      }
      if report.imported != nil {
        problems.append("\(place): a measured result in an imported report")
        continue
      }
      guard result.status == .ok, let best = result.samples.min() else { continue }
      if let expected = expectedHeadline(result, bestSeconds: best),
        let stated = result.metric(expected.name)?.value,
        abs(stated - expected.value) > 1e-9 * abs(expected.value)
      {
        problems.append(
          "\(place): \(expected.name) \(stated) is not \(expected.value), recomputed from the samples"
        )
      }
      problems += energyProblems(result, best: best).map { "\(place): \($0)" }
    }
    return problems
  }

  /// The energy metrics must follow from the result's energy reading and samples: energy per
  /// repetition, average power = joules / seconds, work per joule = rate × best time ×
  /// repetitions / joules, each named with the scope when it is not a whole node's
  /// (`BenchmarkResult.repetitions`: a GPU sample is a batch of GEMMs).
  static func energyProblems(_ result: BenchmarkResult, best: Double) -> [String] {
    guard let primary = result.energy?.primary else {
      let stray = result.metrics.filter {
        $0.unit == .joules || $0.unit == .flopsPerJoule || $0.unit == .bytesPerJoule
      }
      return stray.map { "\($0.name) without an energy reading" }
    }
    var problems: [String] = []
    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(abs(a), abs(b)) }
    if primary.seconds > 0, !close(primary.averageWatts, primary.joules / primary.seconds) {
      problems.append(
        "energy: averageWatts \(primary.averageWatts) is not joules / seconds (\(primary.joules / primary.seconds))"
      )
    }
    let suffix = primary.nodeWide ? "" : "(\(primary.scope))"
    let repetitions = result.repetitions
    var expected = [
      ("energy" + suffix, primary.joules / repetitions),
      ("averagePower" + suffix, primary.averageWatts),
    ]
    if let rate = result.metric("rate") ?? result.metric("bandwidth"), primary.joules > 0 {
      let name = rate.unit == .flopsPerSecond ? "flopsPerJoule" : "bytesPerJoule"
      expected.append((name + suffix, rate.value * best * repetitions / primary.joules))
    }
    for (name, value) in expected {
      if let stated = result.metric(name)?.value, !close(stated, value) {
        problems.append("\(name) \(stated) is not \(value), recomputed from the energy reading")
      }
    }
    let known = Set(expected.map(\.0))
    for metric in result.metrics
    where [.joules, .watts, .flopsPerJoule, .bytesPerJoule].contains(metric.unit)
      && !known.contains(metric.name)
    {
      problems.append("\(metric.name): not a metric of the \(primary.scope) reading")
    }
    return problems
  }

  /// The headline figure recomputed from parameters and the best sample.
  static func expectedHeadline(_ result: BenchmarkResult, bestSeconds: Double) -> (
    name: String, value: Double
  )? {
    func int(_ name: String) -> Int? {
      if case .int(let v)? = result.parameters[name] { return v }
      return nil
    }
    if result.id.hasPrefix("stream."), let bytes = result.metric("bytesPerIteration")?.value {
      return ("bandwidth", bytes / bestSeconds)
    }
    if result.id == "hpl.fp64" || result.id == "hplmxp", let n = int("n") {
      return ("rate", FlopCount.hpl(n: n) / bestSeconds)
    }
    if result.id.hasPrefix("gemm."), let m = int("m"), let n = int("n"), let k = int("k") {
      return ("rate", FlopCount.gemm(m: m, n: n, k: k) / bestSeconds)
    }
    return nil
  }
}
