import Foundation
import Measurement
import ReportFormat

/// nccl-tests (and rccl-tests) text output: the out-of-place and in-place table of one
/// collective, checked row by row — `#wrong` is 0, algbw is size / time, busbw is algbw times
/// the collective's factor for the ranks the log lists — and the out-of-bounds line. The
/// "Avg bus bandwidth" line (a mean over every size, so it depends on -b/-e) is never imported.
enum NCCLLog: LogFormat {
  static let id = "nccl-tests"
  static let version = 1
  static let summary =
    "nccl-tests / rccl-tests text output (all_reduce_perf, all_gather_perf, ...): → nccl.<collective> busbw, algbw, time per size; #wrong = 0, algbw and busbw recomputed from size, time and the ranks listed, out-of-bounds OK"

  static func detect(_ log: LogText) -> Bool {
    log.lines.prefix(400).contains {
      let line = strip($0)
      return line.hasPrefix("# Out of bounds values") || line.hasPrefix("# Collective test starting:")
        || (line.hasPrefix("#") && line.contains("size") && line.contains("count")
          && line.contains("redop"))
    }
  }

  /// A line without `mpirun --tag-output`'s "[1,0]<stdout>:" and surrounding blanks.
  static func strip(_ line: Substring) -> Substring {
    var line = line.drop { $0 == " " || $0 == "\t" }
    if line.hasPrefix("["), let end = line.range(of: "]<stdout>:") {
      line = line[end.upperBound...].drop { $0 == " " || $0 == "\t" }
    }
    return line
  }

  /// Collective → (result id, busbw factor for n ranks).
  static let collectives: [String: (id: String, factor: @Sendable (Double) -> Double)] = [
    "all_reduce": ("nccl.allreduce", { n in 2 * (n - 1) / n }),
    "all_gather": ("nccl.allgather", { n in (n - 1) / n }),
    "reduce_scatter": ("nccl.reducescatter", { n in (n - 1) / n }),
    "alltoall": ("nccl.alltoall", { n in (n - 1) / n }),
    "broadcast": ("nccl.broadcast", { _ in 1 }),
    "reduce": ("nccl.reduce", { _ in 1 }),
    "sendrecv": ("nccl.sendrecv", { _ in 1 }),
  ]

  struct Row {
    var line: Int
    var size: Int
    var texts: [Substring]
  }

  /// One row of the table as either output gives it: sizes in bytes, times in µs, bandwidths
  /// in GB/s; `wrong` nil where the run did not check its data (N/A, null).
  struct Entry {
    var place: String
    var size: Int
    var time: Double
    var algbw: Double
    var busbw: Double
    var wrong: Double?
    var timeInPlace: Double
    var busbwInPlace: Double
    var wrongInPlace: Double?
    /// Half a unit of the time's last printed digit (µs).
    var timeRounding: Double
  }

