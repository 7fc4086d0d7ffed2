import Communication
import Foundation
import Kernels
import Measurement
import ReportFormat

/// `hpl.fp64`: the supercomputing (超算) headline, computed as HPL computes it. Rate =
/// ((2/3)n³ + (3/2)n²) / (factor + solve wall time); valid only when the scaled residual on the
/// original A and b is below 16. On one node (scope `node`) it is Suanli's blocked LU with the
/// node's thread team; across the ranks of a job (scope `job`, the default under a launcher
/// with several ranks) it is HPL 2.3's distributed LU on a P×Q grid (HPLBenchmark+Distributed).
public enum HPLBenchmark {
  static let id = "hpl.fp64"

  static let parameters: [ParameterSpec] = [
    ParameterSpec(
      name: "n", kind: .integer(0...1_000_000), defaultValue: .int(0),
      help: "matrix order; 0 = sized from memoryFraction and maxSeconds"),
    ParameterSpec(
      name: "nb", kind: .integer(1...4096), defaultValue: .int(256),
      help: "block size (panel width)"),
    ParameterSpec(
      name: "memoryFraction", kind: .number(0.01...0.95), defaultValue: .double(0.8),
      help: "with n = 0: the matrix may use this fraction of available memory (HPL's guidance)"),
    ParameterSpec(
      name: "maxSeconds", kind: .number(0.1...604_800), defaultValue: .double(60),
      help:
        "with n = 0: cap n so one run should take at most this long (and fit the suite's budget)"),
    ParameterSpec(
      name: "seed", kind: .integer(0...Int.max), defaultValue: .int(100),
      help: "seed of the random matrix (HPL's ISEED is 100)"),
    ParameterSpec(
      name: "generator", kind: .choice(["hpl", "counter"]), defaultValue: .string("hpl"),
      help:
        "hpl: HPL 2.3's generator, the matrix xhpl and hpcc build for the same n and seed; counter: Suanli's earlier one"
    ),
    ParameterSpec(
      name: "scope", kind: .choice(["auto", "node", "job"]), defaultValue: .string("auto"),
      help:
        "node: HPL on each node; job: distributed HPL over all ranks; auto: job when the job has several ranks"
    ),
    ParameterSpec(
      name: "grid",
      kind: .text(expectation: "auto or PxQ (e.g. 2x4)", accepts: { gridShape($0) != nil }),
      defaultValue: .string("auto"),
      help: "process grid; auto: P the largest divisor of the rank count ≤ √ranks, Q = ranks/P"),
    ParameterSpec(
      name: "mapping", kind: .choice(["row", "column"]), defaultValue: .string("row"),
      help: "ranks on the grid: row-major (HPL's advice) or column-major (hpcc's default)"),
    ParameterSpec(
      name: "depth", kind: .integer(0...1), defaultValue: .int(1), help: "look-ahead depth"),
    ParameterSpec(
      name: "broadcast", kind: .choice(["ringModified", "library"]),
      defaultValue: .string("ringModified"),
      help: "panel broadcast: HPL's 1ringM overlapped with the update, or MPI_Bcast"),
    ParameterSpec(
      name: "timeoutSeconds", kind: .number(1...604_800), defaultValue: .double(3600),
      help: "distributed: abort the job when the run takes longer (a rank died or hangs)"),
    CommonParameters.threads,
    CommonParameters.repeats(1),
    CommonParameters.warmup(0),
  ]

