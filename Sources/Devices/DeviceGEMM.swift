import Foundation
import Measurement

/// The GEMM precisions a CUDA device runs: inputs, output and arithmetic as cuBLAS names them.
public enum DeviceGEMMPrecision: String, CaseIterable, Sendable {
  case fp64, fp32, tf32, fp16, bf16, fp8, int8

  /// Bytes of one input element and one output element.
  public var inputBytes: Int {
    switch self {
    case .fp64: return 8
    case .fp32, .tf32: return 4
    case .fp16, .bf16: return 2
    case .fp8, .int8: return 1
    }
  }

  public var outputBytes: Int {
    switch self {
    case .fp64: return 8
    case .fp32, .tf32, .int8: return 4
    case .fp16, .bf16, .fp8: return 2
    }
  }

  /// A is stored k×m (transposed) for cuBLASLt's FP8 and INT8 kernels ("TN").
  public var transposesA: Bool { self == .fp8 || self == .int8 }

  /// The peak table's precision: FP64 GEMM on sm_80/sm_90 runs on the FP64 tensor cores,
  /// which cuBLAS gives no way to turn off.
  public func peakPrecision(architecture: String) -> String {
    if self == .fp64, architecture == "sm_80" || architecture == "sm_90" { return "fp64-tensor" }
    return rawValue
  }
}

/// One GEMM on a CUDA device: the inputs as the caller generated them (host bytes in the
/// device's format), the time to spend warming up, per sample, and the samples.
public struct DeviceGEMMRequest: Sendable {
  public var precision: DeviceGEMMPrecision
  public var m: Int
  public var n: Int
  public var k: Int
  /// Column-major; A is k×m when `precision.transposesA`.
  public var a: [UInt8]
  public var b: [UInt8]
  public var warmupSeconds: Double
  /// Each sample repeats the GEMM until it lasts at least this long (the energy counter moves
  /// every few milliseconds: a joule figure needs a second or more).
  public var sampleSeconds: Double
  public var repeats: Int

  public init(
    precision: DeviceGEMMPrecision, m: Int, n: Int, k: Int, a: [UInt8], b: [UInt8],
    warmupSeconds: Double, sampleSeconds: Double, repeats: Int
  ) {
    self.precision = precision
    self.m = m
    self.n = n
    self.k = k
    self.a = a
    self.b = b
    self.warmupSeconds = warmupSeconds
    self.sampleSeconds = sampleSeconds
    self.repeats = repeats
  }
}

/// The board's energy and state over the timed samples, from NVML.
public struct DeviceEnergy: Sendable, Equatable {
  public var joules: Double
  public var seconds: Double
  /// NVML readings taken during the samples, and what they said.
  public var readings: Int
  public var meanSMClockMHz: Double?
  public var minimumSMClockMHz: Int?
  public var meanWatts: Double?
  public var maximumCelsius: Int?
  /// Fractions of readings with each clock event reason set ("power cap": 0.38).
  public var reasons: [String: Double]
}

public struct DeviceGEMMOutcome: Sendable {
  public var device: CUDADevice
  /// m×n column-major in the output format.
  public var c: [UInt8]
  /// Seconds per GEMM in each sample, from CUDA events around the sample's GEMMs.
  public var seconds: [Double]
  /// The same samples by the host's monotonic clock (the launch to the end of the sync).
  public var wallSeconds: [Double]
  /// Seconds per GEMM in each warm-up batch (wall clock).
  public var warmupSeconds: [Double]
  /// GEMMs per sample.
  public var iterations: Int
  public var method: String
  public var cudaRuntime: String
  /// The energy of the samples, or why there is none.
  public var energy: Result<DeviceEnergy, DeviceError>
  /// Made with one of Suanli's test libraries: never a real measurement.
  public var fake: Bool
}