  static func parse(_ log: LogText) throws(ImportError) -> ParsedLog {
    var collective: String?
    var version: String?
    var ranks = 0
    var outOfBounds: (ok: Bool, line: Int, text: String)?
    var rows: [Row] = []
    for (index, raw) in log.lines.enumerated() {
      let number = index + 1
      let line = strip(raw)
      if line.hasPrefix("# Collective test starting:") {
        let name = LogNumber.fields(line).last.map(String.init) ?? ""
        collective = name.hasSuffix("_perf") ? String(name.dropLast(5)) : name
      } else if line.hasPrefix("# nccl-tests version") || line.hasPrefix("# rccl-tests version") {
        version = LogNumber.fields(line).dropFirst(3).first.map(String.init)
      } else if line.hasPrefix("#  Rank") || line.hasPrefix("# Rank") {
        ranks += 1
      } else if line.hasPrefix("# Out of bounds values") {
        let text = String(line.dropFirst(2))
        let count = line.split(separator: ":").last.flatMap {
          LogNumber.fields($0).first.flatMap(LogNumber.int)
        }
        outOfBounds = (count == 0 && line.hasSuffix("OK"), number, text)
      } else if !line.hasPrefix("#"), let first = LogNumber.fields(line).first,
        let size = LogNumber.int(first)
      {
        let fields = LogNumber.fields(line)
        guard fields.count >= 9 else {
          throw log.error(
            number, "expected size, count, type, redop, root and two blocks of time, algbw, busbw, #wrong")
        }
        guard size >= 0 else { throw log.error(number, "a negative size") }
        rows.append(Row(line: number, size: size, texts: Array(fields.suffix(8))))
      }
    }
    if collective == nil {
      // Older nccl-tests do not name the test: the file's name may (all_reduce_perf.log).
      let file = URL(fileURLWithPath: log.file).lastPathComponent
      collective = collectives.keys.sorted { $0.count > $1.count }.first { file.contains($0) }
    }
    guard let name = collective, let known = collectives[name] else {
      throw log.error(
        nil,
        collective.map { "collective \"\($0)\" is not imported (\(collectives.keys.sorted().joined(separator: ", ")) are)" }
          ?? "the log does not name its test (no \"# Collective test starting:\" line): name the file after it, e.g. all_reduce_perf.log"
      )
    }
    guard !rows.isEmpty else { throw log.error(nil, "no result rows (size, count, type, ...)") }

    var entries: [Entry] = []
    for row in rows {
      let t = row.texts
      // out-of-place: time algbw busbw #wrong; in-place: the same.
      guard let time = LogNumber.double(t[0]), let algbw = LogNumber.double(t[1]),
        let busbw = LogNumber.double(t[2]), let timeIn = LogNumber.double(t[4]),
        let busbwIn = LogNumber.double(t[6]), time > 0, timeIn > 0, algbw >= 0, busbw >= 0
      else {
        throw log.error(row.line, "expected positive times and bandwidths in both blocks")
      }
      var flags: [Double?] = []
      for flag in [t[3], t[7]] {
        if flag == "N/A" {
          flags.append(nil)
        } else if let count = LogNumber.double(flag) {
          flags.append(count)
        } else {
          throw log.error(row.line, "expected a #wrong count or N/A, got \"\(flag)\"")
        }
      }
      let decimals = t[0].split(separator: ".").dropFirst().first?.count ?? 0
      entries.append(
        Entry(
          place: String(row.line), size: row.size, time: time, algbw: algbw, busbw: busbw,
          wrong: flags[0], timeInPlace: timeIn, busbwInPlace: busbwIn, wrongInPlace: flags[1],
          timeRounding: 0.5 * pow(10, -Double(decimals))))
    }
    let result = table(
      collective: name, factor: known.factor, id: known.id, ranks: ranks, entries: entries,
      places: "lines", bandwidthRounding: 0.005,
      outOfBounds: outOfBounds.map { ($0.ok, $0.line, $0.text) }
        ?? (false, nil, "no \"# Out of bounds values\" line: the log is cut"),
      devices: "\"Using devices\"")
    return ParsedLog(tool: "nccl-tests", toolVersion: version, results: [result])
  }

