import Foundation

/// What a compute device offers a benchmark: its identity and its peaks. The CPU (today's
/// kernels) and CUDA GPUs are devices; a benchmark asks for capabilities, never for a vendor.
public protocol ComputeDevice: Sendable {
  /// "cpu", "cuda:0".
  var identifier: String { get }
  var name: String { get }
  var peaks: [DevicePeak] { get }
}

extension ComputeDevice {
  /// The dense peak of `precision`, if the device has it.
  public func peak(_ precision: String) -> DevicePeak? {
    peaks.first { $0.precision == precision }
  }
}

/// One backend (a vendor library) as discovery found it: present with its devices, or absent
/// with the reason and where it looked.
public struct BackendStatus: Sendable, Equatable, Codable {
  public enum State: String, Sendable, Codable { case present, absent }
  public var name: String
  public var state: State
  public var library: String? = nil
  public var version: String? = nil
  public var devices: Int? = nil
  public var reason: String? = nil
  public var note: String? = nil
}

/// A CUDA GPU as the runtime (and NVML, where present) describes it.
public struct CUDADevice: ComputeDevice, Equatable, Codable {
  public var identifier: String
  public var name: String
  /// "sm_90".
  public var architecture: String
  public var multiprocessors: Int
  public var clockMHz: Int
  public var memoryClockMHz: Int?
  public var memoryBusWidthBits: Int?
  public var memoryBytes: Int?
  public var l2CacheBytes: Int?
  public var ecc: Bool?
  public var mig: Bool?
  public var pciBusID: String?
  /// The hwloc PCI object at the same bus id (set by whoever has the topology).
  public var hwlocName: String? = nil
  /// Made by the fake runtime of Suanli's tests: never a real measurement.
  public var fake: Bool
  public var peaks: [DevicePeak]
  public var peakNote: String?

  /// Peak memory bandwidth: memory clock × bus width / 8 × 2 (double data rate).
  public var memoryBandwidth: Double? {
    guard let clock = memoryClockMHz, let width = memoryBusWidthBits else { return nil }
    return Double(clock) * 1e6 * Double(width) / 8 * 2
  }
}

/// Every accelerator backend on this node: `suanli devices`.
public struct DeviceInventory: Sendable, Equatable, Codable {
  public var backends: [BackendStatus]
  public var devices: [CUDADevice]
  /// Versions: the CUDA runtime's and driver's (as the runtime reports it), NVML's driver.
  public var cudaRuntime: String?
  public var cudaDriver: String?
  public var nvidiaDriver: String?

  /// Probes CUDA (from SUANLI_CUDA_LIB_DIR, the loader's path, the toolkit's folders), NVML,
  /// HIP and ROCm SMI. Never throws: what is missing is a backend's reason.
  public static func discover(environment: [String: String] = ProcessInfo.processInfo.environment)
    -> DeviceInventory
  {
    let folder = environment["SUANLI_CUDA_LIB_DIR"]
    var inventory = DeviceInventory(backends: [], devices: [])
    let (nvml, nvmlReason) = NVML.load(folder: folder)
    inventory.nvidiaDriver = nvml?.driver
    let (runtime, reason, _) = CUDARuntime.load(folder: folder, environment: environment)
    if let runtime {
      let versions = runtime.versions()
      inventory.cudaRuntime = CUDARuntime.version(versions.runtime)
      inventory.cudaDriver = versions.driver > 0 ? CUDARuntime.version(versions.driver) : nil
      var status = BackendStatus(
        name: "cuda", state: .absent, library: runtime.library.path,
        version: inventory.cudaRuntime)
      do {
        let count = try runtime.deviceCount()
        status.devices = count
        if count == 0 {
          status.reason = "cudaGetDeviceCount found no device"
        } else {
          status.state = .present
          for index in 0..<count {
            inventory.devices.append(try describe(index, runtime: runtime, nvml: nvml))
          }
          if runtime.isFake {
            status.note = "a fake runtime made by Suanli's tests: its devices are not real"
          }
        }
      } catch {
        status.reason = [error.description, error.meaning].compactMap { $0 }.joined(separator: " — ")
      }
      inventory.backends.append(status)
    } else {
      inventory.backends.append(BackendStatus(name: "cuda", state: .absent, reason: reason))
    }
    inventory.backends.append(
      nvml != nil
        ? BackendStatus(
          name: "nvml", state: .present, library: nvml!.library.path, version: nvml!.driver)
        : BackendStatus(name: "nvml", state: .absent, reason: nvmlReason))
    inventory.backends.append(ROCm.hip(folder: environment["SUANLI_ROCM_LIB_DIR"]))
    inventory.backends.append(ROCm.smi(folder: environment["SUANLI_ROCM_LIB_DIR"]))
    return inventory
  }

  static func describe(_ index: Int, runtime: CUDARuntime, nvml: NVML?) throws(CUDAError)
    -> CUDADevice
  {
    func attribute(_ value: CUDARuntime.Attribute) throws(CUDAError) -> Int {
      try runtime.attribute(value, device: index)
    }
    let major = try attribute(.computeCapabilityMajor)
    let minor = try attribute(.computeCapabilityMinor)
    let architecture = "sm_\(major)\(minor)"
    let sms = try attribute(.multiprocessorCount)
    let busID = try runtime.pciBusID(device: index)
    let details: (mig: Bool?, maxSMClockMHz: Int?) =
      busID.flatMap { nvml?.details(busID: $0) } ?? (nil, nil)
    // The maximum SM clock: NVML's when there is one, else the runtime's attribute (kHz).
    var clockMHz = try attribute(.clockRateKHz) / 1000
    if let nvmlClock = details.maxSMClockMHz { clockMHz = nvmlClock }
    let name = try runtime.name(device: index) ?? "CUDA device \(index)"
    let (peaks, peakNote) = DevicePeaks.peaks(
      architecture: architecture, sms: sms, clockMHz: clockMHz, name: name)
    let memoryClock = try attribute(.memoryClockRateKHz) / 1000
    return CUDADevice(
      identifier: "cuda:\(index)",
      name: name,
      architecture: architecture, multiprocessors: sms, clockMHz: clockMHz,
      memoryClockMHz: memoryClock > 0 ? memoryClock : nil,
      memoryBusWidthBits: try attribute(.memoryBusWidthBits),
      memoryBytes: try runtime.totalMemory(device: index),
      l2CacheBytes: try attribute(.l2CacheBytes),
      ecc: try attribute(.eccEnabled) != 0, mig: details.mig,
      pciBusID: busID, fake: runtime.isFake, peaks: peaks, peakNote: peakNote)
  }
}
