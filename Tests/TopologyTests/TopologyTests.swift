import Foundation
import XCTest

@testable import Topology

final class SyntheticTopologyTests: XCTestCase {
  func testTwoPackagesFourNUMANodesSixteenCoresThirtyTwoPUs() throws {
    let machine = try HwlocTopology(.synthetic("pack:2 numa:2 l3:1 core:4 pu:2")).machine()
    XCTAssertEqual(machine.packages, 2)
    XCTAssertEqual(machine.numaNodes, 4)
    XCTAssertEqual(machine.cores, 16)
    XCTAssertEqual(machine.pus, 32)
    let l3 = try XCTUnwrap(machine.caches.first { $0.level == 3 })
    XCTAssertEqual(l3.count, 4)
    XCTAssertEqual(l3.sharedByPUs, 8)
    XCTAssertEqual(machine.lastLevelCache?.level, 3)
  }

  func testCacheSizesAndSharingFromTheDescription() throws {
    let machine = try HwlocTopology(
      .synthetic("pack:1 l3:2(size=16777216) l2:4(size=1048576) l1d:1(size=32768) core:1 pu:2")
    ).machine()
    XCTAssertEqual(machine.cores, 8)
    let sizes = Dictionary(uniqueKeysWithValues: machine.caches.map { ($0.level, $0.sizeBytes) })
    XCTAssertEqual(sizes[3], 16 << 20)
    XCTAssertEqual(sizes[2], 1 << 20)
    XCTAssertEqual(sizes[1], 32 << 10)
    XCTAssertEqual(machine.caches.first { $0.level == 2 }?.sharedByPUs, 2)
    XCTAssertEqual(machine.caches.first { $0.level == 3 }?.count, 2)
  }

  func testSyntheticTopologyIsNotThisSystemAndHasNoCPUIdentity() throws {
    let topology = try HwlocTopology(.synthetic("pack:1 core:2 pu:1"))
    XCTAssertFalse(topology.isThisSystem)
    XCTAssertEqual(topology.machine().cpu.vendor, "unknown")
  }

  func testFoldedTreeHasOneLinePerDistinctChild() throws {
    let tree = try HwlocTopology(.synthetic("pack:2 core:4 pu:2")).machine().tree
    let packages = tree.children.filter { $0.label == "Package" }
    XCTAssertEqual(packages.count, 2)
    XCTAssertEqual(
      packages[0], packages[1], "identical packages compare equal, so the view folds them")
    XCTAssertEqual(packages[0].children.count, 4)
  }

  func testInvalidSyntheticDescriptionIsAnError() {
    XCTAssertThrowsError(try HwlocTopology(.synthetic("pack:two core:x"))) { error in
      XCTAssertEqual(error as? TopologyError, .invalidSynthetic(description: "pack:two core:x"))
      XCTAssertTrue(String(describing: error).contains("synthetic"))
    }
  }

  func testSourceArgumentParsing() {
    XCTAssertEqual(
      TopologySource(argument: "synthetic:\"pack:2 core:2\""), .synthetic("pack:2 core:2"))
    XCTAssertEqual(TopologySource(argument: "synthetic:pack:1"), .synthetic("pack:1"))
    XCTAssertEqual(TopologySource(argument: "x.xml"), .xmlFile("x.xml"))
    XCTAssertEqual(TopologySource(argument: "host"), .host)
  }
}

final class XMLTopologyTests: XCTestCase {
  func fixture(_ name: String) throws -> String {
    try XCTUnwrap(Bundle.module.path(forResource: "Fixtures/" + name, ofType: nil))
  }

