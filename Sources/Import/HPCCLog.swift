import Foundation
import Measurement
import ReportFormat

/// HPC Challenge's `hpccoutf.txt`: the summary's key=value lines, checked against the sections
/// before it (HPL's PASSED line and residual, STREAM's "Solution Validates", the error counts).
/// HPL maps to hpl.fp64; the tests Suanli has no twin of keep hpcc's names (hpcc.dgemm,
/// hpcc.stream: per process in hpcc's "star" mode, hpcc.ptrans, hpcc.randomaccess, hpcc.fft,
/// hpcc.pingpong, hpcc.ring).
enum HPCCLog: LogFormat {
  static let id = "hpcc"
  static let version = 1
  static let summary =
    "HPC Challenge hpccoutf.txt: HPL → hpl.fp64 (PASSED, the residual recomputed from the summary's norms, the rate from N and time), DGEMM, STREAM (Solution Validates, rates recomputed), PTRANS, RandomAccess (errors ≤ 1 %), FFT, PingPong, rings; Success=1"

  static func detect(_ log: LogText) -> Bool { log.find("Begin of Summary section.") != nil }

  /// "Begin of X section." … "End of X section." → X → the lines between.
  static func sections(_ log: LogText) -> [String: ClosedRange<Int>] {
    var found: [String: ClosedRange<Int>] = [:]
    var open: [String: Int] = [:]
    for (index, line) in log.lines.enumerated() {
      if line.hasPrefix("Begin of "), line.hasSuffix(" section.") {
        open[String(line.dropFirst(9).dropLast(9))] = index + 1
      } else if line.hasPrefix("End of "), line.hasSuffix(" section.") {
        let name = String(line.dropFirst(7).dropLast(9))
        if let start = open.removeValue(forKey: name), index >= start {
          found[name] = start...max(start, index)
        }
      }
    }
    return found
  }

  static func parse(_ log: LogText) throws(ImportError) -> ParsedLog {
    let sections = sections(log)
    guard let summaryLines = sections["Summary"] else {
      throw log.error(
        log.find("Begin of Summary section."),
        "the Summary section has no \"End of Summary section.\" line: the log is cut")
    }
    var summary: [String: (value: String, line: Int)] = [:]
    for number in summaryLines {
      let line = log.line(number)
      guard let equals = line.firstIndex(of: "=") else { continue }
      summary[String(line[..<equals])] = (String(line[line.index(after: equals)...]), number)
    }
    func number(_ key: String) -> Double? { summary[key].flatMap { LogNumber.double($0.value) } }
    func int(_ key: String) -> Int? { summary[key].flatMap { LogNumber.int($0.value) } }
    /// The metrics whose summary keys are present: key → name, unit, scale to base units, size.
    func metrics(_ specs: [(key: String, name: String, unit: MetricUnit, scale: Double, size: Int?)])
      -> [Metric]
    {
      specs.compactMap { spec in
        number(spec.key).map {
          Metric(
            name: spec.name, value: $0 * spec.scale, unit: spec.unit,
            polarity: spec.unit == .seconds || spec.unit == .ratio ? .lowerIsBetter : .higherIsBetter,
            size: spec.size)
        }
      }
    }
    func contains(_ section: String, _ text: String) -> Int? {
      guard let range = sections[section] else { return nil }
      return range.first { log.line($0).contains(text) }
    }
    func errorFree(_ section: String) -> ImportCheck? {
      guard sections[section] != nil else { return nil }
      let line = contains(section, "Node(s) with error")
      let count = line.flatMap { LogNumber.fields(log.line($0)).last.flatMap(LogNumber.int) }
      return .check(
        "hpcc.\(section).errors", count == 0,
        count == 0
          ? "\(section): Node(s) with error 0"
          : "\(section): \(count.map { "\($0) node(s) with error" } ?? "no \"Node(s) with error\" line")",
        line: line)
    }

