import Kernels
import Measurement
import ReportFormat

/// `hplmxp`: HPL-MxP, the mixed-precision benchmark. Its rate credits HPL's flop count to a
/// low-precision factorisation plus FP64 refinement; it measures what an AI-capable machine
/// delivers on a linear system and is never an FP64 capability figure.
public enum MxPBenchmark {
  static let id = "hplmxp"

  static let parameters: [ParameterSpec] = [
    ParameterSpec(
      name: "n", kind: .integer(0...1_000_000), defaultValue: .int(0),
      help: "matrix order; 0 = sized like hpl.fp64 (memoryFraction, maxSeconds)"),
    ParameterSpec(
      name: "nb", kind: .integer(1...4096), defaultValue: .int(256), help: "block size"),
    ParameterSpec(
      name: "precision", kind: .choice(MxPPrecision.allCases.map(\.rawValue)),
      defaultValue: .string("fp32"),
      help: "low precision of the LU: fp32, or fp16/bf16-rounded GEMM inputs"),
    ParameterSpec(
      name: "maxIterations", kind: .integer(0...1000), defaultValue: .int(50),
      help: "refinement steps before the run is declared not converged"),
    ParameterSpec(
      name: "memoryFraction", kind: .number(0.01...0.95), defaultValue: .double(0.6),
      help: "with n = 0: fraction of available memory for the FP64 and FP32 copies"),
    ParameterSpec(
      name: "maxSeconds", kind: .number(0.1...604_800), defaultValue: .double(60),
      help: "with n = 0: cap n so one run should take at most this long"),
    ParameterSpec(
      name: "seed", kind: .integer(0...Int.max), defaultValue: .int(42),
      help: "seed of the random matrix"),
    CommonParameters.threads,
    CommonParameters.repeats(1),
  ]

  /// FP64 [A|b] plus the FP32 copy of A.
  static func requiredBytes(n: Int) -> Int { DenseSystem.requiredBytes(n: n) * 3 / 2 }

  static func order(node: NodeProfile, values: ParameterValues, remainingSeconds: Double?) -> Int {
    let given = values.int("n")
    if given > 0 { return given }
    let nb = values.int("nb")
    var n = Int(
      (values.double("memoryFraction") * Double(node.availableMemoryBytes) / 12).squareRoot())
    let seconds = min(
      values.double("maxSeconds"), remainingSeconds.map { max(1, $0 / 2) } ?? .infinity)
    let rate = 0.75 * (node.peak("fp32")?.flopsPerSecond ?? 2e10)
    while n > nb, HPL.flops(n: n) / rate > seconds { n = Int(Double(n) * 0.95) }
    return max(nb, n / nb * nb)
  }

  static func descriptor() -> BenchmarkDescriptor {
    BenchmarkDescriptor(
      id: id,
      summary: "HPL-MxP: LU without pivoting in low precision + FP64 iterative refinement",
      validity:
        "HPL backward error ‖Ax−b‖∞ / (ε(‖A‖∞‖x‖∞+‖b‖∞)n) ≤ 16, ε = 2⁻⁵³, within maxIterations",
      parameters: parameters,
      preflight: { node, values in
        let n = order(node: node, values: values, remainingSeconds: nil)
        if values.int("n") > 0, values.int("nb") > n {
          throw BenchmarkError.parameter(
            benchmark: id, parameter: "nb",
            message: "expected nb <= n (\(n)), got \(values.int("nb"))")
        }
        let needed = requiredBytes(n: n)
        guard needed <= node.availableMemoryBytes * 9 / 10 else {
          throw BenchmarkError.resources(
            benchmark: id,
            message:
              "n=\(n) needs \(Humanize.format(Double(needed), unit: .bytes)) (FP64 and FP32 copies); \(Humanize.format(Double(node.availableMemoryBytes), unit: .bytes)) available (90% may be used)"
          )
        }
      },
      run: { context, values in [try run(context: context, values: values)] })
  }

