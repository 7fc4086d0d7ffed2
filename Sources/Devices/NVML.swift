import CCUDA
import Foundation

/// NVIDIA's management library (libnvidia-ml.so.1, installed with the driver), loaded at run
/// time: the one file that calls it. Devices are found by PCI bus id (NVML's order is not the
/// CUDA runtime's).
final class NVML: @unchecked Sendable {
  let library: DynamicLibrary
  private let shutdown: suanli_nvmlShutdown_t?
  private let errorString: suanli_nvmlErrorString_t?
  private let driverVersion: suanli_nvmlSystemGetDriverVersion_t?
  private let byBusID: suanli_nvmlDeviceGetHandleByPciBusId_t?
  private let migMode: suanli_nvmlDeviceGetMigMode_t?
  private let maxClock: suanli_nvmlDeviceGetMaxClockInfo_t?
  private let clock: suanli_nvmlDeviceGetClockInfo_t?
  private let energy: suanli_nvmlDeviceGetTotalEnergyConsumption_t?
  private let power: suanli_nvmlDeviceGetPowerUsage_t?
  private let temperature: suanli_nvmlDeviceGetTemperature_t?
  private let reasons: suanli_nvmlDeviceGetCurrentClocksEventReasons_t?
  /// True for the fake library of Suanli's tests (it exports `suanli_fake_nvml_library`).
  let isFake: Bool

  /// Opens and initialises NVML; nil with the reason (not found, or nvmlInit's answer).
  static func load(folder: String?) -> (nvml: NVML?, reason: String?) {
    let (library, search) = DynamicLibrary.open(
      DynamicLibrary.candidates(["libnvidia-ml.so.1"], folder: folder, fallbackFolders: []))
    guard let library else { return (nil, "libnvidia-ml.so.1 " + search.summary) }
    library.resolve(using: "nvmlInit_v2")
    guard let initialise = library.function("nvmlInit_v2", as: suanli_nvmlInit_t.self) else {
      return (nil, "\(library.path) lacks nvmlInit_v2")
    }
    let nvml = NVML(library: library)
    let status = initialise()
    guard status == SUANLI_NVML_SUCCESS else {
      return (nil, "nvmlInit_v2: \(nvml.describe(status))")
    }
    return (nvml, nil)
  }

  private init(library: DynamicLibrary) {
    self.library = library
    shutdown = library.function("nvmlShutdown", as: suanli_nvmlShutdown_t.self)
    errorString = library.function("nvmlErrorString", as: suanli_nvmlErrorString_t.self)
    driverVersion = library.function(
      "nvmlSystemGetDriverVersion", as: suanli_nvmlSystemGetDriverVersion_t.self)
    byBusID = library.function(
      "nvmlDeviceGetHandleByPciBusId_v2", as: suanli_nvmlDeviceGetHandleByPciBusId_t.self)
    migMode = library.function("nvmlDeviceGetMigMode", as: suanli_nvmlDeviceGetMigMode_t.self)
    maxClock = library.function(
      "nvmlDeviceGetMaxClockInfo", as: suanli_nvmlDeviceGetMaxClockInfo_t.self)
    clock = library.function("nvmlDeviceGetClockInfo", as: suanli_nvmlDeviceGetClockInfo_t.self)
    energy = library.function(
      "nvmlDeviceGetTotalEnergyConsumption", as: suanli_nvmlDeviceGetTotalEnergyConsumption_t.self)
    power = library.function("nvmlDeviceGetPowerUsage", as: suanli_nvmlDeviceGetPowerUsage_t.self)
    temperature = library.function(
      "nvmlDeviceGetTemperature", as: suanli_nvmlDeviceGetTemperature_t.self)
    // NVML 12.2 renamed the throttle reasons to clock event reasons (same bits); NVML 13 dropped
    // the old name. Older drivers have only the old one.
    reasons =
      library.function(
        "nvmlDeviceGetCurrentClocksEventReasons",
        as: suanli_nvmlDeviceGetCurrentClocksEventReasons_t.self)
      ?? library.function(
        "nvmlDeviceGetCurrentClocksThrottleReasons",
        as: suanli_nvmlDeviceGetCurrentClocksEventReasons_t.self)
    isFake = library.address("suanli_fake_nvml_library") != nil
  }

  /// The NVML handle of the device at `busID` (NVML's order is not CUDA's: match by bus id).
  func handle(busID: String) -> suanli_nvmlDevice_t? {
    guard let byBusID else { return nil }
    var handle: suanli_nvmlDevice_t? = nil
    guard byBusID(busID, &handle) == SUANLI_NVML_SUCCESS else { return nil }
    return handle
  }

