import Devices
import Energy
import Foundation
import Synchronization
import Kernels
import Measurement
import ReportFormat

/// Where a suite entry runs: `cpu`, `cuda:N`, or `cuda:*` (each CUDA device, one result each).
public enum DeviceSelector: Equatable, Sendable {
  case cpu
  case cuda(Int)
  case everyCUDA

  public init?(_ text: String) {
    switch text {
    case "cpu": self = .cpu
    case "cuda:*": self = .everyCUDA
    default:
      guard text.hasPrefix("cuda:"), let index = Int(text.dropFirst(5)), index >= 0,
        String(index) == text.dropFirst(5)
      else { return nil }
      self = .cuda(index)
    }
  }
}

/// GEMM on CUDA devices: random inputs generated and kept on the host in the device's format,
/// the product through cuBLAS (Devices.DeviceGEMM), then checked here by the CPU GEMMs' own
/// Freivalds test and an element check of sampled rows (GEMM.rowCheck), the bounds widened for
/// what the device rounds (TF32 inputs, FP8 partial sums, 16-bit outputs), and the CUDA-event
/// times checked against the wall clock.
enum DeviceGEMMBenchmark {
  static func run(
    _ precision: DeviceGEMMPrecision, id: String, selector: DeviceSelector,
    context: BenchmarkContext, values: ParameterValues
  ) -> [BenchmarkResult] {
    let indices: [Int]
    switch selector {
    case .cpu: return []
    case .cuda(let index): indices = [index]
    case .everyCUDA:
      let inventory = DeviceInventory.discover()
      guard !inventory.devices.isEmpty else {
        let reason =
          inventory.backends.first { $0.name == "cuda" }?.reason ?? "no CUDA device"
        return [
          .notRun(
            id: id, status: .skipped, parameters: values.values,
            reason: "no CUDA device on this node: \(reason)")
        ]
      }
      indices = inventory.devices.indices.map { $0 }
    }
    guard indices.count > 1 else {
      context.progress("\(id) on cuda:\(indices[0])")
      return [runOne(precision, id: id, device: indices[0], values: values)]
    }
    // Every GPU at once, each from a thread of its own: a node's figure is the sum over its
    // GPUs, and they share its power and cooling (eight GPUs measured one at a time would
    // overstate what they deliver together).
    context.progress("\(id) on cuda:\(indices.map(String.init).joined(separator: ",")) at once")
    let results = Mutex([BenchmarkResult?](repeating: nil, count: indices.count))
    DispatchQueue.concurrentPerform(iterations: indices.count) { slot in
      var result = runOne(precision, id: id, device: indices[slot], values: values)
      result.notes.append(
        "ran on all \(indices.count) GPUs at once (cuda:*): each started together with the others; their samples overlap in time but are not synchronised")
      results.withLock { $0[slot] = result }
    }
    return results.withLock { $0.compactMap { $0 } }
  }

  /// The check's parameters for what the device computes (see GEMM.freivalds).
  struct Rounding {
    /// Unit roundoff of the accumulation.
    var accumulation: Double
    /// Error per product beyond it.
    var term: Double
    /// Unit roundoff of C's storage.
    var output: Double
    var explanation: String
  }

