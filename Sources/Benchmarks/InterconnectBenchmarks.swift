import Communication
import Foundation
import Interconnect
import Measurement
import ReportFormat

/// 运力: `c2c.latency` inside the node, `mpi.*` across ranks (OSU's methods, nccl-tests'
/// bandwidths). Every point of a sweep is a metric with its message size.
public enum InterconnectBenchmarks {
  static func descriptors() -> [BenchmarkDescriptor] {
    [coreToCore()] + [
      mpi(
        "mpi.pingpong", "one-way latency, blocking ping-pong between ranks 0 and 1 (osu_latency)",
        minimum: 1, maximum: 4 << 20),
      mpi(
        "mpi.bw", "bandwidth, windows of 64 non-blocking sends from rank 0 to 1 (osu_bw)",
        minimum: 1, maximum: 4 << 20),
      mpi(
        "mpi.bibw", "bidirectional bandwidth, windows of 64 each way (osu_bibw)", minimum: 1,
        maximum: 4 << 20),
      mpi(
        "mpi.allreduce", "allreduce of FP64 sums on all ranks: time, algbw, busbw = algbw·2(n−1)/n",
        minimum: 8, maximum: 64 << 20),
      mpi("mpi.barrier", "barrier latency on all ranks (osu_barrier)", minimum: 0, maximum: 0),
    ]
  }

  static func coreToCore() -> BenchmarkDescriptor {
    BenchmarkDescriptor(
      id: "c2c.latency",
      summary: "core-to-core round trip of a cache line between two pinned threads, every pair",
      validity: "the shared word ends at 2 × round trips in every repeat",
      parameters: [
        ParameterSpec(
          name: "roundTrips", kind: .integer(100...100_000_000), defaultValue: .int(100_000),
          help: "round trips per repeat"),
        ParameterSpec(
          name: "maxPairs", kind: .integer(0...1_000_000), defaultValue: .int(256),
          help: "measure at most this many pairs (evenly sampled); 0 = all"),
        CommonParameters.repeats(3),
      ],
      preflight: { _, _ in },
      run: { context, values in [try runCoreToCore(context: context, values: values)] })
  }

  static func runCoreToCore(context: BenchmarkContext, values: ParameterValues) throws
    -> BenchmarkResult
  {
    let node = context.node
    let cores = node.machine.cores
    let pairs = CoreToCore.pairs(cores: cores, limit: values.int("maxPairs"))
    guard !pairs.isEmpty else {
      return .notRun(
        id: "c2c.latency", status: .skipped, parameters: values.values,
        reason: "one core: no pair to measure")
    }
    let topology = node.topology
    let pinned = topology.isThisSystem
    var measured: [CoreToCore.Pair] = []
    for (i, j) in pairs {
      measured.append(
        try CoreToCore.measure(
          first: i, second: j, roundTrips: values.int("roundTrips"), repeats: values.int("repeats")
        ) { core in if pinned { try topology.bindCurrentThread(toCore: core) } })
    }
    let passed = measured.allSatisfy(\.countChecked)
    var metrics: [Metric] = []
    var notes: [String] = []
    for pair in measured {
      metrics.append(
        Metric(
          name: "latency:\(pair.first)-\(pair.second)", value: pair.seconds, unit: .seconds,
          polarity: .lowerIsBetter))
      notes.append(
        "cores \(pair.first)-\(pair.second): \(Humanize.format(pair.seconds, unit: .seconds)) round trip, sharing \(topology.sharedLevel(coreA: pair.first, coreB: pair.second))"
      )
    }
    let all = measured.map(\.seconds).sorted()
    metrics.insert(
      Metric(name: "latency", value: all[all.count / 2], unit: .seconds, polarity: .lowerIsBetter),
      at: 0)
    metrics.insert(
      Metric(name: "latencyMin", value: all[0], unit: .seconds, polarity: .lowerIsBetter), at: 1)
    metrics.insert(
      Metric(
        name: "latencyMax", value: all[all.count - 1], unit: .seconds, polarity: .lowerIsBetter),
      at: 2)
    return BenchmarkResult(
      id: "c2c.latency", status: passed ? .ok : .invalid, parameters: values.values,
      samples: measured.map(\.seconds), sampleUnit: .seconds, warmupSamples: [],
      metrics: passed ? metrics : [],
      validation: Validation(
        check: "round trips counted in the shared word", passed: passed, value: nil, bound: nil,
        detail: passed
          ? "\(measured.count) pair(s), every round trip accounted for" : "a pair lost round trips"),
      placement: pinned
        ? "two threads per pair, each bound to its core with hwloc"
        : "threads not pinned (not this system)",
      summary:
        "c2c round trip: median \(Humanize.format(all[all.count / 2], unit: .seconds)) over \(measured.count) pair(s), \(Humanize.format(all[0], unit: .seconds))–\(Humanize.format(all[all.count - 1], unit: .seconds))",
      notes: notes)
  }