  func testRecordedVMMatchesWhatLstopoShowed() throws {
    let machine = try HwlocTopology(.xmlFile(try fixture("zen4-vm-2core.xml"))).machine()
    XCTAssertEqual(machine.packages, 1)
    XCTAssertEqual(machine.numaNodes, 1)
    XCTAssertEqual(machine.cores, 2)
    XCTAssertEqual(machine.pus, 2)
    let caches = Dictionary(
      uniqueKeysWithValues: machine.caches.map { ("L\($0.level)\($0.kind.rawValue)", $0) })
    XCTAssertEqual(caches["L1data"]?.sizeBytes, 32 << 10)
    XCTAssertEqual(caches["L1instruction"]?.sizeBytes, 32 << 10)
    XCTAssertEqual(caches["L2unified"]?.sizeBytes, 1 << 20)
    XCTAssertEqual(caches["L3unified"]?.sizeBytes, 32 << 20)
    XCTAssertEqual(caches["L3unified"]?.sharedByPUs, 2)
    XCTAssertEqual(machine.cpu.vendor, "AuthenticAMD")
    XCTAssertEqual(machine.cpu.family, 25)
    XCTAssertEqual(machine.cpu.model, 17)
    XCTAssertEqual(machine.accelerators, [])
    XCTAssertEqual(machine.osDevices.filter(\.isNetwork).map(\.name), ["eth0"])
    XCTAssertNotNil(machine.infos["SuanliISA"])
  }

  func testGPUNodeAcceleratorsAndNetworks() throws {
    let machine = try HwlocTopology(.xmlFile(try fixture("xeon-2s-gpu-ib.xml"))).machine()
    XCTAssertEqual(machine.packages, 2)
    XCTAssertEqual(machine.cores, 16)
    XCTAssertEqual(machine.pus, 32)
    // The ASPEED BMC VGA is not an accelerator; the NVIDIA 3D controller and the Hygon DCU are.
    XCTAssertEqual(machine.accelerators.map(\.busID), ["0000:18:00.0", "0000:2a:00.0"])
    XCTAssertEqual(machine.accelerators.map(\.vendor), ["NVIDIA", "Hygon (DCU)"])
    let networks = machine.osDevices.filter(\.isNetwork)
    XCTAssertEqual(networks.map(\.name), ["mlx5_0", "ib0", "mlx5_1", "ens5f0"])
    XCTAssertEqual(networks.map(\.networkKind), ["InfiniBand", "IPoIB", "RoCE", "Ethernet"])
    XCTAssertEqual(networks.first?.pciBusID, "0000:3b:00.0")
  }

  func testMissingAndInvalidXMLAreErrors() throws {
    XCTAssertThrowsError(try HwlocTopology(.xmlFile("/nonexistent/suanli/t.xml"))) { error in
      XCTAssertEqual(error as? TopologyError, .xmlNotFound(path: "/nonexistent/suanli/t.xml"))
    }
    let bad = FileManager.default.temporaryDirectory.appendingPathComponent(
      "suanli-bad-\(getpid()).xml")
    try Data("<topology><object type=".utf8).write(to: bad)
    defer { try? FileManager.default.removeItem(at: bad) }
    XCTAssertThrowsError(try HwlocTopology(.xmlFile(bad.path))) { error in
      XCTAssertEqual(error as? TopologyError, .invalidXML(path: bad.path))
    }
  }

  func testExportReloadsToTheSameMachine() throws {
    let original = try HwlocTopology(.synthetic("pack:2 numa:2 l3:1 core:4 pu:2"))
    original.addRootInfo(name: "SuanliISA", value: "avx2 fma")
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "suanli-rt-\(getpid()).xml")
    try Data(original.xml().utf8).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let reloaded = try HwlocTopology(.xmlFile(file.path)).machine()
    let machine = original.machine()
    XCTAssertEqual(reloaded.cores, machine.cores)
    XCTAssertEqual(reloaded.pus, machine.pus)
    XCTAssertEqual(reloaded.numaNodes, machine.numaNodes)
    XCTAssertEqual(reloaded.caches, machine.caches)
    XCTAssertEqual(reloaded.infos["SuanliISA"], "avx2 fma")
  }
}

