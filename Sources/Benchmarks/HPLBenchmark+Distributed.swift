import Communication
import Distributed
import Foundation
import Kernels
import Measurement
import ReportFormat

/// `hpl.fp64` across the ranks of a job: HPL 2.3's distributed LU (module Distributed) on a P×Q
/// grid, one rank per node by default with the node's cores as its thread team, sized by the
/// smallest node, timed and checked as xhpl does.
extension HPLBenchmark {
  /// "2x4" or "2X4" → (2, 4); "auto" → (0, 0); anything else nil.
  static func gridShape(_ text: String) -> (p: Int, q: Int)? {
    if text == "auto" { return (0, 0) }
    let parts = text.lowercased().split(separator: "x")
    guard parts.count == 2, let p = Int(parts[0]), let q = Int(parts[1]), p >= 1, q >= 1,
      p <= 65_536, q <= 65_536
    else { return nil }
    return (p, q)
  }

  /// The grid for `ranks` ranks: the one asked for (it must use every rank) or hpcc's choice.
  static func checkGrid(_ values: ParameterValues, ranks: Int) throws -> (p: Int, q: Int) {
    guard let shape = gridShape(values.string("grid")) else {
      throw BenchmarkError.parameter(
        benchmark: id, parameter: "grid",
        message: "expected auto or PxQ, got \(values.string("grid"))")
    }
    if shape.p == 0 { return ProcessGrid.automaticShape(ranks: ranks) }
    guard shape.p * shape.q == ranks else {
      throw BenchmarkError.parameter(
        benchmark: id, parameter: "grid",
        message: "\(shape.p)x\(shape.q) needs \(shape.p * shape.q) ranks; this job has \(ranks)")
    }
    return shape
  }

  static func lcm(_ a: Int, _ b: Int) -> Int {
    func gcd(_ x: Int, _ y: Int) -> Int { y == 0 ? x : gcd(y, x % y) }
    return a / gcd(a, b) * b
  }

  /// The order of a distributed run: `n`, or the largest that fits `memoryFraction` of the
  /// smallest rank's share of its node's memory on every rank, capped so the run should take
  /// at most `maxSeconds` (and half the suite's remaining budget) at 75 % of the ranks' summed
  /// FP64 peak, rounded down to a multiple of NB·lcm(P, Q) (Intel's and Ramble's rule).
  static func distributedOrder(
    values: ParameterValues, ranks: Int, grid: (p: Int, q: Int), nb: Int,
    smallestRankMemory: Double, summedPeak: Double, remainingSeconds: Double?
  ) -> Int {
    let given = values.int("n")
    if given > 0 { return given }
    var n = Int(
      (values.double("memoryFraction") * smallestRankMemory * Double(ranks) / 8).squareRoot())
    let seconds = min(
      values.double("maxSeconds"), remainingSeconds.map { max(1, $0 / 2) } ?? .infinity)
    let rate = 0.75 * (summedPeak > 0 ? summedPeak : 1e10 * Double(ranks))
    while n > nb, HPL.flops(n: n) / rate > seconds { n = Int(Double(n) * 0.95) }
    let unit = nb * lcm(grid.p, grid.q)
    return max(nb, n / unit * unit)
  }

