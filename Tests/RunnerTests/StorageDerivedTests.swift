import Benchmarks
import Communication
import Foundation
import Measurement
import ReportFormat
import XCTest

/// What storage derives from a run's other results: reads faster than memory could serve
/// them are flagged as probably cached, per node; the IO500-like figure needs every part.
final class StorageDerivedTests: XCTestCase {
  func result(_ id: String, _ metrics: [(String, Double)], node: Int? = nil) -> BenchmarkResult {
    var result = BenchmarkResult(
      id: id, status: .ok, parameters: [:], samples: [1], sampleUnit: .seconds, warmupSamples: [],
      metrics: metrics.map {
        Metric(
          name: $0.0, value: $0.1, unit: $0.0 == "bandwidth" ? .bytesPerSecond : .operationsPerSecond,
          polarity: .higherIsBetter)
      },
      validation: Validation(check: "c", passed: true, value: nil, bound: nil, detail: ""))
    result.node = node
    return result
  }

  func testReadsFasterThanHalfOfTheSameNodesStreamCopyAreFlagged() {
    var results = [
      result("stream.copy", [("bandwidth", 20e9)], node: 0),
      result("stream.copy", [("bandwidth", 40e9)], node: 1),
      result("io.seq.read", [("bandwidth", 12e9)], node: 0),  // > 10 GB/s: flagged
      result("io.seq.read", [("bandwidth", 12e9)], node: 1),  // < 20 GB/s: not
      result("io.rand.read", [("bandwidth", 1e9)], node: 0),
      result("io.seq.write", [("bandwidth", 30e9)], node: 0),  // writes are not reads
    ]
    DerivedFigures.add(to: &results)
    XCTAssertEqual(results[2].notes.count, 1)
    XCTAssertTrue(results[2].notes[0].hasPrefix("probably cached: 12"), results[2].notes[0])
    XCTAssertEqual(results[3].notes, [])
    XCTAssertEqual(results[4].notes, [])
    XCTAssertEqual(results[5].notes, [])
    // Without STREAM in the run there is nothing to compare with.
    var alone = [result("io.seq.read", [("bandwidth", 1e12)])]
    DerivedFigures.add(to: &alone)
    XCTAssertEqual(alone[0].notes, [])
  }

  func testTheCombinedFigureNeedsEveryValidPart() throws {
    let gib = 1_073_741_824.0
    var parts = [
      result("io.seq.write", [("bandwidth", 1 * gib)]),
      result("io.seq.read", [("bandwidth", 4 * gib)]),
      result("io.rand.write", [("bandwidth", 0.25 * gib)]),
      result("io.rand.read", [("bandwidth", 1 * gib)]),
      result("io.md.easy", [("rate", 1), ("createRate", 10_000), ("statRate", 100_000), ("deleteRate", 10_000)]),
      result("io.md.hard", [("rate", 1), ("createRate", 1_000), ("statRate", 100_000), ("readRate", 10_000), ("deleteRate", 1_000)]),
    ]
    let combined = try XCTUnwrap(StorageBenchmarks.combined(parts))
    // Bandwidths: (1·4·0.25·1)^(1/4) = 1 GiB/s; rates in kIOPS: (10·100·10·1·100·10·1)^(1/7) = 10.
    let expected = (1 * 10.0).squareRoot()
    XCTAssertEqual(combined.metric("score")!.value, expected, accuracy: 1e-12)
    XCTAssertEqual(combined.metric("bandwidth")!.value, gib, accuracy: 1e-3)
    parts[1].status = .invalid
    parts[1].valid = false
    XCTAssertNil(StorageBenchmarks.combined(parts), "an invalid part: no figure")
    XCTAssertNil(StorageBenchmarks.combined(Array(parts.dropLast())), "a missing part: no figure")
  }
}

/// `scope: job` on threads as node leaders (InProcessWorld): every node writes into one folder
/// at once and reads back the next node's files; a node that cannot see the folder is named,
/// and no node is left waiting.
final class SharedStorageTests: XCTestCase {
  func values(_ id: String, path: String) throws -> ParameterValues {
    var values = try XCTUnwrap(BenchmarkRegistry.standard.descriptor(id)).defaults
    values["path"] = .string(path)
    values["fileSize"] = .int(1 << 20)
    values["blockSize"] = .int(64 << 10)
    values["streams"] = .int(2)
    values["direct"] = .bool(false)
    values["repeats"] = .int(2)
    values["scope"] = .string("job")
    return values
  }

  func scratch() throws -> String {
    let path = NSTemporaryDirectory() + "suanli-shared-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
  }

  func testThreeNodesWriteAndReadEachOthersFiles() throws {
    let path = try scratch()
    for id in ["io.seq.write", "io.seq.read"] {
      let values = try values(id, path: path)
      let results = try InProcessWorld.run(ranks: 3) { leaders in
        try StorageBenchmarks.shared(
          id: id, write: id == "io.seq.write", leaders: leaders, values: values, progress: { _ in })
      }
      XCTAssertEqual(results.count, 3)
      XCTAssertNil(results[1])
      XCTAssertNil(results[2])
      let result = try XCTUnwrap(results[0])
      XCTAssertEqual(result.status, .ok, "\(id): \(result.notes)")
      XCTAssertEqual(result.parameters["nodes"], .int(3))
      XCTAssertEqual(result.samples.count, 2)
      let bytes = Double(3 * 2 * (1 << 20))
      XCTAssertEqual(result.metric("bandwidth")!.value, bytes / result.samples.min()!, accuracy: 1e-3)
      XCTAssertTrue(result.validation!.detail.contains("by another node than the one that wrote it"))
      XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path), [], id)
    }
  }

  func testANodeThatDoesNotSeeTheFolderIsNamedAndNobodyWaits() throws {
    let (one, other) = (try scratch(), try scratch())
    let first = try values("io.seq.write", path: one)
    let second = try values("io.seq.write", path: other)
    XCTAssertThrowsError(
      try InProcessWorld.run(ranks: 2, timeoutSeconds: 20) { leaders in
        // Node 1's "shared" path is another folder: it cannot see what node 0 made.
        try StorageBenchmarks.shared(
          id: "io.seq.write", write: true, leaders: leaders,
          values: leaders.rank == 0 ? first : second, progress: { _ in })
      }
    ) { error in
      XCTAssertTrue(String(describing: error).contains("node 1 does not see"), "\(error)")
    }
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: one), [])
  }
}
