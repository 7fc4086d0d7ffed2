import Foundation
import XCTest

@testable import Devices

/// Accelerator discovery with no GPU: the peak tables against the vendors' published dense
/// figures, a fake CUDA runtime (compiled here from Fixtures/fake_cudart.c) for the happy path
/// and its errors, and the real CUDA runtime from PyPI with no driver (error 35) when
/// `make test` has fetched it.
final class DevicesTests: XCTestCase {
  func peak(_ architecture: String, _ sms: Int, _ mhz: Int, _ precision: String) -> Double? {
    DevicePeaks.peaks(architecture: architecture, sms: sms, clockMHz: mhz).peaks.first {
      $0.precision == precision
    }?.flopsPerSecond
  }

  /// H100/H200 SXM (132 SMs, 1980 MHz; tensor cores rated at 1830 MHz) and A100 SXM (108 SMs,
  /// 1410 MHz): NVIDIA's dense TFLOPS — FP64 34 (33.5 exactly), FP64 tensor 67, TF32 494.7,
  /// FP16/BF16 989.4, FP8 1979; A100 FP64 9.7, tensor 19.5, TF32 156, FP16/BF16 312.
  func testPeaksAreThePublishedDenseFigures() throws {
    let hopper: [(String, Double, Double)] = [
      ("fp64", 34e12, 0.02), ("fp64-tensor", 66.9e12, 0.001), ("fp32", 66.9e12, 0.001),
      ("tf32", 494.7e12, 0.001), ("fp16", 989.4e12, 0.001), ("bf16", 989.4e12, 0.001),
      ("fp8", 1978.9e12, 0.001), ("int8", 1978.9e12, 0.001),
    ]
    for (precision, published, tolerance) in hopper {
      let value = try XCTUnwrap(peak("sm_90", 132, 1980, precision), precision)
      XCTAssertEqual(value / published, 1, accuracy: tolerance, precision)
    }
    let ampere: [(String, Double)] = [
      ("fp64", 9.7e12), ("fp64-tensor", 19.5e12), ("tf32", 156e12), ("fp16", 312e12),
      ("bf16", 312e12), ("int8", 624e12),
    ]
    for (precision, published) in ampere {
      let value = try XCTUnwrap(peak("sm_80", 108, 1410, precision), precision)
      XCTAssertEqual(value / published, 1, accuracy: 0.01, precision)
    }
    XCTAssertNil(peak("sm_80", 108, 1410, "fp8"), "A100 has no FP8")
    // GA10x: A10 (72 SMs, 1695 MHz) FP32 31.2, TF32 62.5, FP16/BF16 125, INT8 250; the
    // GeForce RTX 3090 (82, 1695) at half for TF32 and FP16 with FP32 accumulation (71).
    let a10: [(String, Double)] = [
      ("fp32", 31.2e12), ("tf32", 62.5e12), ("fp16", 125e12), ("bf16", 125e12), ("int8", 250e12),
    ]
    for (precision, published) in a10 {
      let value = try XCTUnwrap(peak("sm_86", 72, 1695, precision), precision)
      XCTAssertEqual(value / published, 1, accuracy: 0.01, precision)
    }
    let geforce = DevicePeaks.peaks(
      architecture: "sm_86", sms: 82, clockMHz: 1695, name: "NVIDIA GeForce RTX 3090")
    let fp16 = try XCTUnwrap(geforce.peaks.first { $0.precision == "fp16" })
    XCTAssertEqual(fp16.flopsPerSecond / 71.2e12, 1, accuracy: 0.01)
    XCTAssertTrue(fp16.formula.contains("GeForce"), fp16.formula)
    let formula = DevicePeaks.peaks(architecture: "sm_90", sms: 132, clockMHz: 1980).peaks
      .first { $0.precision == "fp16" }?.formula ?? ""
    XCTAssertTrue(formula.contains("132 SMs × 4096 flop/clock/SM (Hopper, dense) × 1830 MHz"), formula)
    let unknown = DevicePeaks.peaks(architecture: "sm_100", sms: 148, clockMHz: 1965)
    XCTAssertTrue(unknown.peaks.isEmpty)
    XCTAssertTrue(unknown.reason?.hasPrefix("no peak table for sm_100") ?? false)
  }