    let version = ["VersionMajor", "VersionMinor", "VersionMicro"].compactMap { summary[$0]?.value }
    var parsed = ParsedLog(
      tool: "hpcc",
      toolVersion: version.count == 3
        ? version.joined(separator: ".") + (summary["VersionRelease"]?.value ?? "") : nil,
      results: [])
    let processes = int("CommWorldProcs")
    if let success = summary["Success"] {
      parsed.checks.append(
        .check(
          "hpcc.success", success.value == "1",
          success.value == "1"
            ? "Success=1: hpcc's own checks passed"
            : "Success=\(success.value): one of hpcc's own checks failed", line: success.line))
    } else {
      parsed.checks.append(.check("hpcc.success", false, "the summary has no Success line"))
    }

    // HPL: the section's result line and residual, the summary's finer figures and norms.
    if let n = int("HPL_N"), let seconds = number("HPL_time"), let tflops = number("HPL_Tflops") {
      guard n > 0, seconds > 0, tflops >= 0 else {
        throw log.error(summary["HPL_N"]?.line, "HPL_N, HPL_time must be positive")
      }
      var checks: [ImportCheck] = []
      var residual: Double? = nil
      var code = "?"
      if let range = sections["HPL"] {
        let (header, runs) = try HPLLog.read(log, lines: range)
        if let run = runs.min(by: { abs($0.seconds - seconds) < abs($1.seconds - seconds) }),
          run.n == n
        {
          let norms: [String: Double]? =
            number("HPL_RnormI").flatMap { r in
              number("HPL_AnormI").flatMap { a in
                number("HPL_XnormI").flatMap { x in
                  number("HPL_BnormI").map { b in ["r": r, "A": a, "x": x, "b": b] }
                }
              }
            }
          checks = HPLLog.result(run, header: header, norms: norms).checks
          residual = run.residual
          code = run.code
        } else {
          checks.append(
            .check("hpl.passed", false, "no result line for N=\(n) in the HPL section"))
        }
      } else {
        checks.append(.check("hpl.passed", false, "the log has no HPL section"))
      }
      // The summary's six digits: the rate from N and time within 1e-4.
      let recomputed = HPLLog.flops(n) / seconds / 1e12
      let off = abs(recomputed - tflops) / max(recomputed, 1e-300)
      checks.append(
        .check(
          "hpl.rate.summary", off <= 1e-4,
          "HPL_Tflops \(tflops) vs (2/3·N³ + 3/2·N²) / HPL_time = \(String(format: "%.6g", recomputed))",
          line: summary["HPL_Tflops"]?.line))
      var metrics = [
        Metric(name: "rate", value: tflops * 1e12, unit: .flopsPerSecond, polarity: .higherIsBetter)
      ]
      if let residual {
        metrics.append(
          Metric(name: "residual", value: residual, unit: .ratio, polarity: .lowerIsBetter))
      }
      var parameters: [String: JSONValue] = ["n": .int(n), "variant": .string(code)]
      for (key, name) in [("HPL_NB", "nb"), ("HPL_nprow", "p"), ("HPL_npcol", "q")] {
        if let value = int(key) { parameters[name] = .int(value) }
      }
      parsed.results.append(
        ParsedResult(
          id: "hpl.fp64", scope: .job, parameters: parameters, samples: [seconds],
          metrics: metrics, checks: checks,
          summary: "hpcc HPL \(code) N=\(n): \(tflops) Tflops in \(seconds) s",
          verifying: ["hpl.passed", "hpl.residual", "hpl.residual.recomputed", "hpl.rate.summary"]))
    }

    // DGEMM, per process (Star) and on one process (Single).
    if let star = number("StarDGEMM_Gflops") {
      let metrics = metrics([
        ("StarDGEMM_Gflops", "rate", .flopsPerSecond, 1e9, nil),
        ("SingleDGEMM_Gflops", "singleRate", .flopsPerSecond, 1e9, nil),
      ])
      parsed.results.append(
        ParsedResult(
          id: "hpcc.dgemm", scope: .job,
          parameters: ["n": int("DGEMM_N").map { .int($0) } ?? .null, "mode": .string("star, per process")],
          samples: [], metrics: metrics,
          checks: [errorFree("StarDGEMM"), errorFree("SingleDGEMM")].compactMap { $0 },
          summary: "hpcc DGEMM: \(star) Gflop/s per process (star)"))
    }