  /// The board's energy counter since the driver loaded, in millijoules (Volta and newer), or
  /// why there is none.
  func energyMillijoules(_ handle: suanli_nvmlDevice_t) -> Result<UInt64, DeviceError> {
    guard let energy else { return .failure(.unavailable("\(library.path) lacks nvmlDeviceGetTotalEnergyConsumption")) }
    var value: UInt64 = 0
    let status = energy(handle, &value)
    guard status == SUANLI_NVML_SUCCESS else {
      return .failure(.library(call: "nvmlDeviceGetTotalEnergyConsumption", status: Int(status), name: describe(status)))
    }
    return .success(value)
  }

  /// One reading of what the board is doing: SM clock (MHz), power (W; NVML's own averaging
  /// window on Ampere and newer), temperature (°C), clock event reasons (a bit mask).
  func sample(_ handle: suanli_nvmlDevice_t) -> BoardSample {
    var sample = BoardSample()
    var value: UInt32 = 0
    if let clock, clock(handle, Int32(SUANLI_NVML_CLOCK_SM), &value) == SUANLI_NVML_SUCCESS {
      sample.smClockMHz = Int(value)
    }
    if let power, power(handle, &value) == SUANLI_NVML_SUCCESS { sample.watts = Double(value) / 1000 }
    if let temperature,
      temperature(handle, Int32(SUANLI_NVML_TEMPERATURE_GPU), &value) == SUANLI_NVML_SUCCESS
    {
      sample.celsius = Int(value)
    }
    var mask: UInt64 = 0
    if let reasons, reasons(handle, &mask) == SUANLI_NVML_SUCCESS { sample.reasons = mask }
    return sample
  }

  deinit { _ = shutdown?() }

  /// The clock event reasons a report names, by bit (nvml.h).
  static let reasonBits: [(UInt64, String)] = [
    (UInt64(SUANLI_NVML_REASON_SW_POWER_CAP), "power cap"),
    (UInt64(SUANLI_NVML_REASON_HW_SLOWDOWN), "hardware slowdown"),
    (UInt64(SUANLI_NVML_REASON_SW_THERMAL), "software thermal slowdown"),
    (UInt64(SUANLI_NVML_REASON_HW_THERMAL), "hardware thermal slowdown"),
    (UInt64(SUANLI_NVML_REASON_HW_POWER_BRAKE), "power brake"),
  ]

  func describe(_ status: Int32) -> String {
    let text = errorString?(status).map { String(cString: $0) } ?? "error"
    return "\(text) (\(status))"
  }

  var driver: String? {
    guard let driverVersion else { return nil }
    var buffer = [CChar](repeating: 0, count: 96)
    guard driverVersion(&buffer, UInt32(buffer.count)) == SUANLI_NVML_SUCCESS else { return nil }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// What NVML says of the device at `busID`: MIG mode, the maximum SM clock (MHz).
  func details(busID: String) -> (mig: Bool?, maxSMClockMHz: Int?) {
    guard let handle = handle(busID: busID) else { return (nil, nil) }
    var mig: Bool? = nil
    if let migMode {
      var current: UInt32 = 0
      var pending: UInt32 = 0
      if migMode(handle, &current, &pending) == SUANLI_NVML_SUCCESS { mig = current == 1 }
    }
    var clock: Int? = nil
    if let maxClock {
      var megahertz: UInt32 = 0
      if maxClock(handle, Int32(SUANLI_NVML_CLOCK_SM), &megahertz) == SUANLI_NVML_SUCCESS {
        clock = Int(megahertz)
      }
    }
    return (mig, clock)
  }
}

/// One NVML reading of a board during a timed region.
struct BoardSample: Sendable {
  var smClockMHz: Int?
  var watts: Double?
  var celsius: Int?
  var reasons: UInt64?
}

/// NVML readings of one board on a thread of their own while the samples run.
final class BoardMonitor: @unchecked Sendable {
  private let nvml: NVML
  private let handle: suanli_nvmlDevice_t?
  private let lock = NSLock()
  private var samples: [BoardSample] = []
  private var running = false
  private var thread: Thread?

  init(nvml: NVML, busID: String) {
    self.nvml = nvml
    handle = nvml.handle(busID: busID)
  }

  func energy() -> Result<UInt64, DeviceError>? {
    guard let handle else { return nil }
    return nvml.energyMillijoules(handle)
  }

  func startSampling(interval: Double) {
    guard handle != nil else { return }
    running = true
    let thread = Thread { [self] in
      while lock.withLock({ running }), let handle {
        let sample = nvml.sample(handle)
        lock.withLock { samples.append(sample) }
        Thread.sleep(forTimeInterval: interval)
      }
    }
    self.thread = thread
    thread.start()
  }

  func stopSampling() -> [BoardSample] {
    lock.withLock { running = false }
    // The sampler ends within one interval; what it read so far is the record.
    Thread.sleep(forTimeInterval: 0.12)
    return lock.withLock { samples }
  }
}
