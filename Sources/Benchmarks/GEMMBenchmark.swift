import Devices
import Kernels
import Measurement
import ReportFormat
import Topology

/// `gemm.fp64/fp32/tf32/fp16/bf16/fp8/int8`: C = A·B in each precision, rate = 2·m·n·k / time,
/// checked with Freivalds' algorithm against an FP64 evaluation with a bound derived from k·u.
/// On the CPU (`device: cpu`, the default) FP64, FP32, FP16 and BF16 run (Kernels); TF32, FP8
/// and INT8 are GPU precisions, `unsupported` there. On `cuda:N` (or `cuda:*`, every device)
/// every precision runs through cuBLAS (DeviceGEMMBenchmark).
public enum GEMMBenchmark {
  static func parameters(defaultN: Int) -> [ParameterSpec] {
    [
      ParameterSpec(
        name: "n", kind: .integer(1...200_000), defaultValue: .int(defaultN),
        help: "columns of C (and rows/columns of square matrices)"),
      ParameterSpec(
        name: "m", kind: .integer(0...200_000), defaultValue: .int(0), help: "rows of C; 0 = n"),
      ParameterSpec(
        name: "k", kind: .integer(0...200_000), defaultValue: .int(0),
        help: "inner dimension; 0 = n"),
      ParameterSpec(
        name: "seed", kind: .integer(0...Int.max), defaultValue: .int(42),
        help: "seed of the random inputs"),
      ParameterSpec(
        name: "device",
        kind: .text(expectation: "cpu, cuda:N or cuda:*", accepts: { DeviceSelector($0) != nil }),
        defaultValue: .string("cpu"),
        help: "where the GEMM runs: the node's CPUs, one CUDA device, or each CUDA device"),
      CommonParameters.threads,
      CommonParameters.repeats(5),
      CommonParameters.warmup(1),
      ParameterSpec(
        name: "warmupSeconds", kind: .number(0...600), defaultValue: .double(2),
        help: "on a GPU: seconds of untimed GEMMs first, for clocks and power to settle"),
      ParameterSpec(
        name: "sampleSeconds", kind: .number(0...600), defaultValue: .double(1),
        help: "on a GPU: each sample repeats the GEMM for at least this long (energy needs ≥ 1 s)"),
    ]
  }

  public static func descriptors() -> [BenchmarkDescriptor] {
    DeviceGEMMPrecision.allCases.map(descriptor)
  }

  static func descriptor(_ precision: DeviceGEMMPrecision) -> BenchmarkDescriptor {
    let id = "gemm.\(precision.rawValue)"
    let inputs: String
    switch precision {
    case .fp16, .bf16: inputs = "\(precision.rawValue) inputs, FP32 accumulation"
    case .tf32: inputs = "FP32 inputs rounded to TF32 on tensor cores, FP32 accumulation (GPU only)"
    case .fp8: inputs = "FP8 E4M3 inputs, FP32 accumulation, BF16 output (GPU only)"
    case .int8: inputs = "INT8 inputs, exact INT32 accumulation, rate in op/s (GPU only)"
    default: inputs = "\(precision.rawValue) throughout"
    }
    let cpu = GEMMPrecision(rawValue: precision.rawValue)
    var descriptor = BenchmarkDescriptor(
      id: id, summary: "dense matrix multiply C = A·B, \(inputs)",
      validity:
        "Freivalds: |C·x − A·(B·x)|_i ≤ 2(γ_k(u_acc) + γ_{k+n}(u64))(|A||B||x|)_i + 2γ_n(u64)(|C||x|)_i for two random ±1 vectors (on a GPU: plus the inputs' and output's rounding, CUDA events within the wall clock)",
      parameters: parameters(defaultN: 2048),
      preflight: { node, values in
        let (m, n, k) = dimensions(values)
        // A GPU run keeps A, B and C on the host too (the check), in their storage format.
        let needed =
          cpu.map { $0.requiredBytes(m: m, n: n, k: k) }
          ?? (m * k + k * n) * precision.inputBytes + m * n * precision.outputBytes
        guard needed <= node.availableMemoryBytes * 9 / 10 else {
          throw BenchmarkError.resources(
            benchmark: id,
            message:
              "m=\(m) n=\(n) k=\(k) needs \(Humanize.format(Double(needed), unit: .bytes)); \(Humanize.format(Double(node.availableMemoryBytes), unit: .bytes)) available (90% may be used)"
          )
        }
      },
      run: { context, values in
        let selector = DeviceSelector(values.string("device")) ?? .cpu
        guard case .cpu = selector else {
          return DeviceGEMMBenchmark.run(
            precision, id: id, selector: selector, context: context, values: values)
        }
        guard let cpu else {
          return [
            .notRun(
              id: id, status: .skipped, parameters: values.values,
              reason:
                "unsupported on the CPU: \(precision.rawValue) is a tensor-core precision of GPUs (no CPU instruction computes it); run it with device: cuda:0")
          ]
        }
        return [run(cpu, id: id, context: context, values: values)]
      })
    // A skip here is the node's answer (no such precision on a CPU, no CUDA device).
    descriptor.skipsWhereAbsent = true
    // One entry per device: gemm.fp16 may run on the CPU and on cuda:0 in one suite.
    descriptor.fixedScope = { values in values.string("device") }
    return descriptor
  }