    // STREAM, per process in star mode, with rank 0's table recomputed from the vector size.
    let kernels = ["Copy", "Scale", "Add", "Triad"]
    if let triad = number("StarSTREAM_Triad") {
      var checks: [ImportCheck] = []
      if let line = contains("StarSTREAM", "Solution Validates") {
        checks.append(.check("stream.validates", true, String(log.line(line)), line: line))
      } else {
        checks.append(
          .check(
            "stream.validates", false,
            "StarSTREAM section has no \"Solution Validates\" line"))
      }
      checks += [errorFree("StarSTREAM"), errorFree("SingleSTREAM")].compactMap { $0 }
      if let size = int("STREAM_VectorSize"), size > 0, let range = sections["StarSTREAM"] {
        for kernel in kernels {
          guard let line = range.first(where: { log.line($0).hasPrefix(kernel + ":") }) else {
            continue
          }
          let numbers = LogNumber.fields(log.line(line)).dropFirst().compactMap(LogNumber.double)
          guard numbers.count == 4, numbers[2] > 0, numbers[0] > 0 else { continue }
          let arrays = kernel == "Copy" || kernel == "Scale" ? 2.0 : 3.0
          let recomputed = 1e-9 * arrays * 8 * Double(size) / numbers[2]
          // Printed: the rate and the times to 4 decimals.
          let tolerance = (5e-5 / numbers[0] + 5e-5 / numbers[2]) * 1.05
          checks.append(
            .check(
              "stream.rate.recomputed", abs(recomputed - numbers[0]) / numbers[0] <= tolerance,
              "\(kernel) \(numbers[0]) GB/s vs \(Int(arrays)) × 8 B × \(size) / \(numbers[2]) s = \(String(format: "%.4f", recomputed)) GB/s",
              line: line))
        }
      }
      checks.append(
        .notCheckable(
          "stream.arraySize",
          "vectors of \(int("STREAM_VectorSize") ?? 0) elements: 4× the last-level caches needs the node's topology"
        ))
      var metrics: [Metric] = []
      for kernel in ["Triad", "Copy", "Scale", "Add"] {
        if let value = number("StarSTREAM_\(kernel)") {
          metrics.append(
            Metric(
              name: kernel.lowercased(), value: value * 1e9, unit: .bytesPerSecond,
              polarity: .higherIsBetter))
        }
        if let value = number("SingleSTREAM_\(kernel)") {
          metrics.append(
            Metric(
              name: "single" + kernel, value: value * 1e9, unit: .bytesPerSecond,
              polarity: .higherIsBetter))
        }
      }
      parsed.results.append(
        ParsedResult(
          id: "hpcc.stream", scope: .job,
          parameters: [
            "vectorSize": int("STREAM_VectorSize").map { .int($0) } ?? .null,
            "threads": int("STREAM_Threads").map { .int($0) } ?? .null,
            "processes": processes.map { .int($0) } ?? .null,
            "mode": .string("star, per process"),
          ],
          samples: [], metrics: metrics, checks: checks,
          summary: "hpcc STREAM triad \(triad) GB/s per process (star)",
          verifying: ["stream.validates", "stream.rate.recomputed"]))
    }

    if let rate = number("PTRANS_GBs") {
      var checks: [ImportCheck] = []
      if let range = sections["PTRANS"] {
        let rows = range.filter {
          let line = log.line($0)
          return line.hasPrefix("WALL") || line.hasPrefix("CPU")
        }
        let failed = rows.filter { !log.line($0).contains("PASSED") }
        checks.append(
          .check(
            "hpcc.ptrans.passed", !rows.isEmpty && failed.isEmpty,
            rows.isEmpty
              ? "the PTRANS section has no result rows"
              : failed.isEmpty
                ? "every PTRANS row PASSED (\(rows.count))" : "PTRANS rows not PASSED: lines \(failed.map(String.init).joined(separator: ", "))"
          ))
      }
      parsed.results.append(
        ParsedResult(
          id: "hpcc.ptrans", scope: .job,
          parameters: ["n": int("PTRANS_n").map { .int($0) } ?? .null],
          samples: number("PTRANS_time").map { [$0] } ?? [],
          metrics: [
            Metric(
              name: "bandwidth", value: rate * 1e9, unit: .bytesPerSecond,
              polarity: .higherIsBetter)
          ], checks: checks, summary: "hpcc PTRANS \(rate) GB/s"))
    }

