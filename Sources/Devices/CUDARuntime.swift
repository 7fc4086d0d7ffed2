import CCUDA
import Foundation

/// A CUDA runtime call that did not return cudaSuccess: the code, its name and text as the
/// runtime gives them, and what it means for a benchmark.
public struct CUDAError: Error, Equatable, CustomStringConvertible {
  public var call: String
  public var code: Int
  public var name: String
  public var text: String

  public var description: String { "\(call): \(name) (\(code)): \(text)" }

  /// What the code says about the node: no driver, no device, a stub library.
  public var meaning: String? {
    switch Int32(code) {
    case Int32(SUANLI_CUDA_ERROR_INSUFFICIENT_DRIVER):
      return "no NVIDIA driver (or one too old for this runtime): libcuda.so.1 is missing"
    case Int32(SUANLI_CUDA_ERROR_NO_DEVICE): return "the driver sees no CUDA device"
    case Int32(SUANLI_CUDA_ERROR_STUB_LIBRARY): return "the driver found is a stub library"
    default: return nil
    }
  }
}

/// The CUDA runtime (libcudart.so.13 or .12), loaded at run time: the one file that calls it.
/// Only calls whose signatures are the same in CUDA 12 and 13 are made; device properties
/// come from cudaDeviceGetAttribute (cudaDeviceProp's layout differs between them).
final class CUDARuntime: @unchecked Sendable {
  let library: DynamicLibrary
  /// 12 or 13, from the soname that opened.
  let major: Int
  private let getCount: suanli_cudaGetDeviceCount_t
  private let getAttribute: suanli_cudaDeviceGetAttribute_t
  private let runtimeVersion: suanli_cudaRuntimeGetVersion_t
  private let driverVersion: suanli_cudaDriverGetVersion_t
  private let busID: suanli_cudaDeviceGetPCIBusId_t?
  private let properties: suanli_cudaGetDeviceProperties_t?
  private let setDevice: suanli_cudaSetDevice_t?
  private let memoryInfo: suanli_cudaMemGetInfo_t?
  private let errorName: suanli_cudaGetErrorName_t?
  private let errorString: suanli_cudaGetErrorString_t?

  static let sonames = ["libcudart.so.13", "libcudart.so.12"]

  /// Opens the runtime from `folder` (SUANLI_CUDA_LIB_DIR), the loader's path, then the
  /// CUDA toolkit's usual folders; nil with where it looked, or with what the library lacks.
  static func load(folder: String?, environment: [String: String]) -> (
    runtime: CUDARuntime?, reason: String?, search: DynamicLibrary.Search
  ) {
    let toolkit = [environment["CUDA_HOME"], environment["CUDA_PATH"]].compactMap { $0 }.map {
      $0 + "/lib64"
    }
    let (library, search) = DynamicLibrary.open(
      DynamicLibrary.candidates(
        sonames, folder: folder, fallbackFolders: toolkit + ["/usr/local/cuda/lib64"]))
    guard let library else {
      return (nil, "libcudart.so.13 or .12 " + search.summary, search)
    }
    library.resolve(using: "cudaGetDeviceCount")
    let major = library.path.contains(".so.12") ? 12 : 13
    guard
      let getCount = library.function("cudaGetDeviceCount", as: suanli_cudaGetDeviceCount_t.self),
      let getAttribute = library.function(
        "cudaDeviceGetAttribute", as: suanli_cudaDeviceGetAttribute_t.self),
      let runtimeVersion = library.function(
        "cudaRuntimeGetVersion", as: suanli_cudaRuntimeGetVersion_t.self),
      let driverVersion = library.function(
        "cudaDriverGetVersion", as: suanli_cudaDriverGetVersion_t.self)
    else {
      return (nil, "\(library.path) lacks the CUDA runtime's entry points", search)
    }
    let runtime = CUDARuntime(
      library: library, major: major, getCount: getCount, getAttribute: getAttribute,
      runtimeVersion: runtimeVersion, driverVersion: driverVersion)
    return (runtime, nil, search)
  }

