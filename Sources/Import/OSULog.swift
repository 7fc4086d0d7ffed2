import Foundation
import Measurement
import ReportFormat

/// OSU micro-benchmarks 5.x–7.x: latency, bandwidth, bi-directional bandwidth and allreduce,
/// one table per file. OSU checks the payload only when run with `-c` (a Validation column);
/// without it the figures are the log's claim.
enum OSULog: LogFormat {
  static let id = "osu"
  static let version = 1
  static let summary =
    "OSU micro-benchmarks 5.x-7.x: osu_latency → mpi.pingpong, osu_bw → mpi.bw, osu_bibw → mpi.bibw, osu_allreduce → mpi.allreduce; sizes increasing, the Validation column (-c) where present, else \"payload not validated\""

  /// A "# OSU ... vX.Y" title within the first lines (launchers and some builds print lines
  /// of their own before it).
  static func detect(_ log: LogText) -> Bool {
    log.lines.prefix(50).contains {
      $0.hasPrefix("# OSU ") && $0.range(of: " v[0-9]", options: .regularExpression) != nil
    }
  }

  /// The tests read: title fragment → (result id, metric, unit, scale to base units).
  static let tests: [(title: String, id: String, metric: String, unit: MetricUnit, scale: Double)] = [
    ("MPI Bi-Directional Bandwidth Test", "mpi.bibw", "bandwidth", .bytesPerSecond, 1e6),
    ("MPI Bandwidth Test", "mpi.bw", "bandwidth", .bytesPerSecond, 1e6),
    ("MPI Allreduce Latency Test", "mpi.allreduce", "latency", .seconds, 1e-6),
    ("MPI Latency Test", "mpi.pingpong", "latency", .seconds, 1e-6),
  ]

  static func parse(_ log: LogText) throws(ImportError) -> ParsedLog {
    guard let titleIndex = log.lines.firstIndex(where: { $0.hasPrefix("# OSU ") }) else {
      throw log.error(nil, "no \"# OSU ... vX.Y\" title line")
    }
    let title = log.lines[titleIndex]
    let version = title.range(of: " v[0-9][0-9.]*", options: .regularExpression).map {
      String(title[$0].dropFirst(2))
    }
    guard let test = tests.first(where: { title.contains($0.title) }) else {
      throw log.error(
        titleIndex + 1,
        "\"\(title.dropFirst(2))\" is not imported (osu_latency, osu_bw, osu_bibw and osu_allreduce are)"
      )
    }
    var validationColumn = false
    var points: [(size: Int, value: Double, valid: Bool?, line: Int)] = []
    for (index, line) in log.lines.enumerated() where index > titleIndex {
      let number = index + 1
      if line.hasPrefix("#") {
        if line.contains("Validation") { validationColumn = true }
        continue
      }
      let fields = LogNumber.fields(line)
      guard !fields.isEmpty else { continue }
      guard let size = LogNumber.int(fields[0]), size >= 0 else {
        throw log.error(number, "expected a message size in bytes, got \"\(fields[0])\"")
      }
      guard fields.count >= 2, let value = LogNumber.double(fields[1]), value > 0 else {
        throw log.error(number, "expected a positive \(test.metric) after the size \(size)")
      }
      var valid: Bool? = nil
      if validationColumn {
        switch fields.last {
        case "Pass": valid = true
        case "Fail": valid = false
        default:
          throw log.error(number, "expected Pass or Fail in the Validation column")
        }
      }
      points.append((size, value, valid, number))
    }
    guard !points.isEmpty else { throw log.error(nil, "no size/value rows under the title") }

    var checks: [ImportCheck] = []
    let increasing = zip(points, points.dropFirst()).allSatisfy { $0.size < $1.size }
    checks.append(
      .check(
        "osu.sizes", increasing,
        increasing
          ? "\(points.count) sizes, \(points.first!.size) B to \(points.last!.size) B, increasing"
          : "message sizes do not increase: not one OSU table"))
    if validationColumn {
      let failed = points.filter { $0.valid == false }
      checks.append(
        .check(
          "osu.validation", failed.isEmpty,
          failed.isEmpty
            ? "OSU's payload check (-c) passed at every size"
            : "OSU's payload check failed at \(failed.map { "\($0.size) B (line \($0.line))" }.joined(separator: ", "))"
        ))
    } else {
      checks.append(
        .notCheckable(
          "osu.validation", "payload not validated: OSU checks the data only when run with -c"))
    }
    checks.append(
      .notCheckable(
        "osu.placement", "OSU prints neither the hosts nor the transport: intra- or inter-node is the user's claim"))
    let metrics = points.map {
      Metric(
        name: test.metric, value: $0.value * test.scale, unit: test.unit,
        polarity: test.unit == .seconds ? .lowerIsBetter : .higherIsBetter,
        size: test.id == "mpi.barrier" ? nil : $0.size)
    }
    let result = ParsedResult(
      id: test.id, scope: .job,
      parameters: ["minSize": .int(points.first!.size), "maxSize": .int(points.last!.size)],
      samples: [], metrics: metrics, checks: checks, summary: String(title.dropFirst(2)),
      verifying: ["osu.validation"])
    return ParsedLog(tool: "OSU micro-benchmarks", toolVersion: version, results: [result])
  }
}
