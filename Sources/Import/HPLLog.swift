import Foundation
import Measurement
import ReportFormat

/// netlib HPL 2.x output (HPL.out or its standard output), also HPL's section inside hpcc and
/// vendor builds that print their T/V code with spaces: every result line with its residual
/// line, checked as far as the text allows.
enum HPLLog: LogFormat {
  static let id = "hpl"
  static let version = 1
  static let summary =
    "netlib HPL 2.x output (HPL.out): every T/V line → hpl.fp64; PASSED, residual < 16, eps, the rate recomputed from N and time"

  static func detect(_ log: LogText) -> Bool {
    log.find("HPLinpack 2.") != nil && log.find("T/V") != nil
  }

  /// One result line of HPL and what follows it.
  struct Run {
    var line: Int
    var code: String
    var n: Int
    var nb: Int
    var p: Int
    var q: Int
    var seconds: Double
    var gflops: Double
    var residual: Double?
    var residualLine: Int?
    var verdict: String?
    var norms: [String: Double] = [:]
    /// NVIDIA's build: "( 4.213e+04)" after Gflops, the rate per GPU.
    var perGPU: Double? = nil
  }

  /// What the header and the closing lines say.
  struct Header {
    var version: String?
    var eps: Double?
    var threshold: Double?
    var withoutChecking = false
    /// "passed", "failed", "skipped", "completed without checking" → count, from the closing lines.
    var counts: [String: Int] = [:]
    var finished: Int?
  }

  static func parse(_ log: LogText) throws(ImportError) -> ParsedLog {
    let (header, runs) = try read(log, lines: 1...max(1, log.lines.count))
    guard !runs.isEmpty else {
      throw log.error(nil, "no HPL result line (T/V code, N, NB, P, Q, Time, Gflops) found")
    }
    var parsed = ParsedLog(
      tool: "HPL", toolVersion: header.version,
      results: runs.map { result($0, header: header, norms: nil) })
    parsed.checks.append(closing(header, runs: runs))
    return parsed
  }

  /// Reads HPL's header values and result lines within `lines`.
  static func read(_ log: LogText, lines: ClosedRange<Int>) throws(ImportError) -> (Header, [Run])
  {
    var header = Header()
    var runs: [Run] = []
    for number in lines where number <= log.lines.count {
      let line = log.line(number)
      if header.version == nil, let range = line.range(of: "HPLinpack ") {
        header.version = line[range.upperBound...].split(separator: " ").first.map(String.init)
      }
      if line.contains("relative machine precision (eps) is taken to be") {
        header.eps = LogNumber.fields(line).last.flatMap(LogNumber.double)
      }
      if line.contains("scaled residuals are less than") {
        header.threshold = LogNumber.fields(line).last.flatMap(LogNumber.double)
      }
      if line.contains("completed without checking") {
        header.withoutChecking = true
        header.counts["without checking"] = LogNumber.fields(line).first.flatMap(LogNumber.int)
      }
      if line.contains("tests completed and passed residual checks") {
        header.counts["passed"] = LogNumber.fields(line).first.flatMap(LogNumber.int)
      }
      if line.contains("tests completed and failed residual checks") {
        header.counts["failed"] = LogNumber.fields(line).first.flatMap(LogNumber.int)
      }
      if line.contains("tests skipped because of illegal input values") {
        header.counts["skipped"] = LogNumber.fields(line).first.flatMap(LogNumber.int)
      }
      if line.hasPrefix("Finished") && line.contains("tests with the following results") {
        header.finished = LogNumber.fields(line).dropFirst().first.flatMap(LogNumber.int)
      }
      if let run = try resultLine(line, number: number, log: log) {
        runs.append(run)
        continue
      }
      if line.contains("||Ax-b||_oo/(eps*") || line.contains("||Ax-b||_oo / (eps*") {
        guard let index = runs.indices.last, runs[index].residual == nil else {
          throw log.error(number, "a residual line without a result line before it")
        }
        let afterEquals = line.split(separator: "=", maxSplits: 1).last ?? ""
        let fields = LogNumber.fields(afterEquals)
        guard let value = fields.first.flatMap(LogNumber.double) else {
          throw log.error(number, "expected the scaled residual after \"=\", got \"\(afterEquals)\"")
        }
        runs[index].residual = value
        runs[index].residualLine = number
        runs[index].verdict = fields.last.map(String.init).flatMap {
          ["PASSED", "FAILED"].contains($0) ? $0 : nil
        }
        continue
      }
      // The norms HPL prints after a failed test (NVIDIA's build always).
      for (key, prefix) in [
        ("r", "||Ax-b||_oo"), ("A", "||A||_oo"), ("x", "||x||_oo"), ("b", "||b||_oo"),
      ] where line.hasPrefix(prefix) && line.contains("=") {
        if let index = runs.indices.last,
          let value = (line.split(separator: "=").last).flatMap({
            LogNumber.fields($0).first.flatMap(LogNumber.double)
          })
        {
          runs[index].norms[key] = value
        }
      }
    }
    return (header, runs)
  }