  private init(
    library: DynamicLibrary, major: Int, getCount: @escaping suanli_cudaGetDeviceCount_t,
    getAttribute: @escaping suanli_cudaDeviceGetAttribute_t,
    runtimeVersion: @escaping suanli_cudaRuntimeGetVersion_t,
    driverVersion: @escaping suanli_cudaDriverGetVersion_t
  ) {
    self.library = library
    self.major = major
    self.getCount = getCount
    self.getAttribute = getAttribute
    self.runtimeVersion = runtimeVersion
    self.driverVersion = driverVersion
    busID = library.function("cudaDeviceGetPCIBusId", as: suanli_cudaDeviceGetPCIBusId_t.self)
    // 12.x exports the struct call as cudaGetDeviceProperties_v2; 13.x as the plain name.
    properties =
      library.function("cudaGetDeviceProperties_v2", as: suanli_cudaGetDeviceProperties_t.self)
      ?? library.function("cudaGetDeviceProperties", as: suanli_cudaGetDeviceProperties_t.self)
    setDevice = library.function("cudaSetDevice", as: suanli_cudaSetDevice_t.self)
    memoryInfo = library.function("cudaMemGetInfo", as: suanli_cudaMemGetInfo_t.self)
    errorName = library.function("cudaGetErrorName", as: suanli_cudaGetErrorName_t.self)
    errorString = library.function("cudaGetErrorString", as: suanli_cudaGetErrorString_t.self)
    /// A library made for Suanli's tests says so; its devices are labelled fake.
    isFake = library.address("suanli_fake_cuda_library") != nil
  }

  /// True for the fake runtime the tests build (it exports `suanli_fake_cuda_library`).
  let isFake: Bool

  private func check(_ call: String, _ status: Int32) throws(CUDAError) {
    guard status != 0 else { return }
    let name = errorName?(status).map { String(cString: $0) } ?? "cudaError \(status)"
    let text = errorString?(status).map { String(cString: $0) } ?? ""
    throw CUDAError(call: call, code: Int(status), name: name, text: text)
  }

  /// "12.9" from 12090.
  static func version(_ code: Int32) -> String { "\(code / 1000).\((code % 1000) / 10)" }

  func versions() -> (runtime: Int32, driver: Int32) {
    var runtime: Int32 = 0
    var driver: Int32 = 0
    _ = runtimeVersion(&runtime)
    _ = driverVersion(&driver)
    return (runtime, driver)
  }

  func deviceCount() throws(CUDAError) -> Int {
    var count: Int32 = 0
    try check("cudaGetDeviceCount", getCount(&count))
    return Int(count)
  }

  /// The cudaDeviceAttr values discovery reads (the same in CUDA 12 and 13).
  enum Attribute {
    case clockRateKHz, multiprocessorCount, eccEnabled, memoryClockRateKHz, memoryBusWidthBits
    case l2CacheBytes, computeCapabilityMajor, computeCapabilityMinor

    var value: Int32 {
      switch self {
      case .clockRateKHz: return Int32(SUANLI_CUDA_ATTR_CLOCK_RATE)
      case .multiprocessorCount: return Int32(SUANLI_CUDA_ATTR_MULTIPROCESSOR_COUNT)
      case .eccEnabled: return Int32(SUANLI_CUDA_ATTR_ECC_ENABLED)
      case .memoryClockRateKHz: return Int32(SUANLI_CUDA_ATTR_MEMORY_CLOCK_RATE)
      case .memoryBusWidthBits: return Int32(SUANLI_CUDA_ATTR_GLOBAL_MEMORY_BUS_WIDTH)
      case .l2CacheBytes: return Int32(SUANLI_CUDA_ATTR_L2_CACHE_SIZE)
      case .computeCapabilityMajor: return Int32(SUANLI_CUDA_ATTR_COMPUTE_CAPABILITY_MAJOR)
      case .computeCapabilityMinor: return Int32(SUANLI_CUDA_ATTR_COMPUTE_CAPABILITY_MINOR)
      }
    }
  }

  func attribute(_ attribute: Attribute, device: Int) throws(CUDAError) -> Int {
    var value: Int32 = 0
    try check(
      "cudaDeviceGetAttribute(\(attribute.value))", getAttribute(&value, attribute.value, Int32(device)))
    return Int(value)
  }

  /// "0000:04:00.0", lower-case as hwloc writes it.
  func pciBusID(device: Int) throws(CUDAError) -> String? {
    guard let busID else { return nil }
    var buffer = [CChar](repeating: 0, count: 64)
    try check("cudaDeviceGetPCIBusId", busID(&buffer, Int32(buffer.count), Int32(device)))
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      .lowercased()
  }

  /// The device's name: `name[256]` at offset 0 of cudaDeviceProp, the same in 12 and 13,
  /// read from a 4 KiB buffer (larger than either layout).
  func name(device: Int) throws(CUDAError) -> String? {
    guard let properties else { return nil }
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 16)
    defer { buffer.deallocate() }
    buffer.initializeMemory(as: UInt8.self, repeating: 0, count: 4096)
    try check("cudaGetDeviceProperties", properties(buffer, Int32(device)))
    buffer.storeBytes(of: 0, toByteOffset: 255, as: UInt8.self)
    return String(cString: buffer.assumingMemoryBound(to: CChar.self))
  }

  /// Total memory of `device` (cudaMemGetInfo after cudaSetDevice).
  func totalMemory(device: Int) throws(CUDAError) -> Int? {
    guard let setDevice, let memoryInfo else { return nil }
    try check("cudaSetDevice", setDevice(Int32(device)))
    var free = 0
    var total = 0
    try check("cudaMemGetInfo", memoryInfo(&free, &total))
    return total
  }
}