  static func rounding(_ precision: DeviceGEMMPrecision) -> Rounding {
    // Tensor cores accumulate in FP32 with truncation (Fasi, Higham, Mikaitis, Pranesh 2021):
    // the unit roundoff of round-toward-zero, 2⁻²³, not 2⁻²⁴.
    let tensorFP32 = 0x1p-23
    switch precision {
    case .fp64:
      return Rounding(
        accumulation: 0x1p-53, term: 0, output: 0, explanation: "FP64 accumulation, u = 2⁻⁵³")
    case .fp32:
      return Rounding(
        accumulation: 0x1p-24, term: 0, output: 0, explanation: "FP32 accumulation, u = 2⁻²⁴")
    case .tf32:
      // Each input cut to 10 significand bits (relative error < 2⁻¹⁰): a product is off by
      // less than 2·2⁻¹⁰ + 2⁻²⁰ of |a·b|.
      return Rounding(
        accumulation: tensorFP32, term: 2 * 0x1p-10 + 0x1p-20, output: 0,
        explanation: "TF32 inputs (10-bit significands, truncated: 2·2⁻¹⁰ per product), FP32 tensor-core accumulation (u = 2⁻²³)")
    case .fp16:
      return Rounding(
        accumulation: tensorFP32, term: 0, output: 0x1p-11,
        explanation: "exact FP16 products, FP32 tensor-core accumulation (u = 2⁻²³), FP16 output (u = 2⁻¹¹)")
    case .bf16:
      return Rounding(
        accumulation: tensorFP32, term: 0, output: 0x1p-8,
        explanation: "exact BF16 products, FP32 tensor-core accumulation (u = 2⁻²³), BF16 output (u = 2⁻⁸)")
    case .fp8:
      // Hopper's FP8 tensor cores keep partial sums in about 14 bits; cuBLAS (FAST_ACCUM off)
      // promotes them to FP32 at least every 128 products: γ₁₂₈(2⁻¹³) per product.
      let partial = GEMM.gamma(128, 0x1p-13)
      return Rounding(
        accumulation: 0x1p-24, term: partial, output: 0x1p-8,
        explanation: "exact FP8 products, partial sums of ≤ 128 in ≥ 14 bits (γ₁₂₈(2⁻¹³) per product) promoted to FP32, BF16 output (u = 2⁻⁸)")
    case .int8:
      return Rounding(
        accumulation: 0, term: 0, output: 0, explanation: "INT8 products summed exactly in INT32")
    }
  }