  static func descriptor() -> BenchmarkDescriptor {
    var descriptor = BenchmarkDescriptor(
      id: id,
      summary: "HPL-style FP64 LU with partial pivoting, look-ahead, solve A·x = b",
      validity: "scaled residual ‖Ax−b‖∞ / (ε(‖A‖∞‖x‖∞+‖b‖∞)n) < 16, ε = 2⁻⁵³ (HPL)",
      parameters: parameters,
      preflight: { node, values in
        let n = order(node: node, values: values, remainingSeconds: nil)
        let nb = values.int("nb")
        if values.int("n") > 0, nb > n {
          throw BenchmarkError.parameter(
            benchmark: id, parameter: "nb", message: "expected nb <= n (\(n)), got \(nb)")
        }
        let needed = DenseSystem.requiredBytes(n: n)
        guard needed <= node.availableMemoryBytes * 9 / 10 else {
          throw BenchmarkError.resources(
            benchmark: id,
            message:
              "n=\(n) needs \(Humanize.format(Double(needed), unit: .bytes)) for the matrix; \(Humanize.format(Double(node.availableMemoryBytes), unit: .bytes)) available (90% may be used)"
          )
        }
      },
      run: { context, values in
        if let communicator = context.communicator,
          isDistributed(values, ranks: communicator.size)
        {
          return [try runDistributed(context: context, communicator: communicator, values: values)]
        }
        if values.string("scope") == "job" {
          // Asked for without a launcher: the distributed code on one rank (a 1x1 grid).
          let one = InProcessWorld(size: 1).communicator(rank: 0)
          return [try runDistributed(context: context, communicator: one, values: values)]
        }
        return [try run(context: context, values: values)]
      })
    descriptor.scopedByParameter()
    descriptor.communicatesFromThreads = true
    descriptor.collectivePreflight = { _, values, ranks, _ in
      _ = try checkGrid(values, ranks: ranks)
    }
    return descriptor
  }

  /// Distributed when asked for, or by default in a job of several ranks.
  static func isDistributed(_ values: ParameterValues, ranks: Int) -> Bool {
    BenchmarkDescriptor.runsAcrossJob(values, ranks: ranks)
  }

  /// The matrix generator the parameters ask for.
  static func generator(_ values: ParameterValues) -> MatrixGenerator {
    let seed = UInt64(values.int("seed"))
    return values.string("generator") == "counter" ? .counter(seed: seed) : .hpl(seed: seed)
  }

  /// The matrix order: `n` when given, else the largest multiple of nb whose matrix fits in
  /// memoryFraction of available memory and whose run should fit in maxSeconds (and the suite's
  /// remaining budget), assuming 75% of the FP64 Rpeak.
  static func order(node: NodeProfile, values: ParameterValues, remainingSeconds: Double?) -> Int {
    let given = values.int("n")
    if given > 0 { return given }
    let nb = values.int("nb")
    let memory = values.double("memoryFraction") * Double(node.availableMemoryBytes) / 8
    var n = Int(memory.squareRoot())
    let seconds = min(
      values.double("maxSeconds"), remainingSeconds.map { max(1, $0 / 2) } ?? .infinity)
    let rate = 0.75 * (node.peak("fp64")?.flopsPerSecond ?? 1e10)
    while n > nb, HPL.flops(n: n) / rate > seconds { n = Int(Double(n) * 0.95) }
    return max(nb, n / nb * nb)
  }

  static func run(context: BenchmarkContext, values: ParameterValues) throws -> BenchmarkResult {
    let node = context.node
    let n = order(node: node, values: values, remainingSeconds: context.remainingSeconds)
    let nb = min(values.int("nb"), n)
    let (team, placement) = try node.makeTeam(threads: values.int("threads"))
    guard let system = DenseSystem(n: n) else {
      throw BenchmarkError.resources(
        benchmark: id, message: "could not map the \(n)×\(n + 1) matrix")
    }
    let generator = generator(values)
    var warm: [Double] = []
    for _ in 0..<values.int("warmup") {
      warm.append(
        HPL.run(system: system, nb: nb, generator: generator, team: team, counted: false).seconds)
    }
    var outcomes: [HPLOutcome] = []
    for repeatIndex in 0..<values.int("repeats") {
      let outcome = HPL.run(system: system, nb: nb, generator: generator, team: team)
      outcomes.append(outcome)
      context.progress(
        "hpl.fp64 run \(repeatIndex + 1): n=\(n) nb=\(nb) \(Humanize.fixed(outcome.seconds, decimals: 2)) s \(Humanize.format(outcome.rate, unit: .flopsPerSecond)) residual \(outcome.check.map { Humanize.significant($0.scaledResidual, digits: 3) } ?? "none (singular)")"
      )
    }
    var parameters = values.values
    parameters["n"] = .int(n)
    parameters["nb"] = .int(nb)
    parameters["threads"] = .int(team.size)
    return result(
      outcomes: outcomes, warmup: warm, parameters: parameters, rpeak: node.peak("fp64"),
      placement: placement + "; OpenBLAS 1 thread per worker; look-ahead depth 1")
  }