/// The runtime calls a benchmark needs beyond discovery: device memory, copies, events.
extension CUDARuntime {
  struct Compute {
    let malloc: suanli_cudaMalloc_t
    let free: suanli_cudaFree_t
    let memcpy: suanli_cudaMemcpy_t
    let memset: suanli_cudaMemset_t
    let synchronize: suanli_cudaDeviceSynchronize_t
    let eventCreate: suanli_cudaEventCreate_t
    let eventRecord: suanli_cudaEventRecord_t
    let eventSynchronize: suanli_cudaEventSynchronize_t
    let eventElapsed: suanli_cudaEventElapsedTime_t
    let eventDestroy: suanli_cudaEventDestroy_t
  }

  /// The compute entry points, or the first one the library lacks.
  func compute() throws(DeviceError) -> Compute {
    func need<T>(_ name: String, _ type: T.Type) throws(DeviceError) -> T {
      try library.require(name, as: type)
    }
    return Compute(
      malloc: try need("cudaMalloc", suanli_cudaMalloc_t.self),
      free: try need("cudaFree", suanli_cudaFree_t.self),
      memcpy: try need("cudaMemcpy", suanli_cudaMemcpy_t.self),
      memset: try need("cudaMemset", suanli_cudaMemset_t.self),
      synchronize: try need("cudaDeviceSynchronize", suanli_cudaDeviceSynchronize_t.self),
      eventCreate: try need("cudaEventCreate", suanli_cudaEventCreate_t.self),
      eventRecord: try need("cudaEventRecord", suanli_cudaEventRecord_t.self),
      eventSynchronize: try need("cudaEventSynchronize", suanli_cudaEventSynchronize_t.self),
      eventElapsed: try need("cudaEventElapsedTime", suanli_cudaEventElapsedTime_t.self),
      eventDestroy: try need("cudaEventDestroy", suanli_cudaEventDestroy_t.self))
  }

  func select(_ device: Int) throws(DeviceError) {
    guard let setDevice else { throw DeviceError.unavailable("\(library.path) lacks cudaSetDevice") }
    try call("cudaSetDevice", setDevice(Int32(device)))
  }

  /// `status` as a DeviceError when it is not cudaSuccess.
  func call(_ name: String, _ status: Int32) throws(DeviceError) {
    do { try check(name, status) } catch { throw DeviceError.cuda(error) }
  }

  func allocate(_ compute: Compute, bytes: Int) throws(DeviceError) -> UnsafeMutableRawPointer {
    var pointer: UnsafeMutableRawPointer? = nil
    try call("cudaMalloc(\(bytes) B)", compute.malloc(&pointer, max(bytes, 1)))
    guard let pointer else { throw DeviceError.unavailable("cudaMalloc returned no memory") }
    return pointer
  }

  func upload(_ compute: Compute, _ host: [UInt8], to device: UnsafeMutableRawPointer)
    throws(DeviceError)
  {
    let status = host.withUnsafeBytes { bytes in
      compute.memcpy(
        device, bytes.baseAddress, bytes.count, Int32(SUANLI_CUDA_MEMCPY_HOST_TO_DEVICE))
    }
    try call("cudaMemcpy(host to device)", status)
  }

  func download(_ compute: Compute, from device: UnsafeRawPointer, bytes count: Int)
    throws(DeviceError) -> [UInt8]
  {
    var host = [UInt8](repeating: 0, count: count)
    let status = host.withUnsafeMutableBytes { bytes in
      compute.memcpy(
        bytes.baseAddress, device, bytes.count, Int32(SUANLI_CUDA_MEMCPY_DEVICE_TO_HOST))
    }
    try call("cudaMemcpy(device to host)", status)
    return host
  }
}

/// Why a device benchmark could not run: a library or entry point missing, or a call's error.
public enum DeviceError: Error, CustomStringConvertible, Equatable {
  case unavailable(String)
  case cuda(CUDAError)
  case library(call: String, status: Int, name: String)

  public var description: String {
    switch self {
    case .unavailable(let text): return text
    case .cuda(let error):
      return error.description + (error.meaning.map { " — \($0)" } ?? "")
    case .library(let call, let status, let name): return "\(call): \(name) (\(status))"
    }
  }

  /// True when the node simply has no usable device (no driver, no device, no library):
  /// a skip, never a failure.
  public var meansAbsent: Bool {
    switch self {
    case .unavailable: return true
    case .cuda(let error): return error.meaning != nil
    case .library: return false
    }
  }
}