  /// Builds the fake runtime into a new folder as libcudart.so.12 (with `everything`, also
  /// the fake cuBLAS as libcublas.so.12 and libcublasLt.so.12, and the fake NVML).
  static func fakeRuntimeFolder(everything: Bool = false) throws -> URL {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Fixtures")
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "suanli-fake-cuda-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    var builds = [("fake_cudart.c", "libcudart.so.12")]
    if everything {
      builds += [
        ("fake_cublas.c", "libcublas.so.12"), ("fake_cublas.c", "libcublasLt.so.12"),
        ("fake_nvml.c", "libnvidia-ml.so.1"),
      ]
    }
    for (source, library) in builds {
      let compiler = Process()
      compiler.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      compiler.arguments = [
        "cc", "-shared", "-fPIC", "-O1", "-o", folder.appendingPathComponent(library).path,
        fixtures.appendingPathComponent(source).path, "-lm",
      ]
      try compiler.run()
      compiler.waitUntilExit()
      guard compiler.terminationStatus == 0 else {
        throw XCTSkip("no C compiler to build the fake CUDA libraries")
      }
    }
    return folder
  }

  func testAFakeRuntimeGivesLabelledDevicesWithTheirPeaks() throws {
    let folder = try Self.fakeRuntimeFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    setenv("FAKE_CUDA_DEVICES", "2", 1)
    unsetenv("FAKE_CUDA_ERROR")
    let inventory = DeviceInventory.discover(environment: ["SUANLI_CUDA_LIB_DIR": folder.path])
    let cuda = try XCTUnwrap(inventory.backends.first { $0.name == "cuda" })
    XCTAssertEqual(cuda.state, .present)
    XCTAssertEqual(cuda.devices, 2)
    XCTAssertEqual(cuda.library, folder.appendingPathComponent("libcudart.so.12").path)
    XCTAssertTrue(cuda.note?.contains("fake") ?? false)
    XCTAssertEqual(inventory.cudaRuntime, "12.9")
    XCTAssertEqual(inventory.devices.map(\.identifier), ["cuda:0", "cuda:1"])
    let device = inventory.devices[1]
    XCTAssertTrue(device.fake)
    XCTAssertEqual(device.name, "Fake Hopper 1")
    XCTAssertEqual(device.architecture, "sm_90")
    XCTAssertEqual(device.multiprocessors, 132)
    XCTAssertEqual(device.clockMHz, 1980)
    XCTAssertEqual(device.pciBusID, "0000:19:00.0")
    XCTAssertEqual(device.memoryBytes, 80 << 30)
    XCTAssertEqual(device.ecc, true)
    XCTAssertEqual(try XCTUnwrap(device.memoryBandwidth) / 3.35e12, 1, accuracy: 0.001)
    XCTAssertEqual(try XCTUnwrap(device.peak("bf16")?.flopsPerSecond) / 989.4e12, 1, accuracy: 0.001)
    // The errors a node without a usable GPU gives, each with what it means.
    for (code, meaning) in [("35", "no NVIDIA driver"), ("100", "the driver sees no CUDA device")] {
      setenv("FAKE_CUDA_ERROR", code, 1)
      let absent = DeviceInventory.discover(environment: ["SUANLI_CUDA_LIB_DIR": folder.path])
      let status = try XCTUnwrap(absent.backends.first { $0.name == "cuda" })
      XCTAssertEqual(status.state, .absent)
      XCTAssertTrue(status.reason?.contains("(\(code))") ?? false, status.reason ?? "")
      XCTAssertTrue(status.reason?.contains(meaning) ?? false, status.reason ?? "")
      XCTAssertTrue(absent.devices.isEmpty)
    }
    unsetenv("FAKE_CUDA_ERROR")
  }