  static func mpi(_ id: String, _ summary: String, minimum: Int, maximum: Int)
    -> BenchmarkDescriptor
  {
    var parameters: [ParameterSpec] = []
    if maximum > 0 {
      parameters += [
        ParameterSpec(
          name: "minSize", kind: .integer(1...(1 << 30)), defaultValue: .int(minimum),
          help: "smallest message, bytes (powers of two up to maxSize)"),
        ParameterSpec(
          name: "maxSize", kind: .integer(1...(1 << 30)), defaultValue: .int(maximum),
          help: "largest message, bytes"),
      ]
    }
    parameters += [
      ParameterSpec(
        name: "scale", kind: .number(0.0001...100), defaultValue: .double(1),
        help: "multiplies OSU's iteration counts"),
      ParameterSpec(
        name: "timeoutSeconds", kind: .number(1...86_400), defaultValue: .double(600),
        help: "abort the job when this benchmark takes longer (a rank died or hangs)"),
    ]
    var descriptor = BenchmarkDescriptor(
      id: id, summary: summary + " [MPI]",
      validity: "every byte (every sum) received equals what was sent (expected), on every rank",
      parameters: parameters,
      preflight: { _, values in
        if maximum > 0, values.int("minSize") > values.int("maxSize") {
          throw BenchmarkError.parameter(
            benchmark: id, parameter: "minSize",
            message: "expected minSize <= maxSize (\(values.int("maxSize")))")
        }
      },
      run: { context, values in [try runMPI(id, context: context, values: values)] })
    descriptor.usesMPI = true
    return descriptor
  }

  /// Why an MPI benchmark cannot run here, or nil.
  static func unavailable(_ communicator: Communicator?) -> String? {
    guard MPIAvailability.compiled else {
      return
        "skipped: this suanli was built without MPI (`make` builds it with MPI when libopenmpi-dev is installed)"
    }
    guard let communicator else {
      return "skipped: not started by an MPI launcher (run: mpirun -np 2 suanli run SUITE)"
    }
    guard communicator.size >= 2 else {
      return "skipped: needs at least 2 MPI ranks, this job has 1"
    }
    return nil
  }

  static func runMPI(_ id: String, context: BenchmarkContext, values: ParameterValues) throws
    -> BenchmarkResult
  {
    if let reason = unavailable(context.communicator) {
      return .notRun(id: id, status: .skipped, parameters: values.values, reason: reason)
    }
    let comm = context.communicator!
    let sizes = Payload.sizes(from: values.int("minSize"), to: values.int("maxSize"))
    let scale = values.double("scale")
    let placement = try comm.gather(placementLine(comm, node: context.node))
    // Point-to-point sweeps measure the fabric: between rank 0 and the first rank of another
    // node when the job has several nodes, else between ranks 0 and 1.
    let pointToPoint = ["mpi.pingpong", "mpi.bw", "mpi.bibw"].contains(id)
    var peer = 1
    if pointToPoint, let job = context.job, job.nodeCount > 1 {
      peer = job.members.first { $0.node != job.members[0].node }?.rank ?? 1
    }
    let pair =
      pointToPoint
      ? try comm.split(color: comm.rank == 0 || comm.rank == peer ? 0 : 1, key: comm.rank) : comm
    let inPair = !pointToPoint || comm.rank == 0 || comm.rank == peer
    let outcome = try guarded(id, comm, context: context, seconds: values.double("timeoutSeconds"))
    {
      guard inPair else { return SweepOutcome(points: [], payloadError: nil) }
      switch id {
      case "mpi.pingpong": return try MPISweeps.pingpong(pair, sizes: sizes, scale: scale)
      case "mpi.bw":
        return try MPISweeps.bandwidth(pair, sizes: sizes, scale: scale, bidirectional: false)
      case "mpi.bibw":
        return try MPISweeps.bandwidth(pair, sizes: sizes, scale: scale, bidirectional: true)
      case "mpi.allreduce": return try MPISweeps.allreduce(comm, sizes: sizes, scale: scale)
      default: return try MPISweeps.barrier(comm, scale: scale)
      }
    }
    var location = "all ranks share one node"
    if let job = context.job, job.nodeCount > 1 {
      location =
        pointToPoint
        ? "between rank 0 (node \(job.members[0].node)) and rank \(peer) (node \(job.members[peer].node)) of \(job.nodeCount) nodes"
        : "ranks on \(job.nodeCount) nodes"
    } else if pointToPoint, comm.size > 2 {
      location = "between ranks 0 and 1, which share one node"
    }
    return result(
      id, outcome: outcome, ranks: comm.size, library: comm.library, placement: placement,
      parameters: values.values, shared: location)
  }

