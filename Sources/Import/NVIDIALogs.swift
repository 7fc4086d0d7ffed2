import Foundation
import Measurement
import ReportFormat

/// NVIDIA's HPL (HPC-Benchmarks' hpl.sh): netlib's output with a rate per GPU after Gflops and
/// the norms always printed, so the residual is recomputed on every run.
enum NVIDIAHPLLog: LogFormat {
  static let id = "nvidia-hpl"
  static let version = 1
  static let summary =
    "NVIDIA HPL (HPC-Benchmarks): → hpl.fp64; PASSED, the residual recomputed from the norms it always prints, Gflops from N and Time, the per-GPU rate from P·Q"

  static func detect(_ log: LogText) -> Bool {
    log.lines.prefix(2000).contains {
      $0.hasPrefix("HPL-NVIDIA ") || $0.contains("Gflops (   per GPU)")
    }
  }

  static func parse(_ log: LogText) throws(ImportError) -> ParsedLog {
    let (header, runs) = try HPLLog.read(log, lines: 1...max(1, log.lines.count))
    guard !runs.isEmpty else {
      throw log.error(nil, "no HPL result line (T/V, N, NB, P, Q, Time, Gflops (per GPU)) found")
    }
    let banner = log.lines.first { $0.hasPrefix("HPL-NVIDIA ") }
    var parsed = ParsedLog(
      tool: "HPL-NVIDIA",
      toolVersion: banner.flatMap { LogNumber.fields($0).dropFirst().first.map(String.init) },
      results: runs.map { HPLLog.result($0, header: header, norms: nil) })
    parsed.checks.append(HPLLog.closing(header, runs: runs))
    return parsed
  }
}

/// NVIDIA's HPL-MxP: the "HPL MxP Result" block. Its `GFLOPS` (the HPL-MxP figure, refinement
/// included) is imported; `LU GFLOPS` — the low-precision factorization alone, about twice as
/// high and often quoted — never is.
enum NVIDIAMxPLog: LogFormat {
  static let id = "nvidia-hpl-mxp"
  static let version = 1
  static let summary =
    "NVIDIA HPL-MxP: the HPL MxP Result block → hplmxp (its GFLOPS, never LU GFLOPS); PASSED, residual < 16, the residual recomputed with the printed EPS and norms, the per-GPU rate"

  static func detect(_ log: LogText) -> Bool {
    log.lines.prefix(5000).contains { $0.contains("HPL MxP Result") || $0.contains("HPL-MxP-NVIDIA") }
  }

  /// The value after the last "=" of a line, as a number.
  static func value(_ line: Substring) -> Double? {
    guard let equals = line.lastIndex(of: "=") else { return nil }
    return LogNumber.fields(line[line.index(after: equals)...]).first.flatMap(LogNumber.double)
  }

  /// "N = 380000, NB = 4096, ..." → name → number.
  static func assignments(_ line: Substring) -> [String: Double] {
    var found: [String: Double] = [:]
    for part in line.split(separator: ",") {
      let pieces = part.split(separator: "=", maxSplits: 1)
      guard pieces.count == 2, let number = LogNumber.double(pieces[1].trimmingCharacters(in: .whitespaces))
      else { continue }
      found[pieces[0].trimmingCharacters(in: .whitespaces)] = number
    }
    return found
  }

  /// One "HPL MxP Result" block as read so far.
  struct Block {
    var eps: Double?
    var threshold: Double?
    var norms: [String: Double] = [:]
    var residual: (value: Double, verdict: String?, line: Int)?
    var sizes: [String: Double] = [:]
  }

  static func parse(_ log: LogText) throws(ImportError) -> ParsedLog {
    var block = Block()
    var results: [ParsedResult] = []
    for (index, raw) in log.lines.enumerated() {
      let number = index + 1
      let line = raw.drop { $0 == " " || $0 == "\t" }
      if line.hasPrefix("EPS") {
        block.eps = value(line)
      } else if line.hasPrefix("Threshold") {
        block.threshold = value(line)
      } else if line.hasPrefix("||Ax-b||_oo /") || line.hasPrefix("||Ax-b||_oo/") {
        guard let residual = value(line) else {
          throw log.error(number, "expected the scaled residual after \"=\"")
        }
        let verdict = LogNumber.fields(line).last.map(String.init)
        block.residual = (residual, ["PASSED", "FAILED"].contains(verdict ?? "") ? verdict : nil, number)
      } else if line.hasPrefix("||") {
        let name = line.dropFirst(2).prefix { $0 != "|" }.trimmingCharacters(in: .whitespaces)
        let key = ["Ax-b": "r", "A": "A", "x": "x", "b": "b"][name]
        if let key, let value = value(line) { block.norms[key] = value }
      } else if line.hasPrefix("N =") || line.hasPrefix("N=") {
        block.sizes = assignments(line)
      } else if line.hasPrefix("GFLOPS") {
        let values = assignments(line.replacingOccurrences(of: "------", with: ",")[...])
        guard let gflops = values["GFLOPS"], gflops >= 0 else {
          throw log.error(number, "expected \"GFLOPS = <rate>, per GPU = <rate>\"")
        }
        results.append(try result(block, gflops: gflops, perGPU: values["per GPU"], line: number, log: log))
        block = Block()
      }
    }
    guard !results.isEmpty else {
      throw log.error(nil, "no \"GFLOPS = ...\" line in an HPL MxP Result block")
    }
    return ParsedLog(tool: "HPL-MxP-NVIDIA", toolVersion: nil, results: results)
  }

