import Foundation
import Measurement
import ReportFormat

/// McCalpin's STREAM (stream.c 5.x): the four kernels' best rates, checked against the array
/// size and the minimum times, "Solution Validates" and the clock-tick guideline.
enum StreamLog: LogFormat {
  static let id = "stream"
  static let version = 1
  static let summary =
    "McCalpin's STREAM 5.x output: copy, scale, add, triad → stream.*; Solution Validates, rates recomputed from the array size and the minimum times, ≥ 20 clock ticks per test"

  static func detect(_ log: LogText) -> Bool {
    log.find("STREAM version $Revision:") != nil && log.find("Begin of Summary section.") == nil
  }

  static func parse(_ log: LogText) throws(ImportError) -> ParsedLog {
    var version: String?
    var elements: Int?
    var bytesPerElement = 8
    var threads: Int?
    var ticks: (Int, Int)?
    var validates: (Bool, Int, String)?
    var rows: [(kernel: String, line: Int, rate: Double, avg: Double, min: Double, max: Double)] = []
    for (index, line) in log.lines.enumerated() {
      let number = index + 1
      let fields = LogNumber.fields(line)
      if line.contains("STREAM version $Revision:") {
        version = fields.drop { $0 != "$Revision:" }.dropFirst().first.map(String.init)
      } else if line.hasPrefix("This system uses"), line.contains("bytes per array element") {
        bytesPerElement = fields.dropFirst(3).first.flatMap(LogNumber.int) ?? bytesPerElement
      } else if line.hasPrefix("Array size =") {
        guard let value = fields.dropFirst(3).first.flatMap(LogNumber.int), value > 0 else {
          throw log.error(number, "expected \"Array size = N (elements)\" with N > 0")
        }
        elements = value
      } else if line.hasPrefix("Number of Threads counted =") {
        threads = fields.last.flatMap(LogNumber.int)
      } else if line.contains("clock ticks)"), let open = line.firstIndex(of: "=") {
        let value = LogNumber.fields(line[line.index(after: open)...]).first.flatMap(
          LogNumber.int)
        if let value { ticks = (value, number) }
      } else if line.hasPrefix("Solution Validates") {
        validates = (true, number, String(line))
      } else if line.hasPrefix("Failed Validation") || line.contains("Validation failed") {
        validates = (false, number, String(line))
      } else if let kernel = ["Copy:", "Scale:", "Add:", "Triad:"].first(where: {
        line.hasPrefix($0)
      }) {
        let numbers = fields.dropFirst().compactMap(LogNumber.double)
        guard numbers.count == 4, numbers.allSatisfy({ $0 > 0 }) else {
          throw log.error(
            number, "expected \(kernel) then 4 positive numbers (best rate MB/s, avg, min, max time)")
        }
        rows.append(
          (
            String(kernel.dropLast()).lowercased(), number, numbers[0], numbers[1], numbers[2],
            numbers[3]
          ))
      }
    }
    guard !rows.isEmpty else {
      throw log.error(nil, "no kernel line (Copy:, Scale:, Add:, Triad:) found")
    }
    guard let elements else { throw log.error(nil, "no \"Array size = N (elements)\" line") }
    var parsed = ParsedLog(tool: "STREAM", toolVersion: version, results: [])
    if let (passed, line, text) = validates {
      parsed.checks.append(.check("stream.validates", passed, text, line: line))
    } else {
      parsed.checks.append(
        .check("stream.validates", false, "no \"Solution Validates\" line: the arrays were not checked or the log is cut"))
    }
    if let (value, line) = ticks {
      parsed.checks.append(
        .check(
          "stream.clockTicks", value >= 20,
          "\(value) clock ticks per test (STREAM asks at least 20)", line: line))
    } else {
      parsed.checks.append(.notCheckable("stream.clockTicks", "the log does not print the ticks"))
    }
    parsed.checks.append(
      .notCheckable(
        "stream.arraySize",
        "arrays of \(elements) elements: whether they are 4× the last-level caches needs the node's topology, which the log does not give"
      ))
    for row in rows {
      let arrays = row.kernel == "copy" || row.kernel == "scale" ? 2.0 : 3.0
      let bytes = arrays * Double(bytesPerElement) * Double(elements)
      let recomputed = 1e-6 * bytes / row.min
      // Printed: the rate to 0.1 MB/s, the times to 1 µs.
      let tolerance = (0.05 / row.rate + 5e-7 / row.min) * 1.05 + 1e-9
      let off = abs(recomputed - row.rate) / row.rate
      let check = ImportCheck.check(
        "stream.rate.recomputed", off <= tolerance,
        "\(row.rate) MB/s vs \(Int(arrays)) arrays × \(bytesPerElement) B × \(elements) / \(row.min) s = \(String(format: "%.1f", recomputed)) MB/s",
        line: row.line)
      parsed.results.append(
        ParsedResult(
          id: "stream.\(row.kernel)", scope: nil,
          parameters: [
            "elements": .int(elements), "bytesPerElement": .int(bytesPerElement),
            "threads": threads.map { .int($0) } ?? .null, "averageSeconds": .double(row.avg),
            "maximumSeconds": .double(row.max),
          ],
          samples: [row.min],
          metrics: [
            Metric(
              name: "bandwidth", value: row.rate * 1e6, unit: .bytesPerSecond,
              polarity: .higherIsBetter)
          ],
          checks: [check], summary: String(log.line(row.line))))
    }
    return parsed
  }
}
