import Foundation
import XCTest

/// A GPU suite through the `suanli` binary without a GPU: on Suanli's fake CUDA libraries
/// (Tests/DevicesTests/Fixtures, built here) every precision runs, is checked and labelled
/// FAKE, and a planted wrong element fails every check; on the real CUDA runtime from PyPI
/// (no driver on this machine) each GPU entry is skipped with the reason, never failed.
final class GPUSuiteTests: XCTestCase, CommandLineHarness {
  static let precisions = ["fp64", "fp32", "tf32", "fp16", "bf16", "fp8", "int8"]

  func fakeLibraries() throws -> URL {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("DevicesTests/Fixtures")
    let folder = try temporaryFolder()
    for (source, library) in [
      ("fake_cudart.c", "libcudart.so.12"), ("fake_cublas.c", "libcublas.so.12"),
      ("fake_cublas.c", "libcublasLt.so.12"), ("fake_nvml.c", "libnvidia-ml.so.1"),
    ] {
      let built = try execute(
        "/usr/bin/env",
        [
          "cc", "-shared", "-fPIC", "-O1", "-o", folder.appendingPathComponent(library).path,
          fixtures.appendingPathComponent(source).path, "-lm",
        ])
      guard built.status == 0 else { throw XCTSkip("no C compiler: \(built.stderr)") }
    }
    return folder
  }

  func suite(in folder: URL) throws -> String {
    var lines = ["name: gpu-test", "benchmarks:"]
    for precision in Self.precisions {
      // m, n, k differ and are multiples of 16 (FP8's alignment rule).
      lines.append(
        "  - { id: gemm.\(precision), device: cuda:0, repeats: 2, parameters: { m: 48, n: 32, k: 64, warmupSeconds: 0.01, sampleSeconds: 0.02 } }"
      )
    }
    lines.append(
      "  - { id: gemm.fp16, device: \"cuda:*\", repeats: 2, parameters: { n: 32, warmupSeconds: 0.01, sampleSeconds: 0.02 } }"
    )
    lines.append("  - { id: gemm.tf32, parameters: { n: 32 } }")
    let path = folder.appendingPathComponent("gpu.yaml").path
    try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  func report(_ path: String) throws -> [String: Any] {
    try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        as? [String: Any])
  }

  func testEveryPrecisionOnFakeLibrariesIsCheckedAndLabelled() throws {
    let libraries = try fakeLibraries()
    let folder = try temporaryFolder()
    let suite = try suite(in: folder)
    var environment = [
      "SUANLI_CUDA_LIB_DIR": libraries.path, "XDG_CONFIG_HOME": folder.path,
      "FAKE_CUDA_DEVICES": "2",
    ]
    let output = folder.appendingPathComponent("r.json").path
    let run = try suanli(["run", suite, "--output", output], environment: environment)
    XCTAssertEqual(run.status, 0, run.stderr)
    let document = try report(output)
    XCTAssertEqual(document["complete"] as? Bool, true, "GPU precisions unsupported on a CPU are the node's answer")
    let results = try XCTUnwrap(document["results"] as? [[String: Any]])
    let onDevices = results.filter { $0["device"] != nil }
    XCTAssertEqual(onDevices.count, Self.precisions.count + 2, "cuda:* gives one result per device")
    for result in onDevices {
      let id = result["id"] as? String ?? "?"
      XCTAssertEqual(result["status"] as? String, "ok", "\(id): \(result["notes"] ?? "")")
      let device = try XCTUnwrap(result["device"] as? [String: Any])
      XCTAssertEqual(device["fake"] as? Bool, true)
      let metrics = try XCTUnwrap(result["metrics"] as? [[String: Any]]).compactMap {
        $0["name"] as? String
      }
      XCTAssertTrue(metrics.contains("rate"), "\(id) \(metrics)")
      XCTAssertTrue(metrics.contains("averagePower(gpu-board)"), "\(id) \(metrics)")
      XCTAssertTrue(metrics.contains("efficiency"), "\(id) \(metrics)")
      let notes = (result["notes"] as? [String] ?? []).joined(separator: " ")
      XCTAssertTrue(notes.contains("FAKE"), notes)
    }
    let everyGPU = onDevices.filter {
      $0["id"] as? String == "gemm.fp16" && (($0["parameters"] as? [String: Any])?["m"] as? Int) == 32
    }
    XCTAssertEqual(
      everyGPU.compactMap { ($0["device"] as? [String: Any])?["id"] as? String }, ["cuda:0", "cuda:1"])
    for result in everyGPU {
      let notes = (result["notes"] as? [String] ?? []).joined(separator: " ")
      XCTAssertTrue(notes.contains("ran on all 2 GPUs at once"), notes)
    }
    let cpuTF32 = try XCTUnwrap(results.last)
    XCTAssertEqual(cpuTF32["status"] as? String, "skipped")
    XCTAssertTrue(
      (cpuTF32["notes"] as? [String])?.first?.hasPrefix("unsupported on the CPU") ?? false)
    let nodes = try XCTUnwrap(document["nodes"] as? [[String: Any]])
    let accelerators = try XCTUnwrap(nodes[0]["accelerators"] as? [[String: Any]])
    XCTAssertEqual(accelerators.count, 2)
    let verify = try suanli(["verify", output], environment: environment)
    XCTAssertTrue(verify.stdout.contains("on FAKE devices"), verify.stdout + verify.stderr)

    // A wrong element planted by the fake cuBLAS fails every precision's check.
    environment["FAKE_CUBLAS_WRONG"] = "1"
    let wrongOutput = folder.appendingPathComponent("wrong.json").path
    _ = try suanli(["run", suite, "--output", wrongOutput], environment: environment)
    for result in try XCTUnwrap(try report(wrongOutput)["results"] as? [[String: Any]])
    where result["device"] != nil {
      XCTAssertEqual(result["status"] as? String, "invalid", "\(result["id"] ?? "")")
      let validation = try XCTUnwrap(result["validation"] as? [String: Any])
      XCTAssertTrue((validation["detail"] as? String)?.hasPrefix("row 2 of C differs") ?? false)
    }
  }