  static func runDistributed(
    context: BenchmarkContext, communicator: Communicator, values: ParameterValues
  ) throws -> BenchmarkResult {
    let node = context.node
    let ranks = communicator.size
    let grid = try checkGrid(values, ranks: ranks)
    let ranksOnNode = context.job?.node.size ?? 1
    let nodeRank = context.job?.node.rank ?? 0
    let cores = max(1, node.machine.cores)
    let threads = values.int("threads") > 0 ? values.int("threads") : max(1, cores / ranksOnNode)
    let rankPeak =
      (node.peak("fp64")?.flopsPerSecond ?? 0) * Double(min(threads, cores)) / Double(cores)
    let isLeader = context.job?.isLeader ?? (communicator.rank == 0)
    // [−memory, peak, node peak (leaders only)] reduced: the smallest share, the sums.
    let smallest =
      -(try communicator.allreduce(
        -Double(node.availableMemoryBytes / ranksOnNode), .max))
    let sums = try communicator.allreduce(
      [rankPeak, isLeader ? node.peak("fp64")?.flopsPerSecond ?? 0 : 0], .sum)
    let nb = values.int("nb")
    let n = distributedOrder(
      values: values, ranks: ranks, grid: grid, nb: nb, smallestRankMemory: smallest,
      summedPeak: sums[0], remainingSeconds: context.remainingSeconds)
    var depth = values.int("depth")
    var notes: [String] = []
    if depth > 0, communicator.threadLevel < .serialized, threads >= 1 {
      depth = 0
      notes.append(
        "look-ahead off: MPI granted thread level \(communicator.threadLevel.name), and worker 0 communicates only with serialized or above"
      )
    }
    var configuration = DistributedHPL.Configuration(n: n, nb: min(nb, n), p: grid.p, q: grid.q)
    configuration.mapping = values.string("mapping") == "column" ? .column : .row
    configuration.options = DistributedLUOptions(
      depth: depth,
      broadcast: values.string("broadcast") == "library" ? .library : .ringModified)
    configuration.generator = generator(values)
    configuration.model = true
    let (team, placement) = try node.makeTeam(threads: threads, firstCore: nodeRank * threads)
    var outcomes: [DistributedHPLOutcome] = []
    var warm: [Double] = []
    let timeout = values.double("timeoutSeconds")
    for index in 0..<(values.int("warmup") + values.int("repeats")) {
      let outcome = try InterconnectBenchmarks.guarded(
        id, communicator, context: context, seconds: timeout
      ) {
        try DistributedHPL.run(configuration, communicator: communicator, team: team)
      }
      if index < values.int("warmup") {
        warm.append(outcome.seconds)
        continue
      }
      outcomes.append(outcome)
      context.progress(
        "hpl.fp64 \(outcome.variant) N=\(n) NB=\(outcome.nb) \(grid.p)x\(grid.q): \(Humanize.fixed(outcome.seconds, decimals: 2)) s \(Humanize.format(outcome.rate, unit: .flopsPerSecond)) residual \(outcome.check.map { Humanize.significant($0.scaledResidual, digits: 3) } ?? "none (singular)")"
      )
    }
    var parameters = values.values
    parameters["n"] = .int(n)
    parameters["nb"] = .int(min(nb, n))
    parameters["threads"] = .int(threads)
    parameters["depth"] = .int(depth)
    parameters["p"] = .int(grid.p)
    parameters["q"] = .int(grid.q)
    parameters["ranks"] = .int(ranks)
    return distributedResult(
      outcomes: outcomes, warmup: warm, parameters: parameters, summedNodePeak: sums[1],
      placement:
        "\(ranks) ranks on a \(grid.p)x\(grid.q) grid (\(configuration.mapping.rawValue)-major), \(ranksOnNode) on this node; each rank: \(placement); OpenBLAS 1 thread per worker; \(communicator.library)",
      notes: notes)
  }