  /// Runs a collective body under a watchdog: past `seconds` a rank died or hangs, and the
  /// body will never return. Rank 0 then has the report written (`context.stalled`), naming the
  /// ranks that kept it waiting as the job's heartbeats tell (`JobHeartbeat`), and aborts
  /// the job; the other ranks wait longer before aborting (rank 0 may be the one that is gone),
  /// so that their abort does not cut rank 0's report short.
  static func guarded<T>(
    _ id: String, _ comm: Communicator, context: BenchmarkContext, seconds: Double,
    _ body: () throws -> T
  ) rethrows -> T {
    let limit = comm.rank == 0 ? seconds : seconds + stallGraceSeconds
    let job = context.job
    let watchdog = Watchdog(seconds: limit) {
      var reason =
        "\(id) did not finish within \(seconds) s: a rank died or hangs; the MPI job was aborted"
      if let job, job.world.rank == 0, let heartbeat = job.heartbeat {
        reason += "; " + heartbeat.stallDiagnosis { job.describe(rank: $0) }
      }
      if comm.rank == 0 { context.stalled(reason) }
      comm.abort(reason)
    }
    defer { watchdog.cancel() }
    return try body()
  }

  /// How much longer than rank 0 the other ranks wait before aborting a stalled benchmark.
  static let stallGraceSeconds = 10.0

  static func placementLine(_ comm: Communicator, node: NodeProfile) -> String {
    "rank \(comm.rank): host \(node.hostname), PU \(node.topology.currentPU())"
  }

  static func result(
    _ id: String, outcome: SweepOutcome, ranks: Int, library: String, placement: [String],
    parameters: [String: JSONValue], shared: String
  ) -> BenchmarkResult {
    let passed = outcome.payloadError == nil
    var metrics: [Metric] = []
    for point in outcome.points {
      let size = id == "mpi.barrier" ? nil : point.size
      if id == "mpi.pingpong" || id == "mpi.barrier" || id == "mpi.allreduce" {
        metrics.append(
          Metric(
            name: "latency", value: point.seconds, unit: .seconds, polarity: .lowerIsBetter,
            size: size))
      }
      if id == "mpi.allreduce" {
        metrics.append(
          Metric(
            name: "algbw", value: point.bandwidth ?? 0, unit: .bytesPerSecond,
            polarity: .higherIsBetter, size: size))
        metrics.append(
          Metric(
            name: "busbw", value: point.busBandwidth ?? 0, unit: .bytesPerSecond,
            polarity: .higherIsBetter, size: size))
      } else if id != "mpi.barrier", let bandwidth = point.bandwidth {
        metrics.append(
          Metric(
            name: "bandwidth", value: bandwidth, unit: .bytesPerSecond, polarity: .higherIsBetter,
            size: size))
      }
    }
    var summary: String? = nil
    if passed, let first = outcome.points.first, let last = outcome.points.last {
      switch id {
      case "mpi.pingpong":
        summary =
          "MPI ping-pong: \(Humanize.format(first.seconds, unit: .seconds)) at \(first.size) B, \(Humanize.format(last.bandwidth ?? 0, unit: .bytesPerSecond)) at \(last.size) B (\(shared))"
      case "mpi.allreduce":
        summary =
          "MPI allreduce, \(ranks) ranks: \(Humanize.format(first.seconds, unit: .seconds)) at \(first.size) B, busbw \(Humanize.format(last.busBandwidth ?? 0, unit: .bytesPerSecond)) at \(last.size) B"
      case "mpi.barrier":
        summary = "MPI barrier, \(ranks) ranks: \(Humanize.format(first.seconds, unit: .seconds))"
      default:
        summary =
          "\(id): \(Humanize.format(last.bandwidth ?? 0, unit: .bytesPerSecond)) at \(last.size) B (\(shared))"
      }
    }
    return BenchmarkResult(
      id: id, status: passed ? .ok : .invalid, parameters: parameters,
      samples: outcome.points.map(\.seconds), sampleUnit: .seconds, warmupSamples: [],
      metrics: passed ? metrics : [],
      validation: Validation(
        check: "payload of every message (every allreduce element) checked on every rank",
        passed: passed,
        value: nil, bound: nil, detail: outcome.payloadError ?? "all payloads correct"),
      placement: "\(library); \(ranks) ranks, \(shared): " + placement.joined(separator: "; "),
      summary: summary, notes: outcome.payloadError.map { [$0] } ?? [])
  }
}