  /// A result line: a T/V code (possibly with spaces) and, from the right, N NB P Q Time Gflops.
  static func resultLine(_ line: Substring, number: Int, log: LogText) throws(ImportError) -> Run? {
    var line = line
    var perGPU: Double? = nil
    // NVIDIA's build ends the line with the rate per GPU in parentheses.
    if let open = line.lastIndex(of: "("), line.hasSuffix(")") {
      perGPU = LogNumber.double(line[line.index(after: open)..<line.index(before: line.endIndex)]
        .trimmingCharacters(in: .whitespaces))
      line = line[..<open]
    }
    let fields = LogNumber.fields(line)
    guard fields.count >= 7, let first = fields.first, first.hasPrefix("W"),
      first.count >= 2, first.dropFirst().first.map({ "RC".contains($0) }) == true
    else { return nil }
    let tail = Array(fields.suffix(6))
    guard let n = LogNumber.int(tail[0]), let nb = LogNumber.int(tail[1]),
      let p = LogNumber.int(tail[2]), let q = LogNumber.int(tail[3])
    else { return nil }
    guard let seconds = LogNumber.double(tail[4]), let gflops = LogNumber.double(tail[5]) else {
      throw log.error(number, "expected Time and Gflops as finite numbers, got \"\(tail[4])\" \"\(tail[5])\"")
    }
    guard n > 0, nb > 0, p > 0, q > 0, seconds >= 0, gflops >= 0 else {
      throw log.error(number, "N, NB, P, Q must be positive and Time, Gflops not negative")
    }
    let code = fields.dropLast(6).joined(separator: " ")
    return Run(
      line: number, code: code, n: n, nb: nb, p: p, q: q, seconds: seconds, gflops: gflops,
      perGPU: perGPU)
  }

  /// HPL's flop count: 2/3 N³ + 3/2 N² (HPL_pdtest.c).
  static func flops(_ n: Int) -> Double {
    let n = Double(n)
    return 2.0 / 3.0 * n * n * n + 1.5 * n * n
  }

  static let eps = 0x1p-53