  /// The real libcudart.so.12 (PyPI, cached by `make test`) on this driverless machine.
  func testWithoutADriverGPUEntriesAreSkippedWithTheReason() throws {
    guard let runtime = ProcessInfo.processInfo.environment["SUANLI_TEST_CUDART_DIR"],
      FileManager.default.fileExists(atPath: runtime + "/libcudart.so.12")
    else {
      throw XCTSkip("the CUDA runtime wheel is not cached (make test fetches it into .cache/cuda-runtime)")
    }
    let folder = try temporaryFolder()
    let suite = try suite(in: folder)
    let output = folder.appendingPathComponent("r.json").path
    let run = try suanli(
      ["run", suite, "--output", output],
      environment: ["SUANLI_CUDA_LIB_DIR": runtime, "XDG_CONFIG_HOME": folder.path])
    XCTAssertEqual(run.status, 0, run.stderr)
    let document = try report(output)
    XCTAssertEqual(document["complete"] as? Bool, true)
    let results = try XCTUnwrap(document["results"] as? [[String: Any]])
    XCTAssertEqual(results.count, Self.precisions.count + 2)
    for result in results.dropLast() {
      XCTAssertEqual(result["status"] as? String, "skipped", "\(result["id"] ?? "")")
      let reason = (result["notes"] as? [String])?.first ?? ""
      XCTAssertTrue(reason.contains("(35)") && reason.contains("no NVIDIA driver"), reason)
    }
    let nodes = try XCTUnwrap(document["nodes"] as? [[String: Any]])
    let backends = try XCTUnwrap(nodes[0]["acceleratorBackends"] as? [[String: Any]])
    XCTAssertEqual(backends.first?["present"] as? Bool, false)
    // `suanli devices` with each real runtime (CUDA 12 and, when cached, 13): absent, no driver.
    var folders = [runtime]
    if let runtime13 = ProcessInfo.processInfo.environment["SUANLI_TEST_CUDART13_DIR"],
      FileManager.default.fileExists(atPath: runtime13 + "/libcudart.so.13")
    {
      folders.append(runtime13)
    }
    for folder in folders {
      let devices = try suanli(["devices"], environment: ["SUANLI_CUDA_LIB_DIR": folder])
      XCTAssertEqual(devices.status, 0, devices.stderr)
      XCTAssertTrue(devices.stdout.contains("cuda: cudaGetDeviceCount: cudaErrorInsufficientDriver (35)"), devices.stdout)
      XCTAssertTrue(devices.stdout.contains("no NVIDIA driver"), devices.stdout)
      XCTAssertTrue(devices.stdout.contains("No accelerator found"), devices.stdout)
    }
  }
}