  static func runOne(
    _ precision: DeviceGEMMPrecision, id: String, device index: Int, values: ParameterValues
  ) -> BenchmarkResult {
    let (m, n, k) = GEMMBenchmark.dimensions(values)
    let seed = UInt64(values.int("seed"))
    var parameters = values.values
    parameters["m"] = .int(m)
    parameters["n"] = .int(n)
    parameters["k"] = .int(k)
    parameters["device"] = .string("cuda:\(index)")
    // Inputs uniform in [-1, 1) rounded to the storage type, A column-major m×k (k×m for the
    // TN kernels of FP8 and INT8: the same values, stored transposed).
    let inputs = Inputs(precision, m: m, n: n, k: k, seed: seed)
    let request = DeviceGEMMRequest(
      precision: precision, m: m, n: n, k: k, a: inputs.aDevice, b: inputs.b,
      warmupSeconds: values.double("warmupSeconds"), sampleSeconds: values.double("sampleSeconds"),
      repeats: values.int("repeats"))
    let outcome: DeviceGEMMOutcome
    do {
      outcome = try DeviceGEMM.run(request, device: index)
    } catch {
      return .notRun(
        id: id, status: error.meansAbsent ? .skipped : .failed, parameters: parameters,
        reason: (error.meansAbsent ? "no usable CUDA device: " : "") + error.description)
    }
    let device = outcome.device
    // Each sample is a batch of GEMMs; its time is the batch's over their number.
    parameters["gemmsPerSample"] = .int(outcome.iterations)
    let rounding = rounding(precision)
    let checks = inputs.check(outcome.c, rounding: rounding, seed: seed)
    let check = checks.freivalds
    // CUDA events against the host clock: a sample's events must lie within its wall time
    // (launch to synchronised end) and cover at least 90 % of it, 1 ms of slack.
    let clockRatios = zip(outcome.seconds, outcome.wallSeconds).map { $0 / $1 }
    let clockAgrees = zip(outcome.seconds, outcome.wallSeconds).allSatisfy { event, wall in
      let iterations = Double(outcome.iterations)
      return event * iterations <= wall * iterations + 1e-3
        && event * iterations >= 0.9 * wall * iterations - 1e-3
    }
    let passed = checks.passed && clockAgrees
    let rows = checks.rows
    var detail =
      check.passed
      ? "Freivalds: largest |difference| / bound over rows \(check.worstRatio), normwise error \(check.normwiseError)"
      : "row \(check.failingRow ?? -1) of C differs from A·B beyond the rounding bound (Freivalds ratio \(check.worstRatio))"
    detail +=
      rows.passed
      ? "; every element of rows \(checks.sampled.prefix(4).map(String.init).joined(separator: ", "))… (\(checks.sampled.count) sampled) within its own bound, largest ratio \(rows.worstRatio)"
      : "; an element of row \(rows.failingRow ?? -1) differs from its FP64 product beyond its own bound (ratio \(rows.worstRatio))"
    detail += "; bounds from \(rounding.explanation)"
    if !clockAgrees {
      detail +=
        "; CUDA events and the wall clock disagree (event / wall per sample: \(clockRatios.map { String(format: "%.3f", $0) }.joined(separator: ", "))): the timing cannot be trusted"
    }
    let validation = Validation(
      check:
        "on the host, C copied back after a poisoned run: Freivalds' check of every row against A·(B·x) in FP64 (two random ±1 vectors, componentwise bound), and every element of \(checks.sampled.count) sampled rows against its FP64 product within its own bound; CUDA-event times within the wall clock",
      passed: passed,
      value: max(check.worstRatio, rows.worstRatio).isFinite
        ? max(check.worstRatio, rows.worstRatio) : nil, bound: 1,
      detail: detail)
    let flops = GEMM.flops(m: m, n: n, k: k)
    let rateUnit: MetricUnit = precision == .int8 ? .operationsPerSecond : .flopsPerSecond
    var metrics: [Metric] = []
    if check.normwiseError.isFinite {
      metrics.append(
        Metric(name: "error", value: check.normwiseError, unit: .ratio, polarity: .lowerIsBetter))
    }
    let peakPrecision = precision.peakPrecision(architecture: device.architecture)
    var summary: String? = nil
    var notes: [String] = []
    var energyRecord: EnergyRecord? = nil
    if passed, let best = outcome.seconds.min(), let median = Statistics(outcome.seconds)?.median {
      let rate = flops / best
      metrics.insert(
        Metric(name: "rate", value: rate, unit: rateUnit, polarity: .higherIsBetter), at: 0)
      metrics.append(
        Metric(
          name: "rateMedian", value: flops / median, unit: rateUnit, polarity: .higherIsBetter))
      if let peak = device.peak(peakPrecision) {
        metrics.append(
          Metric(
            name: "efficiency", value: rate / peak.flopsPerSecond, unit: .ratio,
            polarity: .higherIsBetter))
      }
      summary =
        "GEMM \(precision.rawValue) m=\(m) n=\(n) k=\(k) on cuda:\(index) (\(device.name)): \(Humanize.format(rate, unit: rateUnit))"
        + (outcome.fake ? " — FAKE device (a test library)" : "")
      switch outcome.energy {
      case .success(let energy) where energy.joules > 0 && energy.seconds > 0:
        // The energy metrics (per GEMM, average power, flop per joule, named with the scope)
        // come from EnergySession.attach below, as for every node benchmark.
        var boardNotes: [String] = []
        if let clock = energy.meanSMClockMHz {
          boardNotes.append(
            "SM clock mean \(Int(clock.rounded())) MHz, lowest \(energy.minimumSMClockMHz ?? 0) MHz (maximum \(device.clockMHz))"
          )
          metrics.append(
            Metric(
              name: "smClock", value: clock * 1e6, unit: .hertz, polarity: .higherIsBetter))
        }
        if let celsius = energy.maximumCelsius { boardNotes.append("hottest \(celsius) °C") }
        for (reason, share) in energy.reasons.sorted(by: { $0.key < $1.key }) {
          boardNotes.append("\(reason) in \(Int((share * 100).rounded())) % of readings")
        }
        energyRecord = EnergyRecord(
          primary: EnergyReading(
            scope: "gpu-board", nodeWide: false, joules: energy.joules, seconds: energy.seconds,
            sources: ["NVML \(device.identifier) \(device.pciBusID ?? "")"],
            method:
              "nvmlDeviceGetTotalEnergyConsumption (mJ) before and after each sample; clocks, power, temperature and clock event reasons read every 0.1 s during the samples",
            readings: energy.readings, interval: 0.1, notes: boardNotes),
          others: [], dropped: [])
      case .success:
        notes.append("energy: NVML's counter did not move over the samples: no energy figures")
      case .failure(let error):
        notes.append("energy: \(error.description)")
      }
    }
    let environment = ProcessInfo.processInfo.environment
    let settings = DeviceGEMM.relevantEnvironment.compactMap { name in
      environment[name].map { "\(name)=\($0)" }
    }
    notes.insert(
      "native: \(outcome.method); CUDA runtime \(outcome.cudaRuntime); \(outcome.iterations) GEMMs per sample, timed with CUDA events; inputs uniform in [-1, 1) (seed \(seed))"
        + (settings.isEmpty
          ? "; none of \(DeviceGEMM.relevantEnvironment.joined(separator: ", ")) set"
          : "; environment: " + settings.joined(separator: " ")),
      at: 0)
    if outcome.fake {
      notes.insert(
        "FAKE: made with Suanli's test libraries (SUANLI_CUDA_LIB_DIR), not a GPU: never a real measurement",
        at: 0)
    }
    var result = BenchmarkResult(
      id: id, status: passed ? .ok : .invalid, parameters: parameters, samples: outcome.seconds,
      sampleUnit: .seconds, warmupSamples: outcome.warmupSeconds, metrics: metrics,
      validation: validation, execution: "native", placement: "cuda:\(index) \(device.name)",
      summary: summary, notes: notes)
    result.device = DeviceUse(
      id: "cuda:\(index)", name: device.name, architecture: device.architecture,
      pciBusID: device.pciBusID, fake: outcome.fake)
    if let energyRecord {
      result = EnergySession.attach(energyRecord, to: result, requireScope: nil)
    }
    return result
  }