  /// The result of one collective's table, whichever output it came from: each row checked
  /// (#wrong = 0; algbw = size / time and busbw = algbw × the collective's factor for `ranks`,
  /// within the rounding of the printed values), the out-of-bounds count, the metrics per size.
  static func table(
    collective name: String, factor: @Sendable (Double) -> Double, id: String, ranks: Int,
    entries: [Entry], places: String, bandwidthRounding: Double,
    outOfBounds: (ok: Bool, line: Int?, text: String), devices: String
  ) -> ParsedResult {
    var checks: [ImportCheck] = []
    var metrics: [Metric] = []
    var wrong: [String] = []
    var unchecked = 0
    var algbwOff: [String] = []
    var busbwOff: [String] = []
    let n = Double(ranks)
    for entry in entries {
      for flag in [entry.wrong, entry.wrongInPlace] {
        if let count = flag {
          if count != 0 { wrong.append(entry.place) }
        } else {
          unchecked += 1
        }
      }
      // algbw = size / time (GB/s from µs), within the rounding of both printed values.
      let time = entry.time
      let timeRounding = entry.timeRounding / time
      let recomputed = Double(entry.size) / time / 1e3
      if abs(recomputed - entry.algbw) > (bandwidthRounding + recomputed * timeRounding) * 1.05 + 1e-9 {
        algbwOff.append(entry.place)
      }
      if ranks > 0 {
        let f = factor(n)
        if abs(recomputed * f - entry.busbw)
          > (bandwidthRounding + recomputed * f * timeRounding) * 1.05 + 1e-9
        {
          busbwOff.append(entry.place)
        }
      }
      metrics.append(
        Metric(name: "busbw", value: entry.busbw * 1e9, unit: .bytesPerSecond, polarity: .higherIsBetter, size: entry.size))
      metrics.append(
        Metric(name: "algbw", value: entry.algbw * 1e9, unit: .bytesPerSecond, polarity: .higherIsBetter, size: entry.size))
      metrics.append(
        Metric(name: "time", value: time * 1e-6, unit: .seconds, polarity: .lowerIsBetter, size: entry.size))
      metrics.append(
        Metric(
          name: "busbwInPlace", value: entry.busbwInPlace * 1e9, unit: .bytesPerSecond,
          polarity: .higherIsBetter, size: entry.size))
    }
    let count = entries.count
    if unchecked == count * 2 {
      checks.append(.notCheckable("nccl.wrong", "#wrong is N/A: the run did not check its data (-c 0)"))
    } else {
      checks.append(
        .check(
          "nccl.wrong", wrong.isEmpty && unchecked == 0,
          wrong.isEmpty
            ? (unchecked == 0 ? "#wrong = 0 at every size, both blocks" : "#wrong is N/A on \(unchecked) of \(count * 2) cells")
            : "#wrong ≠ 0 on \(places) \(wrong.joined(separator: ", "))"))
    }
    checks.append(.check("nccl.outOfBounds", outOfBounds.ok, outOfBounds.text, line: outOfBounds.line))
    checks.append(
      .check(
        "nccl.algbw.recomputed", algbwOff.isEmpty,
        algbwOff.isEmpty
          ? "algbw = size / time at all \(count) sizes"
          : "algbw is not size / time on \(places) \(algbwOff.joined(separator: ", "))"))
    if ranks > 0 {
      checks.append(
        .check(
          "nccl.busbw.recomputed", busbwOff.isEmpty,
          busbwOff.isEmpty
            ? "busbw = algbw × the \(name) factor for \(ranks) ranks at every size"
            : "busbw is not algbw × the \(name) factor for \(ranks) ranks on \(places) \(busbwOff.joined(separator: ", "))"
        ))
    } else {
      checks.append(
        .notCheckable("nccl.busbw.recomputed", "the log lists no ranks (\(devices)): the factor is unknown"))
    }
    checks.append(
      .notCheckable("nccl.devices", "the GPUs named under \(devices) are the log's own statement"))
    let last = entries.last!.size
    return ParsedResult(
      id: id, scope: .job,
      parameters: [
        "collective": .string(name), "ranks": ranks > 0 ? .int(ranks) : .null,
        "minSize": .int(entries.first!.size), "maxSize": .int(last),
      ],
      samples: [], metrics: metrics, checks: checks,
      summary: "nccl-tests \(name): busbw \(String(format: "%.2f", (metrics.first { $0.name == "busbw" && $0.size == last }?.value ?? 0) / 1e9)) GB/s at \(last) B, \(ranks) ranks",
      verifying: ["nccl.wrong", "nccl.algbw.recomputed", "nccl.busbw.recomputed"])
  }
}
