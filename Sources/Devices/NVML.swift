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
  }

  deinit { _ = shutdown?() }

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
    guard let byBusID else { return (nil, nil) }
    var handle: suanli_nvmlDevice_t? = nil
    guard byBusID(busID, &handle) == SUANLI_NVML_SUCCESS, let handle else { return (nil, nil) }
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