  /// The result with every check its lines allow. `norms`, when given (hpcc's summary), are
  /// used to recompute the residual where the result lines lack them.
  static func result(_ run: Run, header: Header, norms: [String: Double]?) -> ParsedResult {
    var checks: [ImportCheck] = []
    let at = run.residualLine ?? run.line
    switch run.verdict {
    case "PASSED": checks.append(.check("hpl.passed", true, "PASSED", line: at))
    case "FAILED": checks.append(.check("hpl.passed", false, "HPL says FAILED", line: at))
    default:
      checks.append(
        .check(
          "hpl.passed", false,
          header.withoutChecking
            ? "HPL ran without checking (threshold ≤ 0): no residual was computed"
            : "no PASSED line follows the result line", line: run.line))
    }
    if let threshold = header.threshold {
      checks.append(
        .check(
          "hpl.threshold", threshold == 16,
          threshold == 16
            ? "threshold 16.0, HPL's rule"
            : "threshold \(threshold): HPL's rule is 16 (≤ 0 means run without checking)"))
      if let residual = run.residual {
        checks.append(
          .check(
            "hpl.residual", residual < threshold && residual >= 0,
            "scaled residual \(residual) \(residual < threshold ? "<" : "≥") \(threshold)",
            line: at))
      }
    } else {
      checks.append(.notCheckable("hpl.threshold", "the log does not print the threshold"))
    }
    if let eps = header.eps {
      let close = abs(eps - HPLLog.eps) <= 1e-6 * HPLLog.eps
      checks.append(
        .check(
          "hpl.eps", close,
          close ? "eps \(eps) = 2⁻⁵³" : "eps \(eps) is not 2⁻⁵³ = 1.110223e-16 (not FP64)"))
    } else {
      checks.append(.notCheckable("hpl.eps", "the log does not print eps"))
    }
    // The rate from N and Time, within the rounding of the printed Time (2 decimals) and
    // Gflops (5 significant digits).
    if run.seconds >= 0.01 {
      let recomputed = flops(run.n) / run.seconds / 1e9
      let tolerance = (0.005 / run.seconds + 1e-4) * 1.05
      let off = abs(run.gflops - recomputed) / recomputed
      checks.append(
        .check(
          "hpl.rate.recomputed", off <= tolerance,
          "Gflops \(run.gflops) vs (2/3·N³ + 3/2·N²) / Time = \(String(format: "%.5g", recomputed)) (\(String(format: "%.2g", off * 100)) % apart, the printed Time's rounding allows \(String(format: "%.2g", tolerance * 100)) %)",
          line: run.line))
    } else {
      checks.append(
        .notCheckable("hpl.rate.recomputed", "Time \(run.seconds) s is below the printed rounding"))
    }
    let allNorms = run.norms.count == 4 ? run.norms : norms
    if let allNorms, let r = allNorms["r"], let a = allNorms["A"], let x = allNorms["x"],
      let b = allNorms["b"], let residual = run.residual
    {
      let eps = header.eps ?? HPLLog.eps
      let recomputed = r / (eps * (a * x + b) * Double(run.n))
      let close = abs(recomputed - residual) <= 1e-3 * max(abs(residual), 1e-300)
      checks.append(
        .check(
          "hpl.residual.recomputed", close,
          "‖Ax−b‖∞ / (ε(‖A‖∞‖x‖∞ + ‖b‖∞)N) = \(String(format: "%.6g", recomputed)) from the printed norms, printed \(residual)",
          line: at))
    } else {
      checks.append(
        .notCheckable(
          "hpl.residual.recomputed", "HPL prints the norms only after a failed test"))
    }
    if let perGPU = run.perGPU {
      let expected = run.gflops / Double(run.p * run.q)
      checks.append(
        .check(
          "hpl.perGPU", abs(perGPU - expected) <= 1e-3 * expected,
          "\(perGPU) Gflops per GPU vs Gflops / (P·Q) = \(String(format: "%.5g", expected))",
          line: run.line))
    }
    var metrics = [
      Metric(name: "rate", value: run.gflops * 1e9, unit: .flopsPerSecond, polarity: .higherIsBetter)
    ]
    if let residual = run.residual {
      metrics.append(
        Metric(name: "residual", value: residual, unit: .ratio, polarity: .lowerIsBetter))
    }
    return ParsedResult(
      id: "hpl.fp64", scope: .job,
      parameters: [
        "n": .int(run.n), "nb": .int(run.nb), "p": .int(run.p), "q": .int(run.q),
        "variant": .string(run.code),
      ],
      samples: [run.seconds], metrics: metrics, checks: checks,
      summary:
        "\(run.code) N=\(run.n) NB=\(run.nb) P=\(run.p) Q=\(run.q) \(run.seconds) s \(run.gflops) Gflops (line \(run.line))"
    )
  }

  /// HPL's closing counts must match the PASSED and FAILED lines.
  static func closing(_ header: Header, runs: [Run]) -> ImportCheck {
    guard header.finished != nil else {
      return .notCheckable(
        "hpl.closing", "the log has no \"Finished … tests\" summary (cut short?)")
    }
    let passed = runs.filter { $0.verdict == "PASSED" }.count
    let failed = runs.filter { $0.verdict == "FAILED" }.count
    let unchecked = runs.filter { $0.verdict == nil }.count
    let agree =
      (header.counts["passed"] ?? 0) == passed && (header.counts["failed"] ?? 0) == failed
      && (header.counts["without checking"] ?? 0) == unchecked
    return .check(
      "hpl.closing", agree,
      "HPL's summary says \(header.counts["passed"] ?? 0) passed, \(header.counts["failed"] ?? 0) failed, \(header.counts["without checking"] ?? 0) unchecked; the result lines show \(passed), \(failed), \(unchecked)"
    )
  }
}
