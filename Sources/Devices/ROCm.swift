import CCUDA
import Foundation

/// AMD's HIP runtime (libamdhip64) and ROCm SMI (librocm_smi64), loaded at run time: the one
/// file that calls them. Discovery only for now — present (with the device count) or absent
/// with the reason; their kernels come later.
enum ROCm {
  /// HIP: the device count, or why there is none.
  static func hip(folder: String?) -> BackendStatus {
    let (library, search) = DynamicLibrary.open(
      DynamicLibrary.candidates(
        ["libamdhip64.so.6", "libamdhip64.so.5", "libamdhip64.so"], folder: folder,
        fallbackFolders: ["/opt/rocm/lib"]))
    guard let library else {
      return BackendStatus(name: "hip", state: .absent, reason: "libamdhip64 " + search.summary)
    }
    library.resolve(using: "hipGetDeviceCount")
    guard let count = library.function("hipGetDeviceCount", as: suanli_hipGetDeviceCount_t.self)
    else {
      return BackendStatus(
        name: "hip", state: .absent, library: library.path, reason: "lacks hipGetDeviceCount")
    }
    var version: Int32 = 0
    let versionText =
      library.function("hipRuntimeGetVersion", as: suanli_hipRuntimeGetVersion_t.self).flatMap {
        $0(&version) == 0 ? "\(version / 10_000_000).\((version / 100_000) % 100)" : nil
      }
    var devices: Int32 = 0
    let status = count(&devices)
    guard status == 0 else {
      let text =
        library.function("hipGetErrorString", as: suanli_hipGetErrorString_t.self)?(status).map {
          String(cString: $0)
        } ?? "error"
      return BackendStatus(
        name: "hip", state: .absent, library: library.path, version: versionText,
        reason: "hipGetDeviceCount: \(text) (\(status)): no usable AMD GPU or driver (amdgpu/KFD)")
    }
    return BackendStatus(
      name: "hip", state: devices > 0 ? .present : .absent, library: library.path,
      version: versionText, devices: Int(devices),
      reason: devices > 0 ? nil : "hipGetDeviceCount found no device",
      note: devices > 0 ? "AMD GPUs are listed, not yet measured" : nil)
  }

  /// ROCm SMI: initialises and counts the monitored devices.
  static func smi(folder: String?) -> BackendStatus {
    let (library, search) = DynamicLibrary.open(
      DynamicLibrary.candidates(
        ["librocm_smi64.so.1", "librocm_smi64.so.5", "librocm_smi64.so"], folder: folder,
        fallbackFolders: ["/opt/rocm/lib"]))
    guard let library else {
      return BackendStatus(
        name: "rocm-smi", state: .absent, reason: "librocm_smi64 " + search.summary)
    }
    library.resolve(using: "rsmi_init")
    guard let initialise = library.function("rsmi_init", as: suanli_rsmi_init_t.self),
      let count = library.function(
        "rsmi_num_monitor_devices", as: suanli_rsmi_num_monitor_devices_t.self)
    else {
      return BackendStatus(
        name: "rocm-smi", state: .absent, library: library.path, reason: "lacks rsmi_init")
    }
    let status = initialise(0)
    guard status == 0 else {
      return BackendStatus(
        name: "rocm-smi", state: .absent, library: library.path,
        reason: "rsmi_init: status \(status) (no amdgpu driver, or no permission on /sys/class/kfd)")
    }
    defer { _ = library.function("rsmi_shut_down", as: suanli_rsmi_shut_down_t.self)?() }
    var devices: UInt32 = 0
    _ = count(&devices)
    return BackendStatus(
      name: "rocm-smi", state: devices > 0 ? .present : .absent, library: library.path,
      devices: Int(devices), reason: devices > 0 ? nil : "no device to monitor")
  }
}
