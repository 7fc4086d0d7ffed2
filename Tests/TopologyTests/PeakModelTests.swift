import XCTest

@testable import Topology

final class ISAFeaturesTests: XCTestCase {
  func testParsesX86FlagsAndArmFeatures() {
    let x86 = ISAFeatures.parse(
      cpuinfo:
        "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 avx avx2 fma f16c\nbugs\t\t: x\n"
    )
    XCTAssertEqual(x86.relevantFlags, ["sse2", "avx", "avx2", "fma", "f16c"])
    XCTAssertEqual(x86.vectorBits, 256)
    let arm = ISAFeatures.parse(cpuinfo: "processor\t: 0\nFeatures\t: fp asimd asimdhp bf16 sve\n")
    XCTAssertEqual(arm.relevantFlags, ["asimd", "asimdhp", "bf16", "sve"])
    XCTAssertEqual(arm.vectorBits, 128)
    XCTAssertEqual(ISAFeatures.parse(cpuinfo: "").flags, [])
  }
}

final class PeakModelTests: XCTestCase {
  let avx2: ISAFeatures = ISAFeatures(flags: ["sse2", "avx", "avx2", "fma", "f16c"])
  let zen4: ISAFeatures = ISAFeatures(flags: [
    "sse2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512_bf16",
  ])

  func cpu(_ vendor: String, _ family: Int, _ model: Int) -> CPUIdentity {
    CPUIdentity(vendor: vendor, family: family, model: model, modelName: "", architecture: "x86_64")
  }

  /// Zen 3 (the notes' machine): 2 x 256-bit FMA = 16 FP64 flop/cycle; 2 cores at 3.2 GHz give
  /// 102.4 GFLOPS, the measured 102 GFLOPS of ../shared/notes/anchors-measured.md.
  func testZen3MatchesTheMeasuredPeakOfTheNotes() {
    let model = PeakModel.forCPU(cpu("AuthenticAMD", 0x19, 0x01), isa: avx2)
    let peaks = model.peaks(isa: avx2, cores: 2, clockHertz: 3.2e9)
    XCTAssertEqual(peaks.map(\.precision), ["fp64", "fp32", "fp16", "bf16"])
    XCTAssertEqual(peaks[0].flopsPerSecond, 102.4e9, accuracy: 1)
    XCTAssertEqual(peaks[1].flopsPerSecond, 204.8e9, accuracy: 1)
    XCTAssertEqual(peaks[2].execution, "emulated")
    XCTAssertEqual(peaks[2].flopsPerSecond, peaks[1].flopsPerSecond)
    XCTAssertEqual(peaks[3].execution, "emulated")
  }

  /// Zen 4 runs AVX-512 on 256-bit halves: AVX-512 doubles nothing; its BF16 dot product does.
  func testZen4DoesNotDoubleFP64ForAVX512() {
    let model = PeakModel.forCPU(cpu("AuthenticAMD", 0x19, 0x11), isa: zen4)
    XCTAssertEqual(model.flopsPerCycle(bits: 64), 16)
    let peaks = model.peaks(isa: zen4, cores: 1, clockHertz: 1e9)
    XCTAssertEqual(peaks[3].flopsPerCyclePerCore, 64)
    XCTAssertEqual(peaks[3].execution, "native")
  }

  func testTableEntries() {
    XCTAssertEqual(
      PeakModel.forCPU(cpu("AuthenticAMD", 0x17, 0x01), isa: avx2).flopsPerCycle(bits: 64), 8)
    XCTAssertEqual(
      PeakModel.forCPU(cpu("AuthenticAMD", 0x17, 0x31), isa: avx2).flopsPerCycle(bits: 64), 16)
    XCTAssertEqual(
      PeakModel.forCPU(cpu("HygonGenuine", 0x18, 0x01), isa: avx2).flopsPerCycle(bits: 64), 8)
    XCTAssertEqual(
      PeakModel.forCPU(cpu("GenuineIntel", 6, 0x55), isa: zen4).flopsPerCycle(bits: 64), 32)
    XCTAssertEqual(
      PeakModel.forCPU(cpu("GenuineIntel", 6, 0x3c), isa: avx2).flopsPerCycle(bits: 32), 32)
    let unknown = PeakModel.forCPU(cpu("Unknown", 1, 1), isa: avx2)
    XCTAssertTrue(unknown.basis.hasPrefix("assumed"))
  }

  func testFormulaStatesItsInputs() {
    let peaks = PeakModel.forCPU(cpu("AuthenticAMD", 0x19, 0x01), isa: avx2)
      .peaks(isa: avx2, cores: 2, clockHertz: 3.2e9)
    XCTAssertTrue(peaks[0].formula.hasPrefix("2 cores x 16 flop/cycle x 3.2 GHz"), peaks[0].formula)
    XCTAssertEqual(peaks[0].cores, 2)
    XCTAssertEqual(peaks[0].clockHertz, 3.2e9)
  }
}

final class PCIDeviceTests: XCTestCase {
  func device(_ vendor: UInt16, _ classID: UInt16) -> PCIDevice {
    PCIDevice(
      busID: "0000:00:00.0", vendorID: vendor, deviceID: 1, classID: classID, vendorName: nil,
      deviceName: nil)
  }

  func testAcceleratorRecognition() {
    XCTAssertTrue(device(0x10de, 0x0302).isAccelerator)  // NVIDIA 3D controller
    XCTAssertTrue(device(0x1002, 0x0380).isAccelerator)  // AMD Instinct (display class)
    XCTAssertTrue(device(0x1d94, 0x1200).isAccelerator)  // Hygon DCU
    XCTAssertTrue(device(0x19e5, 0x1200).isAccelerator)  // Huawei Ascend
    XCTAssertTrue(device(0x1234, 0x1200).isAccelerator)  // any processing accelerator
    XCTAssertFalse(device(0x1a03, 0x0300).isAccelerator)  // ASPEED BMC VGA
    XCTAssertFalse(device(0x19e5, 0x0200).isAccelerator)  // Huawei NIC
    XCTAssertFalse(device(0x15b3, 0x0207).isAccelerator)  // Mellanox HCA
    XCTAssertTrue(device(0x15b3, 0x0207).isNetworkController)
  }
}