/// Regression: files that crash hwloc 2.9's XML reader (found by the fuzz tests) are refused
/// with one line, and the process survives.
final class HostileXMLTests: XCTestCase {
  func testAFileThatCrashesHwlocIsRefusedNotFatal() throws {
    // A bridge whose downstream type is not PCI: hwloc_obj_type_snprintf asserts (SIGABRT).
    let fixture = try XCTUnwrap(
      Bundle.module.path(forResource: "Fixtures/xeon-2s-gpu-ib.xml", ofType: nil))
    var text = try String(contentsOfFile: fixture, encoding: .utf8)
    text = text.replacingOccurrences(of: #"bridge_type="0-1""#, with: #"bridge_type="0-7""#)
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "suanli-hostile-\(getpid()).xml")
    try text.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    XCTAssertThrowsError(try HwlocTopology(.xmlFile(file.path))) { error in
      let message = String(describing: error)
      XCTAssertTrue(message.contains("hwloc's reader crashed with signal 6"), message)
    }
  }

  func fixture(_ name: String, replacing old: String, with new: String) throws -> URL {
    let path = try XCTUnwrap(Bundle.module.path(forResource: "Fixtures/\(name)", ofType: nil))
    let text = try String(contentsOfFile: path, encoding: .utf8)
    XCTAssertTrue(text.contains(old), "the fixture changed: \(old) is not in it")
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "suanli-hostile-\(UUID().uuidString).xml")
    try text.replacingOccurrences(of: old, with: new).write(
      to: file, atomically: true, encoding: .utf8)
    return file
  }

  /// A processing unit without its index: hwloc gives it index 2^32-1 and a 512 MB bitmap.
  /// Refused as implausible (found by the fuzz tests as a 0.25 s, 512 MB load).
  func testAProcessorWithoutAnIndexIsRefused() throws {
    let file = try fixture(
      "zen4-vm-2core.xml", replacing: #"type="PU" os_index="0""#, with: #"type="PU" ow_index="0""#)
    defer { try? FileManager.default.removeItem(at: file) }
    XCTAssertThrowsError(try HwlocTopology(.xmlFile(file.path))) { error in
      XCTAssertEqual(error as? TopologyError, .xmlImplausible(path: file.path))
    }
  }

  func testAnOversizedFileIsRefusedBeforeReading() throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "suanli-huge-\(UUID().uuidString).xml")
    XCTAssertTrue(FileManager.default.createFile(atPath: file.path, contents: Data()))
    defer { try? FileManager.default.removeItem(at: file) }
    let handle = try FileHandle(forWritingTo: file)
    try handle.truncate(atOffset: UInt64(HwlocTopology.maximumXMLBytes + 1))  // sparse
    try handle.close()
    XCTAssertThrowsError(try HwlocTopology(.xmlFile(file.path))) { error in
      XCTAssertEqual(
        error as? TopologyError,
        .xmlTooLarge(path: file.path, bytes: HwlocTopology.maximumXMLBytes + 1))
      XCTAssertTrue(String(describing: error).hasSuffix("must be under 64 MiB"), "\(error)")
    }
  }

  /// The checker process is replaced after a crash: valid files load between hostile ones.
  func testValidFilesLoadBetweenCrashingOnes() throws {
    let crashing = try fixture(
      "xeon-2s-gpu-ib.xml", replacing: #"bridge_type="0-1""#, with: #"bridge_type="0-7""#)
    defer { try? FileManager.default.removeItem(at: crashing) }
    let valid = try XCTUnwrap(
      Bundle.module.path(forResource: "Fixtures/zen4-vm-2core.xml", ofType: nil))
    for _ in 0..<3 {
      XCTAssertThrowsError(try HwlocTopology(.xmlFile(crashing.path)))
      XCTAssertEqual(try HwlocTopology(.xmlFile(valid)).machine().cores, 2)
    }
  }
}