  static func run(context: BenchmarkContext, values: ParameterValues) throws -> BenchmarkResult {
    let node = context.node
    let n = order(node: node, values: values, remainingSeconds: context.remainingSeconds)
    let nb = min(values.int("nb"), n)
    let precision = MxPPrecision(rawValue: values.string("precision")) ?? .fp32
    let (team, placement) = try node.makeTeam(threads: values.int("threads"))
    var outcomes: [MxPOutcome] = []
    for _ in 0..<values.int("repeats") {
      guard
        let outcome = HPLMxP.run(
          n: n, nb: nb, seed: UInt64(values.int("seed")), precision: precision,
          maxIterations: values.int("maxIterations"), team: team)
      else {
        throw BenchmarkError.resources(
          benchmark: id, message: "could not allocate the n=\(n) system")
      }
      outcomes.append(outcome)
      context.progress(
        "hplmxp: n=\(n) \(precision.rawValue) \(Humanize.fixed(outcome.seconds, decimals: 2)) s, \(outcome.iterations) refinement steps, residual \(outcome.check.map { String($0.scaledResidual) } ?? "none")"
      )
    }
    var parameters = values.values
    parameters["n"] = .int(n)
    parameters["nb"] = .int(nb)
    parameters["threads"] = .int(team.size)
    return result(
      outcomes: outcomes, parameters: parameters, placement: placement,
      maxIterations: values.int("maxIterations"))
  }

  static func result(
    outcomes: [MxPOutcome], parameters: [String: JSONValue], placement: String, maxIterations: Int
  ) -> BenchmarkResult {
    let samples = outcomes.map(\.seconds)
    let singular = outcomes.compactMap(\.singularColumn).first
    let passed = singular == nil && !outcomes.isEmpty && outcomes.allSatisfy(\.converged)
    let residuals = outcomes.compactMap { $0.check?.scaledResidual }
    let worst = residuals.contains { !$0.isFinite } ? Double.nan : (residuals.max() ?? .nan)
    let detail: String
    if let singular {
      detail = "zero pivot in column \(singular) of the low-precision LU (no pivoting)"
    } else if passed {
      detail =
        "converged: backward error \(worst) after \(outcomes.map(\.iterations).max() ?? 0) refinement step(s)"
    } else {
      detail =
        "did not converge within \(maxIterations) refinement steps: backward error \(worst) (history \(outcomes.first?.history.map { String($0) }.joined(separator: ", ") ?? ""))"
    }
    var metrics: [Metric] = []
    if worst.isFinite {
      metrics.append(Metric(name: "residual", value: worst, unit: .ratio, polarity: .lowerIsBetter))
    }
    var summary: String? = nil
    if passed, let best = outcomes.min(by: { $0.seconds < $1.seconds }) {
      metrics.insert(
        Metric(name: "rate", value: best.rate, unit: .flopsPerSecond, polarity: .higherIsBetter),
        at: 0)
      metrics += [
        Metric(
          name: "iterations", value: Double(best.iterations), unit: .ratio, polarity: .lowerIsBetter
        ),
        Metric(
          name: "factorSeconds", value: best.factorSeconds, unit: .seconds, polarity: .lowerIsBetter
        ),
        Metric(
          name: "refineSeconds", value: best.refineSeconds, unit: .seconds, polarity: .lowerIsBetter
        ),
      ]
      summary =
        "HPL-MxP N=\(best.n) NB=\(best.nb) \(best.precision.rawValue) LU + FP64 refinement: \(Humanize.fixed(best.seconds, decimals: 3)) s, \(Humanize.format(best.rate, unit: .flopsPerSecond)) (HPL-credited; not an FP64 figure), \(best.iterations) refinement steps, residual \(Humanize.significant(worst, digits: 3))"
    }
    let validation = Validation(
      check: "HPL backward error of the refined FP64 solution, ε = 2⁻⁵³", passed: passed,
      value: worst.isFinite ? worst : nil, bound: HPL.threshold, detail: detail)
    return BenchmarkResult(
      id: id, status: passed ? .ok : .invalid, parameters: parameters, samples: samples,
      sampleUnit: .seconds, warmupSamples: [], metrics: metrics, validation: validation,
      execution: "mixed", placement: placement + "; OpenBLAS 1 thread per worker in the LU",
      summary: summary, notes: passed ? [] : [detail])
  }

  /// When the suite also ran hpl.fp64 at the same n, records hplmxp's speedup over it.
  public static func addSpeedup(to results: inout [BenchmarkResult]) {
    guard let hpl = results.first(where: { $0.id == HPLBenchmark.id && $0.valid }),
      let hplRate = hpl.metric("rate")?.value,
      let index = results.firstIndex(where: { $0.id == id && $0.valid }),
      let rate = results[index].metric("rate")?.value,
      hpl.parameters["n"] == results[index].parameters["n"]
    else { return }
    results[index].metrics.append(
      Metric(name: "speedupOverHPL", value: rate / hplRate, unit: .ratio, polarity: .higherIsBetter)
    )
  }
}