  static func dimensions(_ values: ParameterValues) -> (m: Int, n: Int, k: Int) {
    let n = values.int("n")
    let m = values.int("m") > 0 ? values.int("m") : n
    let k = values.int("k") > 0 ? values.int("k") : n
    return (m, n, k)
  }

  /// "native" or "emulated", and why, for this precision on this node.
  static func execution(_ precision: GEMMPrecision, isa: ISAFeatures, native: Bool) -> (
    String, String
  ) {
    switch precision {
    case .fp64, .fp32:
      return ("native", "\(precision.rawValue) FMA units")
    case .fp16:
      let why =
        isa.has("avx512_fp16") || isa.has("asimdhp")
        ? "the CPU has FP16 arithmetic, but Suanli has no native FP16 kernel yet: widened to FP32"
        : "no FP16 arithmetic on this CPU: widened to FP32 (exact), FP32 multiply-add"
      return ("emulated", why)
    case .bf16 where native:
      return ("native", "AVX512-BF16 dot products (VDPBF16PS), Suanli's kernel")
    case .bf16:
      let why =
        isa.has("avx512_bf16") || isa.has("amx_bf16") || isa.has("bf16")
        ? "the CPU has BF16 dot-product instructions Suanli's kernel does not use (it needs AVX512-BF16 at build time): widened to FP32"
        : "no BF16 arithmetic on this CPU: widened to FP32 (exact), FP32 multiply-add"
      return ("emulated", why)
    }
  }

  static func run(
    _ precision: GEMMPrecision, id: String, context: BenchmarkContext, values: ParameterValues
  ) -> BenchmarkResult {
    let node = context.node
    let (m, n, k) = dimensions(values)
    let threads = values.int("threads") > 0 ? values.int("threads") : max(1, node.machine.cores)
    let outcome = GEMM.run(
      precision, m: m, n: n, k: k, seed: UInt64(values.int("seed")), threads: threads,
      warmup: values.int("warmup"), repeats: values.int("repeats"))
    let (execution, why) = execution(precision, isa: node.isa, native: outcome.native)
    var parameters = values.values
    parameters["m"] = .int(m)
    parameters["n"] = .int(n)
    parameters["k"] = .int(k)
    parameters["threads"] = .int(threads)
    let check = outcome.check
    let validation = Validation(
      check:
        "Freivalds' check of C against A·(B·x) in FP64, two random ±1 vectors, componentwise bound from k·u",
      passed: check.passed, value: check.worstRatio.isFinite ? check.worstRatio : nil, bound: 1,
      detail: check.passed
        ? "largest |difference| / bound over rows: \(check.worstRatio); normwise error \(check.normwiseError)"
        : "row \(check.failingRow ?? -1) of C differs from A·B beyond the rounding bound (ratio \(check.worstRatio))"
    )
    var metrics: [Metric] = []
    if check.normwiseError.isFinite {
      metrics.append(
        Metric(name: "error", value: check.normwiseError, unit: .ratio, polarity: .lowerIsBetter))
    }
    var summary: String? = nil
    if check.passed, let best = outcome.seconds.min(),
      let median = Statistics(outcome.seconds)?.median
    {
      let rate = outcome.flops / best
      metrics.insert(
        Metric(name: "rate", value: rate, unit: .flopsPerSecond, polarity: .higherIsBetter), at: 0)
      metrics.append(
        Metric(
          name: "rateMedian", value: outcome.flops / median, unit: .flopsPerSecond,
          polarity: .higherIsBetter))
      if let peak = node.peak(precision.rawValue) {
        metrics.append(
          Metric(
            name: "efficiency", value: rate / peak.flopsPerSecond, unit: .ratio,
            polarity: .higherIsBetter))
      }
      summary =
        "GEMM \(precision.rawValue) m=\(m) n=\(n) k=\(k): \(Humanize.format(rate, unit: .flopsPerSecond)) (\(execution))"
    }
    return BenchmarkResult(
      id: id, status: check.passed ? .ok : .invalid, parameters: parameters,
      samples: outcome.seconds, sampleUnit: .seconds, warmupSamples: outcome.warmupSeconds,
      metrics: metrics, validation: validation, execution: execution,
      placement: outcome.method, summary: summary, notes: [execution + ": " + why])
  }
}
