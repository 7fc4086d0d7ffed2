import Foundation
import Measurement
import ReportFormat

/// HPCG's result file: the reference 3.1's `Section::Key=value` lines, or the indented
/// `Key: value` lines of 3.0 and of builds that kept that shape. The rating is recomputed from
/// the flop count, the times and the number of CG sets exactly as HPCG computes it; VALID needs
/// the four V&V results PASSED; a run shorter than HPCG's official 1800 s, or one with reference
/// kernels, is said so.
enum HPCGLog: LogFormat {
  static let id = "hpcg"
  static let version = 1
  static let summary =
    "HPCG 3.x result file (HPCG-Benchmark_3.1_*.txt, or 3.0's YAML-shaped one): → hpcg rate; VALID, the four V&V results PASSED, the GFLOP/s rating recomputed from flops, times and CG sets; official length (1800 s) and reference kernels noted"

  static func detect(_ log: LogText) -> Bool {
    log.lines.prefix(400).contains {
      $0.hasPrefix("HPCG-Benchmark") || $0.contains("Final Summary::")
        || $0.contains("HPCG result is")
    }
  }

  /// "Section::Key" → (value, line), from either shape.
  static func values(_ log: LogText) -> [String: (value: String, line: Int)] {
    var found: [String: (String, Int)] = [:]
    var path: [(indent: Int, name: String)] = []
    for (index, raw) in log.lines.enumerated() {
      let number = index + 1
      if let equals = raw.lastIndex(of: "="), raw.contains("::") || !raw.hasPrefix(" ") {
        // 3.1: Section::Key=value (a key may itself contain "=" only before the last "::").
        let key = raw[..<equals].trimmingCharacters(in: .whitespaces)
        let value = raw[raw.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        if !key.isEmpty, !raw.hasSuffix(":") { found[key] = (value, number) }
        continue
      }
      // 3.0: indentation gives the sections; "Key: value" (the last ": " splits).
      let indent = raw.prefix { $0 == " " }.count
      let text = raw.dropFirst(indent)
      guard !text.isEmpty else { continue }
      while let last = path.last, last.indent >= indent { path.removeLast() }
      if text.hasSuffix(":") {
        path.append((indent, String(text.dropLast())))
      } else if let separator = text.range(of: ": ", options: .backwards) {
        let key = (path.map(\.name) + [String(text[..<separator.lowerBound])]).joined(separator: "::")
        found[key] = (String(text[separator.upperBound...]).trimmingCharacters(in: .whitespaces), number)
      }
    }
    return found
  }

  static let tests = [
    "Spectral Convergence Tests", "Departure from Symmetry", "Iteration Count Information",
    "Reproducibility Information",
  ]
  static let minimumOfficialSeconds = 1800.0

  static func parse(_ log: LogText) throws(ImportError) -> ParsedLog {
    let values = values(log)
    func entry(_ suffix: String) -> (value: String, line: Int)? {
      if let exact = values[suffix] { return exact }
      return values.first { $0.key.hasSuffix("::" + suffix) || $0.key == suffix }?.value
    }
    func number(_ key: String) -> Double? { entry(key).flatMap { LogNumber.double($0.value) } }

    // 3.1 writes "HPCG-Benchmark" and "version=3.1" on two lines; 3.0 "HPCG-Benchmark version: 3.0".
    let version = entry("HPCG-Benchmark version")?.value ?? values["version"]?.value
    guard
      let rating = values.first(where: {
        $0.key.hasPrefix("Final Summary::HPCG result is VALID with a GFLOP/s rating of")
      }) ?? values.first(where: { $0.key.hasPrefix("Final Summary::HPCG result is") })
    else {
      throw log.error(nil, "no \"Final Summary\" with \"HPCG result is ...\": the log is cut or not HPCG's result file")
    }
    var checks: [ImportCheck] = []
    let valid = rating.key.contains("VALID with a GFLOP/s rating")
    checks.append(
      .check(
        "hpcg.valid", valid,
        valid ? "HPCG result is VALID" : "HPCG result is \(rating.value.value)",
        line: rating.value.line))
    for test in tests {
      let key = values.keys.first { $0.hasPrefix(test) && $0.hasSuffix("::Result") }
      let result = key.flatMap { values[$0] }
      checks.append(
        .check(
          "hpcg.\(test.split(separator: " ").first!.lowercased()).result", result?.value == "PASSED",
          "\(test): \(result?.value ?? "no Result line")", line: result?.line))
    }
    var metrics: [Metric] = []
    var parameters: [String: JSONValue] = [:]
    var notes: [String] = []
    let gflops = valid ? LogNumber.double(rating.value.value) : nil
    if valid, gflops == nil {
      throw log.error(rating.value.line, "expected the GFLOP/s rating as a finite number")
    }
    if let gflops {
      metrics.append(
        Metric(name: "rate", value: gflops * 1e9, unit: .flopsPerSecond, polarity: .higherIsBetter))
    }
    // HPCG's rating: flops with convergence overhead / (total time + sets × (optimization
    // phase + setup) / 10).
    let flops = number("Floating Point Operations Summary::Total with convergence overhead")
    let total = number("Benchmark Time Summary::Total")
    let optimization = number("Benchmark Time Summary::Optimization phase")
    let setup = number("Setup Information::Setup Time")
    let iterations = number("Iteration Count Information::Total number of optimized iterations")
    let perSet = number("Iteration Count Information::Optimized CG iterations per set")
    if let gflops, let flops, let total, let optimization, let setup, let iterations, let perSet,
      perSet > 0, total > 0
    {
      let sets = (iterations / perSet).rounded()
      let recomputed = flops / (total + sets * (optimization / 10 + setup / 10)) / 1e9
      let off = abs(recomputed - gflops) / max(abs(recomputed), 1e-300)
      checks.append(
        .check(
          "hpcg.rate.recomputed", off <= 2e-4,
          "\(gflops) GFLOP/s vs \(flops) flops / (\(total) s + \(Int(sets)) sets × (\(optimization) + \(setup)) s / 10) = \(String(format: "%.6g", recomputed))",
          line: rating.value.line))
      parameters["cgSets"] = .int(Int(sets))
    } else {
      checks.append(
        .notCheckable(
          "hpcg.rate.recomputed", "the file lacks the flop count, the times or the CG sets"))
    }
    if let total {
      metrics.append(
        Metric(name: "time", value: total, unit: .seconds, polarity: .lowerIsBetter))
      parameters["official"] = .bool(total >= minimumOfficialSeconds)
      if total < minimumOfficialSeconds {
        notes.append(
          "not an official HPCG run: \(total) s of benchmark time, HPCG's rules ask \(Int(minimumOfficialSeconds)) s")
      }
    }
    let reference = values.keys.filter {
      $0.hasPrefix("Final Summary::Reference version of")
    }.map { String($0.dropFirst("Final Summary::Reference version of ".count)) }.sorted()
    if !reference.isEmpty {
      notes.append("reference (unoptimized) kernels: \(reference.joined(separator: "; "))")
      parameters["referenceKernels"] = .array(reference.map { .string($0) })
    }
    for (key, name) in [
      ("Global Problem Dimensions::Global nx", "nx"), ("Global Problem Dimensions::Global ny", "ny"),
      ("Global Problem Dimensions::Global nz", "nz"),
      ("Machine Summary::Distributed Processes", "processes"),
      ("Machine Summary::Threads per processes", "threads"),
    ] {
      if let value = number(key), value == value.rounded(), abs(value) < 1e15 {
        parameters[name] = .int(Int(value))
      }
    }
    let result = ParsedResult(
      id: "hpcg", scope: .job, parameters: parameters, samples: total.map { [$0] } ?? [],
      metrics: metrics, checks: checks,
      summary: gflops.map { "HPCG \(version ?? "") VALID, \($0) GFLOP/s" } ?? "HPCG result INVALID",
      notes: notes)
    return ParsedLog(tool: "HPCG", toolVersion: version, results: [result])
  }
}
