import Communication
import Distributed
import Foundation
import Measurement
import ReportFormat

/// `hpcg`: HPCG 3.1 (module Distributed) as a benchmark. On a node (scope `node`) the node's
/// cores act as HPCG's ranks — one thread each, pinned, its own box, halos exchanged in
/// memory (InProcessWorld) —, so a run is the reference's `mpirun -np <cores> xhpcg`; across
/// the ranks of a job (scope `job`) the same code runs one HPCG rank per MPI rank.
public enum HPCGBenchmark {
  static let id = "hpcg"

  /// Bytes one fine-grid row costs, all levels and vectors counted (27 values and column
  /// indices, the level's row data, the coarse levels at 1/8 + 1/64 + 1/512 of it, b, x and
  /// the CG's vectors, the multigrid's work vectors, the validation's temporaries), for
  /// sizing; the halo is ignored.
  static let bytesPerRow = 500.0

  static let parameters: [ParameterSpec] = [
    ParameterSpec(
      name: "nx", kind: .integer(0...4096), defaultValue: .int(0),
      help:
        "each rank's box, x (a multiple of 8, at least 16); 0 = the smallest cube whose problem takes memoryFraction of the memory (HPCG's rule: a quarter)"
    ),
    ParameterSpec(
      name: "ny", kind: .integer(0...4096), defaultValue: .int(0), help: "the box, y; 0 = nx"),
    ParameterSpec(
      name: "nz", kind: .integer(0...4096), defaultValue: .int(0), help: "the box, z; 0 = nx"),
    ParameterSpec(
      name: "runSeconds", kind: .number(0...604_800), defaultValue: .double(60),
      help: "the timed sets' target time (HPCG's rt); official results need 1800"),
    ParameterSpec(
      name: "memoryFraction", kind: .number(0.01...0.8), defaultValue: .double(0.25),
      help: "with nx = 0: the share of the node's memory the problem takes"),
    ParameterSpec(
      name: "scope", kind: .choice(["auto", "node", "job"]), defaultValue: .string("auto"),
      help:
        "node: the node's cores as HPCG's ranks, on each node; job: one HPCG rank per MPI rank over the whole job; auto: job when the job has several ranks"
    ),
    ParameterSpec(
      name: "timeoutSeconds", kind: .number(1...604_800), defaultValue: .double(7200),
      help: "abort when the run takes longer (a rank died or hangs)"),
    ParameterSpec(
      name: "threads", kind: .integer(0...65_536), defaultValue: .int(0),
      help: "on a node: HPCG ranks, one thread each, pinned one per core; 0 = one per core"),
  ]

  static func descriptor() -> BenchmarkDescriptor {
    var descriptor = BenchmarkDescriptor(
      id: id,
      summary:
        "HPCG 3.1: multigrid-preconditioned CG on a 27-point stencil, rated with HPCG's official flop count",
      validity:
        "HPCG's own: spectral test (≤ 12 / ≤ 2 iterations), SpMV and MG symmetry departures ≤ 1, the reference tolerance reached within 500 iterations, residual variance of the timed sets < 1e-6",
      parameters: parameters,
      preflight: { node, values in
        let ranks = values.int("threads") > 0 ? values.int("threads") : max(1, node.machine.cores)
        let box = try box(values, rankMemory: Double(node.memoryBytes) / Double(ranks))
        let needed = Double(ranks) * bytesPerRow * Double(box.nx * box.ny * box.nz)
        guard needed <= Double(node.availableMemoryBytes) * 0.9 else {
          throw BenchmarkError.resources(
            benchmark: id,
            message:
              "\(ranks) boxes of \(box.nx)×\(box.ny)×\(box.nz) need about \(Humanize.format(needed, unit: .bytes)); \(Humanize.format(Double(node.availableMemoryBytes), unit: .bytes)) available (90% may be used)"
          )
        }
      },
      run: { context, values in
        if let communicator = context.communicator, BenchmarkDescriptor.runsAcrossJob(values, ranks: communicator.size) {
          return [try runJob(context: context, communicator: communicator, values: values)]
        }
        return [try runNode(context: context, values: values)]
      })
    descriptor.scopedByParameter()
    return descriptor
  }