/// GEMM on a CUDA device through cuBLAS: warm-up by time, samples timed with CUDA events and
/// cross-checked by the wall clock, NVML's energy counter read around each sample and the
/// board sampled during them; then the output poisoned (all bits set: NaN in every float
/// format), one more GEMM, and C copied back for the caller's check.
public enum DeviceGEMM {
  public static func run(
    _ request: DeviceGEMMRequest, device index: Int,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(DeviceError) -> DeviceGEMMOutcome {
    let folder = environment["SUANLI_CUDA_LIB_DIR"]
    let (runtime, reason, _) = CUDARuntime.load(folder: folder, environment: environment)
    guard let runtime else { throw DeviceError.unavailable(reason ?? "no CUDA runtime") }
    let count: Int
    do { count = try runtime.deviceCount() } catch { throw DeviceError.cuda(error) }
    guard index < count else {
      throw DeviceError.unavailable("cuda:\(index) does not exist (\(count) CUDA devices)")
    }
    let nvml = NVML.load(folder: folder).nvml
    let device: CUDADevice
    do { device = try DeviceInventory.describe(index, runtime: runtime, nvml: nvml) } catch {
      throw DeviceError.cuda(error)
    }
    try runtime.select(index)
    let compute = try runtime.compute()
    let blas = try CUBLAS.load(major: runtime.major, folder: folder, environment: environment)
    let precision = request.precision
    let (m, n, k) = (request.m, request.n, request.k)
    // cuBLAS advises 32 MiB of workspace on Hopper and newer, 4 MiB before.
    let major = Int(device.architecture.dropFirst(3).dropLast()) ?? 0
    let workspaceBytes = (major >= 9 ? 32 : 4) << 20
    var buffers: [UnsafeMutableRawPointer] = []
    defer { for buffer in buffers { _ = compute.free(buffer) } }
    func allocate(_ bytes: Int) throws(DeviceError) -> UnsafeMutableRawPointer {
      let pointer = try runtime.allocate(compute, bytes: bytes)
      buffers.append(pointer)
      return pointer
    }
    let a = try allocate(request.a.count)
    let b = try allocate(request.b.count)
    let cBytes = m * n * precision.outputBytes
    let c = try allocate(cBytes)
    let workspace = try allocate(workspaceBytes)
    try runtime.upload(compute, request.a, to: a)
    try runtime.upload(compute, request.b, to: b)
    let plan = try blas.plan(
      precision, m: m, n: n, k: k, a: a, b: b, c: c, workspace: workspace,
      workspaceBytes: workspaceBytes)
    func synchronize() throws(DeviceError) {
      try runtime.call("cudaDeviceSynchronize", compute.synchronize())
    }
    // Warm-up by time: batches doubling until one lasts 50 ms, until the time is spent; the
    // last batch gives the time of one GEMM.
    var warmup: [Double] = []
    var batch = 1
    var spent = 0.0
    var perGEMM = 0.0
    repeat {
      let start = MonotonicClock.nanoseconds()
      for _ in 0..<batch { try plan.run() }
      try synchronize()
      let seconds = Double(MonotonicClock.nanoseconds() - start) * 1e-9
      spent += seconds
      perGEMM = seconds / Double(batch)
      warmup.append(perGEMM)
      if seconds < 0.05 { batch *= 2 }
    } while spent < request.warmupSeconds
    let iterations = max(1, Int((request.sampleSeconds / max(perGEMM, 1e-9)).rounded(.up)))
    // Timed samples.
    var start: UnsafeMutableRawPointer? = nil
    var stop: UnsafeMutableRawPointer? = nil
    try runtime.call("cudaEventCreate", compute.eventCreate(&start))
    defer { _ = compute.eventDestroy(start) }
    try runtime.call("cudaEventCreate", compute.eventCreate(&stop))
    defer { _ = compute.eventDestroy(stop) }
    let monitor = nvml.flatMap { nvml in device.pciBusID.map { BoardMonitor(nvml: nvml, busID: $0) } }
    var energyError: DeviceError? =
      nvml == nil ? .unavailable("NVML (libnvidia-ml.so.1) not found: no energy figures") : nil
    var joules = 0.0
    var seconds: [Double] = []
    var wall: [Double] = []
    monitor?.startSampling(interval: 0.1)
    for _ in 0..<request.repeats {
      let before = monitor?.energy()
      let wallStart = MonotonicClock.nanoseconds()
      try runtime.call("cudaEventRecord", compute.eventRecord(start, nil))
      for _ in 0..<iterations { try plan.run() }
      try runtime.call("cudaEventRecord", compute.eventRecord(stop, nil))
      try runtime.call("cudaEventSynchronize", compute.eventSynchronize(stop))
      let wallSeconds = Double(MonotonicClock.nanoseconds() - wallStart) * 1e-9
      let after = monitor?.energy()
      var milliseconds: Float = 0
      try runtime.call("cudaEventElapsedTime", compute.eventElapsed(&milliseconds, start, stop))
      seconds.append(Double(milliseconds) * 1e-3 / Double(iterations))
      wall.append(wallSeconds / Double(iterations))
      switch (before, after) {
      case (.success(let e0)?, .success(let e1)?):
        joules += Double(e1 &- e0) / 1000
      case (.failure(let error)?, _), (_, .failure(let error)?):
        energyError = energyError ?? error
      default:
        energyError = energyError ?? .unavailable("no NVML handle for \(device.pciBusID ?? "?")")
      }
    }
    let board = monitor?.stopSampling() ?? []
    // The checked product: poisoned output, one GEMM, C back to the host.
    try runtime.call("cudaMemset", compute.memset(c, 0xFF, cBytes))
    try plan.run()
    try synchronize()
    let output = try runtime.download(compute, from: c, bytes: cBytes)
    let timed = wall.reduce(0, +) * Double(iterations)
    let energy: Result<DeviceEnergy, DeviceError>
    if let energyError {
      energy = .failure(energyError)
    } else {
      energy = .success(Self.summarise(board, joules: joules, seconds: timed))
    }
    let versions = runtime.versions()
    return DeviceGEMMOutcome(
      device: device, c: output, seconds: seconds, wallSeconds: wall, warmupSeconds: warmup,
      iterations: iterations, method: plan.describe,
      cudaRuntime: CUDARuntime.version(versions.runtime), energy: energy,
      fake: runtime.isFake || blas.isFake || (nvml?.isFake ?? false))
  }

  static func summarise(_ samples: [BoardSample], joules: Double, seconds: Double) -> DeviceEnergy {
    let clocks = samples.compactMap(\.smClockMHz)
    let watts = samples.compactMap(\.watts)
    var reasons: [String: Double] = [:]
    let masks = samples.compactMap(\.reasons)
    for (bit, name) in NVML.reasonBits where !masks.isEmpty {
      let share = Double(masks.filter { $0 & bit != 0 }.count) / Double(masks.count)
      if share > 0 { reasons[name] = share }
    }
    return DeviceEnergy(
      joules: joules, seconds: seconds, readings: samples.count,
      meanSMClockMHz: clocks.isEmpty ? nil : Double(clocks.reduce(0, +)) / Double(clocks.count),
      minimumSMClockMHz: clocks.min(),
      meanWatts: watts.isEmpty ? nil : watts.reduce(0, +) / Double(watts.count),
      maximumCelsius: samples.compactMap(\.celsius).max(), reasons: reasons)
  }

  /// The environment variables that change what cuBLAS computes or how, as set for this run.
  public static let relevantEnvironment = [
    "NVIDIA_TF32_OVERRIDE", "CUBLAS_WORKSPACE_CONFIG", "CUBLAS_EMULATION_STRATEGY",
    "CUBLASLT_WORKSPACE_SIZE", "CUDA_MODULE_LOADING", "CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER",
  ]
}