  /// The real libcudart.so.12 and .so.13 from PyPI (`make test` caches them in .cache/) on this
  /// machine without a driver: cudaGetDeviceCount answers 35 in both.
  func testTheRealRuntimesWithoutADriverSaySo() throws {
    let environment = ProcessInfo.processInfo.environment
    var tried = 0
    for (variable, soname, version) in [
      ("SUANLI_TEST_CUDART_DIR", "libcudart.so.12", "12.9"),
      ("SUANLI_TEST_CUDART13_DIR", "libcudart.so.13", "13.0"),
    ] {
      guard let folder = environment[variable],
        FileManager.default.fileExists(atPath: folder + "/" + soname)
      else { continue }
      tried += 1
      let inventory = DeviceInventory.discover(environment: ["SUANLI_CUDA_LIB_DIR": folder])
      let cuda = try XCTUnwrap(inventory.backends.first { $0.name == "cuda" })
      XCTAssertEqual(cuda.state, .absent)
      XCTAssertEqual(cuda.version, version)
      XCTAssertEqual(cuda.library, folder + "/" + soname)
      XCTAssertTrue(
        cuda.reason?.hasPrefix("cudaGetDeviceCount: cudaErrorInsufficientDriver (35)") ?? false,
        cuda.reason ?? "")
      XCTAssertTrue(cuda.reason?.contains("no NVIDIA driver") ?? false, cuda.reason ?? "")
      XCTAssertNil(inventory.cudaDriver, "no driver: version 0")
      // Every entry point a GEMM needs exists in the real runtime (12 and 13 alike).
      let runtime = try XCTUnwrap(CUDARuntime.load(folder: folder, environment: [:]).runtime)
      XCTAssertNoThrow(try runtime.compute())
      XCTAssertThrowsError(try runtime.select(0)) { error in
        XCTAssertTrue((error as? DeviceError)?.meansAbsent ?? false, "\(error)")
      }
    }
    if tried == 0 {
      throw XCTSkip("the CUDA runtime wheels are not cached (make test fetches them into .cache/)")
    }
  }

  func testAMissingLibrarySaysWhereItLooked() throws {
    let inventory = DeviceInventory.discover(environment: [
      "SUANLI_CUDA_LIB_DIR": "/nonexistent-suanli", "SUANLI_ROCM_LIB_DIR": "/nonexistent-suanli",
    ])
    let cuda = try XCTUnwrap(inventory.backends.first { $0.name == "cuda" })
    if cuda.state == .absent, cuda.library == nil {
      XCTAssertTrue(
        cuda.reason?.contains("/nonexistent-suanli/libcudart.so.13") ?? false, cuda.reason ?? "")
    }
    XCTAssertEqual(inventory.backends.map(\.name), ["cuda", "nvml", "hip", "rocm-smi"])
  }

  /// `suanli devices` (the binary `make test` names) on the fake runtime: the devices marked
  /// FAKE in the human view, `"fake": true` in the JSON.
  func testTheCommandLabelsFakeDevices() throws {
    guard let binary = ProcessInfo.processInfo.environment["SUANLI_BIN"] else {
      throw XCTSkip("SUANLI_BIN names the suanli binary (make test sets it)")
    }
    let folder = try Self.fakeRuntimeFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: binary)
      process.arguments = arguments
      var environment = ProcessInfo.processInfo.environment
      environment["SUANLI_CUDA_LIB_DIR"] = folder.path
      environment["FAKE_CUDA_DEVICES"] = "1"
      environment["FAKE_CUDA_ERROR"] = nil
      process.environment = environment
      let pipe = Pipe()
      process.standardOutput = pipe
      try process.run()
      let data = pipe.fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
    let human = try run(["devices"])
    XCTAssertEqual(human.status, 0)
    XCTAssertTrue(human.output.contains("cuda:0  Fake Hopper 0 FAKE (a test library, not a GPU)"), human.output)
    XCTAssertTrue(human.output.contains("bf16"), human.output)
    // Joined by PCI bus id with the hwloc object of a recorded topology (an H100 node's).
    let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("TopologyTests/Fixtures/xeon-2s-gpu-ib.xml")
    let joined = try run(["devices", "--topology", fixture.path])
    XCTAssertTrue(joined.output.contains("PCI 0000:18:00.0 (hwloc: 3D controller)"), joined.output)
    XCTAssertEqual(try run(["devices", "--topology", "/nonexistent-suanli.xml"]).status, 2)
    let json = try run(["devices", "--json"])
    let document = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
    let devices = try XCTUnwrap(document["devices"] as? [[String: Any]])
    XCTAssertEqual(devices.count, 1)
    XCTAssertEqual(devices[0]["fake"] as? Bool, true)
    XCTAssertEqual(devices[0]["architecture"] as? String, "sm_90")
  }
}