  /// Each rank's box: the one asked for (checked as HPCG checks it), or with nx = 0 the
  /// smallest cube, a multiple of 8, whose problem takes `memoryFraction` of `rankMemory`.
  static func box(_ values: ParameterValues, rankMemory: Double) throws -> (
    nx: Int, ny: Int, nz: Int
  ) {
    var nx = values.int("nx")
    if nx == 0 {
      let rows = values.double("memoryFraction") * rankMemory / bytesPerRow
      nx = max(16, Int(ceil(cbrt(rows) / 8)) * 8)
    }
    let ny = values.int("ny") > 0 ? values.int("ny") : nx
    let nz = values.int("nz") > 0 ? values.int("nz") : nx
    if let refusal = HPCGProblem.refusal(nx: nx, ny: ny, nz: nz) {
      let parameter = refusal.hasPrefix("ny") ? "ny" : refusal.hasPrefix("nz") ? "nz" : "nx"
      throw BenchmarkError.parameter(benchmark: id, parameter: parameter, message: refusal)
    }
    return (nx, ny, nz)
  }

  /// The node's cores as HPCG's ranks.
  static func runNode(context: BenchmarkContext, values: ParameterValues) throws -> BenchmarkResult
  {
    let node = context.node
    let cores = max(1, node.machine.cores)
    let ranks = values.int("threads") > 0 ? values.int("threads") : cores
    let box = try box(values, rankMemory: Double(node.memoryBytes) / Double(ranks))
    let configuration = HPCGRun.Configuration(
      nx: box.nx, ny: box.ny, nz: box.nz, runSeconds: values.double("runSeconds"))
    let topology = node.topology
    let pinned = topology.isThisSystem
    // One rank per core: a receive polls up to 5 ms before sleeping (a halted vCPU takes
    // milliseconds to wake; the reference's MPI ranks poll all the time).
    let world = InProcessWorld(
      size: ranks, timeoutSeconds: values.double("timeoutSeconds"),
      pollSeconds: ranks <= cores ? 5e-3 : 30e-6)
    let progress = context.progress
    let outcomes = try world.run { communicator in
      if pinned { try topology.bindCurrentThread(toCore: communicator.rank % cores) }
      return try HPCGRun.run(configuration, communicator: communicator, progress: progress)
    }
    let over = ranks > cores ? ", oversubscribed: \(ranks) ranks on \(cores) cores" : ""
    return result(
      outcomes[0], values: values, ranks: ranks, memory: Double(node.memoryBytes),
      placement:
        "\(ranks) HPCG ranks as threads of one process (halos exchanged in memory), "
        + (pinned ? "one per core, pinned with hwloc_set_cpubind" : "not pinned (not this system)")
        + over + "; each rank generates its own box (first touch)")
  }