  /// Builds the result from the runs: valid only when every run passed the residual check.
  static func result(
    outcomes: [HPLOutcome], warmup: [Double], parameters: [String: JSONValue], rpeak: PeakRecord?,
    placement: String
  ) -> BenchmarkResult {
    let samples = outcomes.map(\.seconds)
    let verdict = ResidualVerdict(
      checks: outcomes.map(\.check), singular: outcomes.map(\.singularColumn))
    let (singular, worst, passed) = (verdict.singular, verdict.worst, verdict.passed)
    let detail: String
    if let singular {
      detail = "matrix is singular: zero pivot in column \(singular); no solution to check"
    } else if passed {
      detail = "largest scaled residual over \(outcomes.count) run(s): \(worst)"
    } else {
      detail = "scaled residual \(worst) is not below \(HPL.threshold): the solution is wrong"
    }
    let validation = Validation(
      check:
        "HPL scaled residual ‖Ax−b‖∞ / (ε(‖A‖∞‖x‖∞+‖b‖∞)n), ε = 2⁻⁵³, on the regenerated A and b",
      passed: passed, value: worst.isFinite ? worst : nil, bound: HPL.threshold, detail: detail)
    var metrics: [Metric] = []
    if worst.isFinite {
      metrics.append(Metric(name: "residual", value: worst, unit: .ratio, polarity: .lowerIsBetter))
    }
    var summary: String? = nil
    if passed, let best = outcomes.min(by: { $0.seconds < $1.seconds }) {
      let n = best.n
      let rate = best.rate
      metrics.insert(
        Metric(name: "rate", value: rate, unit: .flopsPerSecond, polarity: .higherIsBetter), at: 0)
      if let median = Statistics(samples)?.median {
        metrics.append(
          Metric(
            name: "rateMedian", value: HPL.flops(n: n) / median, unit: .flopsPerSecond,
            polarity: .higherIsBetter))
      }
      if let rpeak {
        metrics.append(
          Metric(
            name: "efficiency", value: rate / rpeak.flopsPerSecond, unit: .ratio,
            polarity: .higherIsBetter))
      }
      metrics += [
        Metric(
          name: "factorSeconds", value: best.factorSeconds, unit: .seconds, polarity: .lowerIsBetter
        ),
        Metric(
          name: "solveSeconds", value: best.solveSeconds, unit: .seconds, polarity: .lowerIsBetter),
        Metric(
          name: "panelThreadSeconds", value: best.times.panel, unit: .seconds,
          polarity: .lowerIsBetter),
        Metric(
          name: "swapThreadSeconds", value: best.times.swaps, unit: .seconds,
          polarity: .lowerIsBetter),
        Metric(
          name: "updateThreadSeconds", value: best.times.update, unit: .seconds,
          polarity: .lowerIsBetter),
      ]
      let efficiency =
        rpeak.map { " (\(Humanize.fixed(100 * rate / $0.flopsPerSecond, decimals: 1))% of Rpeak)" }
        ?? ""
      summary =
        "HPL N=\(n) NB=\(best.nb) threads=\(parameters["threads"] ?? .int(0)) time \(Humanize.fixed(best.seconds, decimals: 3)) s  \(Humanize.format(rate, unit: .flopsPerSecond))\(efficiency)  residual \(Humanize.significant(worst, digits: 3)) < 16 PASSED"
    }
    return BenchmarkResult(
      id: id, status: passed ? .ok : .invalid, parameters: parameters, samples: samples,
      sampleUnit: .seconds, warmupSamples: warmup, metrics: metrics, validation: validation,
      placement: placement, summary: summary,
      notes: passed ? [] : [detail])
  }
}

/// What a set of HPL runs' checks add up to: the worst scaled residual (NaN when one is not
/// finite), the first zero-pivot column, and whether every run passed.
struct ResidualVerdict {
  let worst: Double
  let singular: Int?
  let passed: Bool

  init(checks: [HPLCheck?], singular columns: [Int?]) {
    singular = columns.compactMap { $0 }.first
    let residuals = checks.compactMap { $0?.scaledResidual }
    worst = residuals.contains { !$0.isFinite } ? .nan : (residuals.max() ?? .nan)
    passed = singular == nil && !checks.isEmpty && checks.allSatisfy { $0?.passed == true }
  }
}