    if let gups = number("MPIRandomAccess_GUPs") {
      var checks: [ImportCheck] = []
      if let fraction = number("MPIRandomAccess_ErrorsFraction") {
        checks.append(
          .check(
            "hpcc.randomaccess.errors", fraction <= 0.01,
            "errors in \(fraction * 100) % of the table (hpcc allows 1 %)",
            line: summary["MPIRandomAccess_ErrorsFraction"]?.line))
      }
      let metrics = metrics([
        ("MPIRandomAccess_GUPs", "rate", .updatesPerSecond, 1e9, nil),
        ("StarRandomAccess_GUPs", "starRate", .updatesPerSecond, 1e9, nil),
      ])
      parsed.results.append(
        ParsedResult(
          id: "hpcc.randomaccess", scope: .job,
          parameters: ["tableSize": int("MPIRandomAccess_N").map { .int($0) } ?? .null],
          samples: number("MPIRandomAccess_time").map { [$0] } ?? [], metrics: metrics,
          checks: checks, summary: "hpcc MPIRandomAccess \(gups) GUP/s"))
    }

    if let gflops = number("MPIFFT_Gflops") {
      let metrics = metrics([
        ("MPIFFT_Gflops", "rate", .flopsPerSecond, 1e9, nil),
        ("MPIFFT_maxErr", "maxError", .ratio, 1, nil),
      ])
      parsed.results.append(
        ParsedResult(
          id: "hpcc.fft", scope: .job,
          parameters: ["n": int("MPIFFT_N").map { .int($0) } ?? .null],
          samples: [], metrics: metrics,
          checks: [
            .notCheckable(
              "hpcc.fft.error",
              "max(|x−x0|) = \(number("MPIFFT_maxErr").map { "\($0)" } ?? "?"): hpcc's own bound is folded into Success")
          ], summary: "hpcc MPIFFT \(gflops) Gflop/s"))
    }

    if let latency = number("AvgPingPongLatency_usec") {
      let metrics = metrics([
        ("MinPingPongLatency_usec", "latencyMin", .seconds, 1e-6, 8),
        ("AvgPingPongLatency_usec", "latency", .seconds, 1e-6, 8),
        ("MaxPingPongLatency_usec", "latencyMax", .seconds, 1e-6, 8),
        ("MinPingPongBandwidth_GBytes", "bandwidthMin", .bytesPerSecond, 1e9, 2_000_000),
        ("AvgPingPongBandwidth_GBytes", "bandwidth", .bytesPerSecond, 1e9, 2_000_000),
        ("MaxPingPongBandwidth_GBytes", "bandwidthMax", .bytesPerSecond, 1e9, 2_000_000),
      ])
      parsed.results.append(
        ParsedResult(
          id: "hpcc.pingpong", scope: .job,
          parameters: ["processes": processes.map { .int($0) } ?? .null], samples: [],
          metrics: metrics,
          checks: [
            .notCheckable(
              "hpcc.pingpong.payload", "hpcc's latency-bandwidth test does not check the payload")
          ], summary: "hpcc ping-pong: \(latency) µs average at 8 B"))
    }

    if let natural = number("NaturallyOrderedRingLatency_usec") {
      let metrics = metrics([
        ("NaturallyOrderedRingLatency_usec", "naturalLatency", .seconds, 1e-6, 8),
        ("RandomlyOrderedRingLatency_usec", "randomLatency", .seconds, 1e-6, 8),
        ("NaturallyOrderedRingBandwidth_GBytes", "naturalBandwidth", .bytesPerSecond, 1e9, 2_000_000),
        ("RandomlyOrderedRingBandwidth_GBytes", "randomBandwidth", .bytesPerSecond, 1e9, 2_000_000),
      ])
      parsed.results.append(
        ParsedResult(
          id: "hpcc.ring", scope: .job,
          parameters: ["processes": processes.map { .int($0) } ?? .null], samples: [],
          metrics: metrics,
          checks: [
            .notCheckable("hpcc.ring.payload", "hpcc's ring test does not check the payload")
          ], summary: "hpcc rings: \(natural) µs natural order at 8 B"))
    }
    guard !parsed.results.isEmpty else {
      throw log.error(summaryLines.lowerBound, "the Summary section names no test's result")
    }
    return parsed
  }
}