  /// One HPCG rank per MPI rank, the box sized by the smallest rank's share of its node.
  static func runJob(
    context: BenchmarkContext, communicator: Communicator, values: ParameterValues
  ) throws -> BenchmarkResult {
    let node = context.node
    let ranksOnNode = context.job?.node.size ?? 1
    let share = Double(node.memoryBytes) / Double(ranksOnNode)
    let smallest = -(try communicator.allreduce(-share, .max))
    let box = try box(values, rankMemory: smallest)
    let configuration = HPCGRun.Configuration(
      nx: box.nx, ny: box.ny, nz: box.nz, runSeconds: values.double("runSeconds"))
    let outcome = try InterconnectBenchmarks.guarded(
      id, communicator, context: context, seconds: values.double("timeoutSeconds")
    ) {
      try HPCGRun.run(configuration, communicator: communicator, progress: context.progress)
    }
    let cores = max(1, node.machine.cores)
    var notes: [String] = []
    if ranksOnNode < cores {
      notes.append(
        "\(ranksOnNode) HPCG rank(s) on this node of \(cores) cores: HPCG's ranks are single-threaded, so the other cores were idle (launch one rank per core for the whole node, or use scope node for each node's own figure)"
      )
    }
    let isLeader = context.job?.isLeader ?? (communicator.rank == 0)
    let memory = try communicator.allreduce(isLeader ? Double(node.memoryBytes) : 0, .sum)
    var result = result(
      outcome, values: values, ranks: communicator.size, memory: memory,
      placement:
        "\(communicator.size) MPI ranks, one HPCG rank each, \(ranksOnNode) on this node; \(communicator.library)"
    )
    result.notes += notes
    return result
  }

  /// The result: HPCG's rating and raw figures when valid, every validation figure either way.
  static func result(
    _ outcome: HPCGRun.Outcome, values: ParameterValues, ranks: Int, memory: Double,
    placement: String
  ) -> BenchmarkResult {
    let g = outcome.geometry
    var parameters = values.values
    parameters["nx"] = .int(g.nx)
    parameters["ny"] = .int(g.ny)
    parameters["nz"] = .int(g.nz)
    parameters["ranks"] = .int(ranks)
    parameters["processGrid"] = .string("\(g.npx)x\(g.npy)x\(g.npz)")
    parameters["globalGrid"] = .string("\(g.gnx)x\(g.gny)x\(g.gnz)")
    parameters["sets"] = .int(outcome.sets)
    parameters["official"] = .bool(outcome.officialLength)
    parameters["timedSeconds"] = .double(outcome.times.total)
    // The problem's share of the memory of the nodes it ran on (HPCG's quarter rule), from
    // Suanli's bytes per row.
    let rows = Double(g.gnx * g.gny * g.gnz)
    if memory > 0 { parameters["memoryShare"] = .double(rows * bytesPerRow / memory) }
    let failures = outcome.failures
    let valid = failures.isEmpty
    let spectral = outcome.spectralIterations
    let detail =
      "spectral test \(spectral.unpreconditioned.map(String.init).joined(separator: "/")) unpreconditioned, \(spectral.preconditioned.map(String.init).joined(separator: "/")) preconditioned iterations; symmetry departures SpMV \(Humanize.significant(outcome.symmetry.spmv, digits: 3)), MG \(Humanize.significant(outcome.symmetry.mg, digits: 3)); reference tolerance \(outcome.referenceTolerance) after 50 iterations, reached in \(outcome.optimizedIterations); mean scaled residual \(outcome.residualMean) and variance \(outcome.residualVariance) over \(outcome.sets) timed set(s)"
    let validation = Validation(
      check:
        "HPCG 3.1's validation: spectral test, SpMV and MG symmetry, the optimised run to the reference tolerance, the timed sets' residual variance",
      passed: valid, value: outcome.residualVariance, bound: 1e-6,
      detail: valid ? detail : failures.joined(separator: "; ") + " — " + detail)
    var metrics: [Metric] = []
    var summary: String? = nil
    var notes: [String] = []
    if valid {
      metrics = [
        Metric(
          name: "rate", value: outcome.rating, unit: .flopsPerSecond, polarity: .higherIsBetter),
        Metric(
          name: "rawRate", value: outcome.rawRate, unit: .flopsPerSecond, polarity: .higherIsBetter
        ),
        Metric(
          name: "bandwidth", value: outcome.bandwidth, unit: .bytesPerSecond,
          polarity: .higherIsBetter),
        Metric(
          name: "iterationsPerSet", value: Double(outcome.iterationsPerSet), unit: .ratio,
          polarity: .lowerIsBetter),
        Metric(name: "time", value: outcome.times.total, unit: .seconds, polarity: .lowerIsBetter),
        Metric(
          name: "setupSeconds", value: outcome.setupSeconds, unit: .seconds,
          polarity: .lowerIsBetter),
      ]
      summary =
        "HPCG \(g.gnx)×\(g.gny)×\(g.gnz) on \(g.npx)×\(g.npy)×\(g.npz) ranks: \(outcome.sets) set(s) of \(outcome.iterationsPerSet) iterations in \(Humanize.fixed(outcome.times.total, decimals: 1)) s  \(Humanize.format(outcome.rating, unit: .flopsPerSecond)) VALID  (raw \(Humanize.format(outcome.rawRate, unit: .flopsPerSecond)), \(Humanize.format(outcome.bandwidth, unit: .bytesPerSecond)) modelled traffic)"
      let t = outcome.times
      notes.append(
        "time per kernel over the timed sets (max over ranks): DDOT \(Humanize.fixed(t.ddot, decimals: 2)) s, WAXPBY \(Humanize.fixed(t.waxpby, decimals: 2)) s, SpMV \(Humanize.fixed(t.spmv, decimals: 2)) s, MG \(Humanize.fixed(t.mg, decimals: 2)) s, total \(Humanize.fixed(t.total, decimals: 2)) s; set-up \(Humanize.fixed(outcome.setupSeconds, decimals: 2)) s, optimisation \(Humanize.fixed(outcome.optimizeSeconds, decimals: 3)) s (a tenth of each charged per set)"
      )
      notes.append(
        "kernels: the reference's sequential symmetric Gauss–Seidel in its order; the V-cycle's first smoothing on each level starts from x = 0 (its halo exchange and its products with entries not yet updated, all zero, skipped) and the restriction computes A·x at the injected rows only — the reference's values with fewer operations, as optimised HPCG codes do; the rating counts HPCG's official flops"
      )
    } else {
      notes.append(failures.joined(separator: "; "))
    }
    if !outcome.officialLength {
      notes.append(
        "not official length: \(Humanize.fixed(outcome.times.total, decimals: 1)) s of timed sets; HPCG's rules ask at least \(Int(HPCGRun.Outcome.officialSeconds)) s (runSeconds: 1800)"
      )
    }
    return BenchmarkResult(
      id: id, status: valid ? .ok : .invalid, parameters: parameters,
      samples: outcome.setSeconds, sampleUnit: .seconds, warmupSamples: [], metrics: metrics,
      validation: validation, placement: placement, summary: summary, notes: notes)
  }
}