  /// The inputs of one precision: typed host arrays for the check, bytes for the device.
  struct Inputs {
    /// A as the device gets it (k×m for FP8 and INT8), B k×n.
    let aDevice: [UInt8]
    let b: [UInt8]
    /// A column-major m×k and B as FP64 values, exactly the device's inputs.
    private let check: @Sendable ([UInt8], Rounding, UInt64) -> Checks

    init(_ precision: DeviceGEMMPrecision, m: Int, n: Int, k: Int, seed: UInt64) {
      func bytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }
      @Sendable func typed<T>(_ bytes: [UInt8], as: T.Type) -> [T] {
        bytes.withUnsafeBytes { Array($0.bindMemory(to: T.self)) }
      }
      func make<In: GEMMStorage, Out: GEMMStorage>(_: In.Type, _: Out.Type) -> (
        [UInt8], [UInt8], @Sendable ([UInt8], Rounding, UInt64) -> Checks
      ) {
        let a: [In] = GEMM.random(In.self, count: m * k, seed: seed, salt: 1)
        let b: [In] = GEMM.random(In.self, count: k * n, seed: seed, salt: 2)
        var device = a
        if precision.transposesA {
          // Column-major k×m holding Aᵀ: element (p, i) = A(i, p).
          for i in 0..<m { for p in 0..<k { device[p + i * k] = a[i + p * m] } }
        }
        return (
          bytes(device), bytes(b),
          { c, rounding, seed in
            let c = typed(c, as: Out.self)
            let rows = GEMM.sampledRows(m: m, count: Checks.sampledRows, seed: seed)
            return Checks(
              freivalds: GEMM.freivalds(
                m: m, n: n, k: k, a: a, b: b, c: c, roundoff: rounding.accumulation, seed: seed,
                termError: rounding.term, outputRoundoff: rounding.output),
              rows: GEMM.rowCheck(
                m: m, n: n, k: k, a: a, b: b, c: c, rows: rows, roundoff: rounding.accumulation,
                termError: rounding.term, outputRoundoff: rounding.output),
              sampled: rows)
          }
        )
      }
      let made: ([UInt8], [UInt8], @Sendable ([UInt8], Rounding, UInt64) -> Checks)
      switch precision {
      case .fp64: made = make(Double.self, Double.self)
      case .fp32, .tf32: made = make(Float.self, Float.self)
      case .fp16: made = make(Float16.self, Float16.self)
      case .bf16: made = make(BFloat16.self, BFloat16.self)
      case .fp8: made = make(FP8E4M3.self, BFloat16.self)
      case .int8: made = make(Int8.self, Int32.self)
      }
      (aDevice, b, check) = made
    }

    func check(_ c: [UInt8], rounding: Rounding, seed: UInt64) -> Checks {
      check(c, rounding, seed)
    }
  }

  /// Freivalds' test over every row, and every element of a few sampled rows against its own
  /// products (GEMM.rowCheck): the first bounds a row's sum, the second each element.
  struct Checks {
    static let sampledRows = 16
    var freivalds: GEMMCheck
    var rows: GEMMCheck
    var sampled: [Int]
    var passed: Bool { freivalds.passed && rows.passed }
  }
}