  /// The result of the distributed runs: valid only when every run passed the residual check.
  static func distributedResult(
    outcomes: [DistributedHPLOutcome], warmup: [Double], parameters: [String: JSONValue],
    summedNodePeak: Double, placement: String, notes: [String]
  ) -> BenchmarkResult {
    let verdict = ResidualVerdict(
      checks: outcomes.map(\.check), singular: outcomes.map(\.singularColumn))
    let (singular, worst, passed) = (verdict.singular, verdict.worst, verdict.passed)
    let detail: String
    if let singular {
      detail =
        "matrix is singular: zero pivot in column \(singular) (every rank agrees); no solution to check"
    } else if passed {
      let norms =
        outcomes.compactMap(\.check).max { $0.scaledResidual < $1.scaledResidual }
        .map {
          "; norms of that run: ‖A‖∞ = \($0.normA), ‖x‖∞ = \($0.normX), ‖b‖∞ = \($0.normB), ‖Ax−b‖∞ = \($0.normR)"
        } ?? ""
      detail =
        "largest scaled residual over \(outcomes.count) run(s), computed across ranks: \(worst)\(norms)"
    } else {
      detail = "scaled residual \(worst) is not below \(HPL.threshold): the solution is wrong"
    }
    var parameters = parameters
    if let first = outcomes.first { parameters["variant"] = .string(first.variant) }
    var metrics: [Metric] = []
    if worst.isFinite {
      metrics.append(Metric(name: "residual", value: worst, unit: .ratio, polarity: .lowerIsBetter))
    }
    var summary: String? = nil
    if passed, let best = outcomes.min(by: { $0.seconds < $1.seconds }) {
      let rate = best.rate
      metrics.insert(
        Metric(name: "rate", value: rate, unit: .flopsPerSecond, polarity: .higherIsBetter), at: 0)
      if let median = Statistics(outcomes.map(\.seconds))?.median {
        metrics.append(
          Metric(
            name: "rateMedian", value: HPL.flops(n: best.n) / median, unit: .flopsPerSecond,
            polarity: .higherIsBetter))
      }
      if summedNodePeak > 0 {
        metrics.append(
          Metric(
            name: "efficiency", value: rate / summedNodePeak, unit: .ratio,
            polarity: .higherIsBetter))
      }
      if let prediction = best.prediction {
        metrics.append(
          Metric(
            name: "modelledRate", value: prediction.rate, unit: .flopsPerSecond,
            polarity: .higherIsBetter))
        if summedNodePeak > 0 {
          metrics.append(
            Metric(
              name: "modelledEfficiency", value: prediction.rate / summedNodePeak, unit: .ratio,
              polarity: .higherIsBetter))
        }
      }
      let phases: [(String, Double)] = [
        ("factorSeconds", best.factorSeconds), ("solveSeconds", best.solveSeconds),
        ("panelSeconds", best.times.panel), ("broadcastWaitSeconds", best.times.broadcastWait),
        ("swapSeconds", best.times.swap), ("updateSeconds", best.times.update),
      ]
      for (name, value) in phases {
        metrics.append(Metric(name: name, value: value, unit: .seconds, polarity: .lowerIsBetter))
      }
      let efficiency =
        summedNodePeak > 0
        ? " (\(Humanize.fixed(100 * rate / summedNodePeak, decimals: 1))% of the nodes' Rpeak)" : ""
      summary =
        "HPL \(best.variant) N=\(best.n) NB=\(best.nb) P=\(best.p) Q=\(best.q) time \(Humanize.fixed(best.seconds, decimals: 3)) s  \(Humanize.format(rate, unit: .flopsPerSecond))\(efficiency)  residual \(Humanize.significant(worst, digits: 3)) < 16 PASSED"
    }
    let validation = Validation(
      check:
        "HPL scaled residual ‖Ax−b‖∞ / (ε(‖A‖∞‖x‖∞+‖b‖∞)n), ε = 2⁻⁵³, on the regenerated A and b, norms reduced across ranks",
      passed: passed, value: worst.isFinite ? worst : nil, bound: HPL.threshold, detail: detail)
    var modelNotes: [String] = []
    if let model = outcomes.first?.model, let prediction = outcomes.first?.prediction {
      modelNotes.append(
        "model (HPL's step by step, parts measured on this job before the run): DGEMM \(Humanize.format(model.gemmRate, unit: .flopsPerSecond)) a rank, panel \(Humanize.format(model.panelRate, unit: .flopsPerSecond)), pivot exchange \(Humanize.format(model.pivotExchange, unit: .seconds)), latency \(Humanize.format(model.latency, unit: .seconds)), bandwidth \(model.secondsPerByte > 0 ? Humanize.format(1 / model.secondsPerByte, unit: .bytesPerSecond) : "—") → \(Humanize.fixed(prediction.seconds, decimals: 3)) s, \(Humanize.format(prediction.rate, unit: .flopsPerSecond)), \(Humanize.fixed(prediction.efficiencyOfGEMM * 100, decimals: 1))% of the ranks' DGEMM"
      )
    }
    return BenchmarkResult(
      id: id, status: passed ? .ok : .invalid, parameters: parameters,
      samples: outcomes.map(\.seconds), sampleUnit: .seconds, warmupSamples: warmup,
      metrics: metrics, validation: validation, placement: placement, summary: summary,
      notes: (passed ? [] : [detail]) + notes + modelNotes)
  }
}