extension HPCGBenchmark {
  /// Once the suite has run: each valid hpcg result's rating over the HPL rate of the same
  /// scope and node (`hplRatio`: the TOP500's HPCG/HPL balance, 1-4 % on today's systems), and
  /// its modelled traffic over the same node's STREAM triad (`streamTriadFraction`).
  public static func addRatios(to results: inout [BenchmarkResult]) {
    for index in results.indices where results[index].id == id && results[index].valid {
      let hpcg = results[index]
      func partner(_ other: String, _ metric: String) -> Double? {
        results.first {
          $0.id == other && $0.valid && $0.scope == hpcg.scope && $0.node == hpcg.node
        }?.metric(metric)?.value
      }
      if let hpl = partner(HPLBenchmark.id, "rate"), hpl > 0, let rate = hpcg.metric("rate")?.value
      {
        results[index].metrics.append(
          Metric(name: "hplRatio", value: rate / hpl, unit: .ratio, polarity: .higherIsBetter))
      }
      if let triad = partner("stream.triad", "bandwidth"), triad > 0,
        let bandwidth = hpcg.metric("bandwidth")?.value
      {
        results[index].metrics.append(
          Metric(
            name: "streamTriadFraction", value: bandwidth / triad, unit: .ratio,
            polarity: .higherIsBetter))
      }
    }
  }
}
