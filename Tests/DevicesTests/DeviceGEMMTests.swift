import Foundation
import XCTest

@testable import Devices

/// GEMM on a CUDA device through the fake runtime, cuBLAS and NVML (Fixtures/*.c, built here):
/// every precision's call sequence, the samples and their energy, and the errors that mean
/// "no usable GPU" against those that mean a failure.
final class DeviceGEMMTests: XCTestCase {
  static func request(_ precision: DeviceGEMMPrecision, m: Int, n: Int, k: Int) -> DeviceGEMMRequest {
    DeviceGEMMRequest(
      precision: precision, m: m, n: n, k: k,
      a: [UInt8](repeating: 0, count: m * k * precision.inputBytes),
      b: [UInt8](repeating: 0, count: k * n * precision.inputBytes), warmupSeconds: 0.01,
      sampleSeconds: 0.02, repeats: 3)
  }

  func testEveryPrecisionRunsWithSamplesEnergyAndItsMethod() throws {
    let folder = try DevicesTests.fakeRuntimeFolder(everything: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    unsetenv("FAKE_CUDA_ERROR")
    unsetenv("FAKE_CUBLAS_WRONG")
    let environment = ["SUANLI_CUDA_LIB_DIR": folder.path]
    for precision in DeviceGEMMPrecision.allCases {
      let outcome = try DeviceGEMM.run(
        Self.request(precision, m: 20, n: 12, k: 16), device: 1, environment: environment)
      XCTAssertTrue(outcome.fake)
      XCTAssertEqual(outcome.device.identifier, "cuda:1")
      XCTAssertEqual(outcome.c.count, 20 * 12 * precision.outputBytes)
      XCTAssertEqual(outcome.seconds.count, 3)
      XCTAssertEqual(outcome.wallSeconds.count, 3)
      XCTAssertGreaterThanOrEqual(outcome.iterations, 1)
      XCTAssertFalse(outcome.warmupSeconds.isEmpty)
      let energy = try outcome.energy.get()
      // The fake board draws 650 W by its counter.
      XCTAssertEqual(energy.joules / energy.seconds, 650, accuracy: 65, "\(precision)")
      XCTAssertEqual(energy.meanSMClockMHz, 1755)
      XCTAssertEqual(energy.reasons["power cap"], 1)
      let api = precision.transposesA ? "cublasLtMatmul (A transposed: TN)" : "cublasGemmEx (N, N)"
      XCTAssertTrue(outcome.method.contains(api), outcome.method)
      XCTAssertTrue(outcome.method.contains("workspace 32 MiB"), "Hopper: 32 MiB")
    }
    // The poisoned output was overwritten by the checked GEMM: zeros in, zeros out.
    let fp32 = try DeviceGEMM.run(
      Self.request(.fp32, m: 8, n: 8, k: 8), device: 0, environment: environment)
    XCTAssertTrue(fp32.c.allSatisfy { $0 == 0 })
  }

  func testNoDeviceIsAbsenceAndAMissingLibrarySaysWhereItLooked() throws {
    let folder = try DevicesTests.fakeRuntimeFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    unsetenv("FAKE_CUDA_ERROR")
    let request = Self.request(.fp16, m: 8, n: 8, k: 8)
    // Runtime but no cuBLAS in the folder (nor, on a machine without CUDA, anywhere).
    do {
      _ = try DeviceGEMM.run(
        request, device: 0, environment: ["SUANLI_CUDA_LIB_DIR": folder.path])
    } catch {
      if case .unavailable(let text) = error {
        XCTAssertTrue(text.contains(folder.path + "/libcublas.so.12"), text)
        XCTAssertTrue(error.meansAbsent)
      }
    }
    setenv("FAKE_CUDA_ERROR", "35", 1)
    defer { unsetenv("FAKE_CUDA_ERROR") }
    XCTAssertThrowsError(
      try DeviceGEMM.run(request, device: 0, environment: ["SUANLI_CUDA_LIB_DIR": folder.path])
    ) { error in
      let error = error as! DeviceError
      XCTAssertTrue(error.meansAbsent)
      XCTAssertTrue(error.description.contains("no NVIDIA driver"), error.description)
    }
    unsetenv("FAKE_CUDA_ERROR")
    XCTAssertThrowsError(
      try DeviceGEMM.run(request, device: 7, environment: ["SUANLI_CUDA_LIB_DIR": folder.path])
    ) { error in
      XCTAssertTrue((error as! DeviceError).description.contains("cuda:7 does not exist"))
    }
  }
}

/// The real cuBLAS and cuBLASLt (CUDA 13 wheel, 420 MB: `make test-cublas` fetches it into
/// .cache/ and sets SUANLI_TEST_CUBLAS_DIR) on this machine without a GPU: every entry point
/// resolves, and each plan gets as far as a library can without a device — for FP8 and INT8
/// every descriptor, layout and preference call succeeds with Suanli's values and sizes, and
/// the first failure is the handle's.
final class RealCuBLASTests: XCTestCase {
  func testTheRealCuBLASLoadsAndStopsOnlyForWantOfAGPU() throws {
    guard let folder = ProcessInfo.processInfo.environment["SUANLI_TEST_CUBLAS_DIR"],
      FileManager.default.fileExists(atPath: folder + "/libcublasLt.so.13")
    else {
      throw XCTSkip("the cuBLAS 13 wheel is not fetched (make test-cublas does it)")
    }
    let blas = try CUBLAS.load(major: 13, folder: folder, environment: [:])
    XCTAssertFalse(blas.isFake)
    XCTAssertTrue(blas.version.hasPrefix("13."), blas.version)
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
    defer { buffer.deallocate() }
    for precision in DeviceGEMMPrecision.allCases {
      XCTAssertThrowsError(
        try blas.plan(
          precision, m: 8192, n: 8192, k: 8192, a: buffer, b: buffer, c: buffer,
          workspace: buffer, workspaceBytes: 32 << 20), "\(precision)"
      ) { error in
        let call = precision.transposesA ? "cublasLtCreate" : "cublasCreate_v2"
        XCTAssertEqual(
          error as? DeviceError,
          .library(call: call, status: 1, name: "CUBLAS_STATUS_NOT_INITIALIZED"), "\(precision)")
      }
    }
  }
}