  static func result(
    _ block: Block, gflops: Double, perGPU: Double?, line: Int, log: LogText
  ) throws(ImportError) -> ParsedResult {
    var checks: [ImportCheck] = []
    let residual = block.residual
    checks.append(
      .check(
        "hplmxp.passed", residual?.verdict == "PASSED",
        residual.map { "the residual line says \($0.verdict ?? "nothing")" } ?? "no residual line",
        line: residual?.line))
    if let threshold = block.threshold {
      checks.append(
        .check(
          "hplmxp.threshold", threshold == 16,
          threshold == 16 ? "threshold 16" : "threshold \(threshold): HPL-MxP's rule is 16"))
      if let residual {
        checks.append(
          .check(
            "hplmxp.residual", residual.value >= 0 && residual.value < threshold,
            "scaled residual \(residual.value) against \(threshold)", line: residual.line))
      }
    } else {
      checks.append(.notCheckable("hplmxp.threshold", "the block prints no threshold"))
    }
    guard let n = block.sizes["N"], n > 0, n == n.rounded(), n < 1e12 else {
      throw log.error(line, "the block has no \"N = ..., NB = ..., NPROW = ..., NPCOL = ...\" line before GFLOPS")
    }
    if let eps = block.eps, let r = block.norms["r"], let a = block.norms["A"],
      let x = block.norms["x"], let b = block.norms["b"], let residual
    {
      // NVIDIA prints EPS as 2.0e-16, not 2⁻⁵³: recomputed with the printed one, as it did.
      let recomputed = r / (eps * (a * x + b) * n)
      checks.append(
        .check(
          "hplmxp.residual.recomputed", abs(recomputed - residual.value) <= 1e-3 * residual.value,
          "‖Ax−b‖∞ / (EPS(‖A‖∞‖x‖∞ + ‖b‖∞)N) = \(String(format: "%.6g", recomputed)) with the printed EPS \(eps), printed \(residual.value)",
          line: residual.line))
    } else {
      checks.append(
        .notCheckable("hplmxp.residual.recomputed", "the block does not print EPS and the four norms"))
    }
    let p = block.sizes["NPROW"], q = block.sizes["NPCOL"]
    if let perGPU, let p, let q, p > 0, q > 0 {
      let expected = gflops / (p * q)
      checks.append(
        .check(
          "hplmxp.perGPU", abs(perGPU - expected) <= 1e-3 * expected,
          "\(perGPU) per GPU vs GFLOPS / (NPROW·NPCOL) = \(String(format: "%.6g", expected))", line: line))
    }
    checks.append(
      .notCheckable(
        "hplmxp.refinement", "that the refinement ran in FP64 is the implementation's statement"))
    var parameters: [String: JSONValue] = ["n": .int(Int(n))]
    for (key, name) in [("NB", "nb"), ("NPROW", "p"), ("NPCOL", "q"), ("SLOPPY-TYPE", "sloppyType")] {
      if let value = block.sizes[key], value == value.rounded(), abs(value) < 1e12 {
        parameters[name] = .int(Int(value))
      }
    }
    // NVIDIA's sloppy types: 1 = FP8, 2 = FP16 (its HPL-MxP documentation).
    let precision = block.sizes["SLOPPY-TYPE"].flatMap { [1: "fp8", 2: "fp16"][Int($0)] }
    if let precision { parameters["lowPrecision"] = .string(precision) }
    return ParsedResult(
      id: "hplmxp", scope: .job, parameters: parameters, samples: [],
      metrics: [
        Metric(name: "rate", value: gflops * 1e9, unit: .flopsPerSecond, polarity: .higherIsBetter)
      ], checks: checks,
      summary: "HPL-MxP N=\(Int(n)): \(gflops) GFLOPS\(precision.map { " (\($0) factorization)" } ?? "")",
      notes: [
        "LU GFLOPS is not imported: it leaves out the FP64 iterative refinement (about twice the figure to report)"
      ],
      verifying: ["hplmxp.passed", "hplmxp.residual", "hplmxp.residual.recomputed"])
  }
}
