import Kernels
import Measurement
import ReportFormat

/// STREAM (McCalpin) as Suanli runs it: FP64 arrays of at least 4x the last-level cache, one
/// pinned thread per core, first-touch initialisation by the owning thread, the first
/// iteration discarded, best time reported, every element checked against the replayed
/// recurrence.
public enum StreamBenchmark {
  /// `stream` runs all four kernels in STREAM's order; `stream.<kernel>` runs one alone.
  public static func descriptors() -> [BenchmarkDescriptor] {
    [descriptor(id: "stream", kernels: StreamKernel.allCases)]
      + StreamKernel.allCases.map { descriptor(id: "stream.\($0.rawValue)", kernels: [$0]) }
  }

  static let parameters: [ParameterSpec] = [
    ParameterSpec(
      name: "elements", kind: .integer(0...(1 << 40)), defaultValue: .int(0),
      help: "FP64 elements per array; 0 = the STREAM rule: 4x the total last-level cache"),
    CommonParameters.threads,
    CommonParameters.repeats(10),
    CommonParameters.warmup(1),
  ]

  static func descriptor(id: String, kernels: [StreamKernel]) -> BenchmarkDescriptor {
    let names = kernels.map(\.rawValue).joined(separator: ", ")
    return BenchmarkDescriptor(
      id: id,
      summary: "STREAM \(names): memory bandwidth, FP64 arrays >= 4x LLC, threads pinned",
      validity:
        "every element equals the replayed STREAM recurrence (relative error <= 8·iterations·ε/2)",
      produces: kernels.map { "stream.\($0.rawValue)" },
      parameters: parameters,
      preflight: { node, values in
        let elements = resolvedElements(node: node, values: values)
        let needed = 3 * elements * 8
        guard needed <= node.availableMemoryBytes * 9 / 10 else {
          throw BenchmarkError.resources(
            benchmark: id,
            message:
              "elements=\(elements) needs \(Humanize.format(Double(needed), unit: .bytes)) for three arrays; \(Humanize.format(Double(node.availableMemoryBytes), unit: .bytes)) available (90% may be used)"
          )
        }
      },
      run: { context, values in try run(context: context, values: values, kernels: kernels) })
  }

  /// The STREAM rule: each array at least 4x the sum of all last-level caches, rounded up to a
  /// multiple of 1024 elements; never below 1 Mi elements.
  public static func ruleElements(node: NodeProfile) -> Int {
    let llc = node.machine.lastLevelCache.map { $0.sizeBytes * $0.count } ?? 0
    let elements = max(4 * llc / 8, 1 << 20)
    return (elements + 1023) / 1024 * 1024
  }

  static func resolvedElements(node: NodeProfile, values: ParameterValues) -> Int {
    let requested = values.int("elements")
    return requested > 0 ? requested : ruleElements(node: node)
  }

  static func run(context: BenchmarkContext, values: ParameterValues, kernels: [StreamKernel])
    throws -> [BenchmarkResult]
  {
    let node = context.node
    let elements = resolvedElements(node: node, values: values)
    let warmup = values.int("warmup")
    let repeats = values.int("repeats")
    let (team, placement) = try node.makeTeam(threads: values.int("threads"))
    var notes: [String] = []
    if elements < ruleElements(node: node) {
      notes.append(
        "arrays of \(elements) elements are below STREAM's rule (\(ruleElements(node: node)), 4x LLC): caches inflate the bandwidth"
      )
    }

    guard let arrays = StreamArrays(count: elements) else {
      throw BenchmarkError.resources(
        benchmark: "stream", message: "could not map three arrays of \(elements) FP64 elements")
    }
    StreamRun.initialize(arrays, team: team)
    var times: [StreamKernel: [Double]] = [:]
    let iterations = warmup + repeats
    for iteration in 0..<iterations {
      for kernel in kernels {
        times[kernel, default: []].append(
          StreamRun.time(kernel, arrays, team: team, counted: iteration >= warmup))
      }
      if iteration == 0 {
        context.progress(
          "stream: \(elements) elements/array, \(team.size) threads, \(iterations) iterations")
      }
    }
    let check = StreamRun.verify(arrays, kernels: kernels, iterations: iterations)
    let validation = Validation(
      check: "STREAM recurrence replayed for each element of a, b, c",
      passed: check.passed, value: check.maxRelativeError.max(), bound: check.bound,
      detail: check.passed
        ? "max relative error a/b/c = \(check.maxRelativeError.map { String($0) }.joined(separator: "/"))"
        : "element \(check.firstBadIndex ?? -1) differs from the expected recurrence value; max relative error a/b/c = \(check.maxRelativeError.map { String($0) }.joined(separator: "/"))"
    )

    var parameters = values.values
    parameters["elements"] = .int(elements)
    parameters["threads"] = .int(team.size)
    return kernels.map { kernel in
      let all = times[kernel] ?? []
      let samples = Array(all.dropFirst(warmup))
      let bytes = Double(kernel.bytesPerElement * elements)
      let best = samples.min() ?? .nan
      let median = Statistics(samples)?.median ?? .nan
      let metrics =
        check.passed
        ? [
          Metric(
            name: "bandwidth", value: bytes / best, unit: .bytesPerSecond, polarity: .higherIsBetter
          ),
          Metric(
            name: "bandwidthMedian", value: bytes / median, unit: .bytesPerSecond,
            polarity: .higherIsBetter),
          Metric(name: "bytesPerIteration", value: bytes, unit: .bytes, polarity: .higherIsBetter),
        ] : []
      return BenchmarkResult(
        id: "stream.\(kernel.rawValue)", status: check.passed ? .ok : .invalid,
        parameters: parameters, samples: samples, sampleUnit: .seconds,
        warmupSamples: Array(all.prefix(warmup)), metrics: metrics, validation: validation,
        placement: placement + ", first-touch initialisation by the owning thread"
          + (arrays.hugePages ? ", transparent huge pages requested" : ", 4 KiB pages"),
        notes: notes)
    }
  }
}
