import Foundation
import XCTest

@testable import Kernels

/// Random IO and metadata kernels on a temporary folder: every read checked, a write pass
/// checked by reading the file back, a changed byte or a vanished file found and named.
final class StorageRandomAndMetadataTests: XCTestCase {
  func folder() throws -> String {
    let path = NSTemporaryDirectory() + "suanli-io-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
  }

  func flipByte(_ path: String, at offset: UInt64) throws {
    let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: path))
    try handle.seek(toOffset: offset)
    let byte = try XCTUnwrap(handle.readData(ofLength: 1).first)
    try handle.seek(toOffset: offset)
    handle.write(Data([byte ^ 0x01]))
    try handle.synchronize()
    try handle.close()
  }

  /// Buffered, depth 1 and 4 (threads): the write pass stamps the blocks it wrote with its own
  /// generation, the file read back agrees, the read passes check every block they read.
  func testRandomWriteThenReadAreCheckedBlockByBlock() throws {
    let io = RandomIO(folder: try folder(), fileSize: 64 * 4096, blockSize: 4096, direct: false)
    try io.fill()
    XCTAssertEqual(try io.verify(), [])
    let write = try io.pass(write: true, depth: 4, seconds: 30, limit: 40, pass: 1)
    XCTAssertEqual(write.operations, 40, "the limit, not the stonewall, ended it")
    XCTAssertEqual(write.latencies.count, 40)
    XCTAssertEqual(write.engine, "threads")
    XCTAssertEqual(try io.verify(), [])
    // A whole write pass: every block once (the random map), then no more.
    let all = try io.pass(write: true, depth: 1, seconds: 30, limit: Int.max, pass: 2)
    XCTAssertEqual(all.operations, 64)
    XCTAssertEqual(try io.verify(), [])
    let read = try io.pass(write: false, depth: 4, seconds: 0.1, limit: Int.max, pass: 3)
    XCTAssertGreaterThan(read.operations, 64, "reads go round the file until the stonewall")
    XCTAssertEqual(read.wrong, [])
    io.removeFiles()
    XCTAssertFalse(FileManager.default.fileExists(atPath: io.folder))
  }

  /// One bit changed on disk: every read pass that visits the block says which block and
  /// where; the read-back after writes finds it too.
  func testAChangedBitIsFoundByReadsAndByTheReadBack() throws {
    let io = RandomIO(folder: try folder(), fileSize: 16 * 4096, blockSize: 4096, direct: false)
    try io.fill()
    try flipByte(io.path, at: UInt64(9 * 4096 + 123))
    let read = try io.pass(write: false, depth: 2, seconds: 30, limit: 16, pass: 1)
    XCTAssertEqual(read.wrong, ["block 9 (file offset \(9 * 4096 + 123)) differs from what was written"])
    XCTAssertEqual(try io.verify(), ["block 9 (file offset \(9 * 4096 + 123)) differs from what was written"])
  }

  /// O_DIRECT at depth 8: kernel AIO where the kernel grants a context (threads, with the
  /// reason, where it does not); where the filesystem refuses O_DIRECT, one clear line.
  func testDirectDeepPassUsesKernelAIOOrSaysWhyNot() throws {
    let io = RandomIO(folder: try folder(), fileSize: 256 * 4096, blockSize: 4096, direct: true)
    do {
      try io.fill()
    } catch let error as StorageError {
      guard case .directRefused(let message) = error else { return XCTFail("\(error)") }
      return XCTAssertTrue(message.contains("set direct: false"), message)
    }
    let write = try io.pass(write: true, depth: 8, seconds: 30, limit: Int.max, pass: 1)
    XCTAssertEqual(write.operations, 256)
    XCTAssertTrue(
      write.engine == "kernel AIO" || write.engine.hasPrefix("threads (kernel AIO refused: "),
      write.engine)
    XCTAssertEqual(try io.verify(), [])
    let read = try io.pass(write: false, depth: 8, seconds: 30, limit: 1000, pass: 2)
    XCTAssertEqual(read.operations, 1000)
    XCTAssertEqual(read.wrong, [])
    try flipByte(io.path, at: UInt64(200 * 4096 + 4000))
    let again = try io.pass(write: false, depth: 8, seconds: 30, limit: 256, pass: 3)
    XCTAssertEqual(again.wrong, ["block 200 (file offset \(200 * 4096 + 4000)) differs from what was written"])
  }

  func testMetadataEasyAndHardPhasesAreCheckedAndLeaveNothing() throws {
    for shape in [MetadataIO.Shape.easy, .hard] {
      let folder = try self.folder() + "/run"
      XCTAssertEqual(mkdir(folder, 0o700), 0)
      let io = MetadataIO(folder: folder, streams: 3, files: 25, shape: shape)
      try io.prepare()
      let create = try io.create(seconds: 30)
      XCTAssertEqual(create.operations, 75)
      XCTAssertEqual(io.created, [25, 25, 25])
      let stat = try io.stat()
      XCTAssertEqual(stat.wrong, [], "\(shape)")
      if shape == .hard {
        XCTAssertEqual(try io.read().wrong, [])
        // Each hard file holds exactly 3901 bytes.
        let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/shared/f1.7")
        XCTAssertEqual(attributes[.size] as? Int, 3901)
      } else {
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder + "/d2").count, 25)
      }
      let delete = try io.delete()
      XCTAssertEqual(delete.operations, 75)
      XCTAssertEqual(delete.wrong, [], "\(shape)")
      XCTAssertGreaterThan(delete.rate, 0)
      io.removeAll()
      XCTAssertFalse(FileManager.default.fileExists(atPath: folder))
    }
  }

  /// A file changed behind the benchmark's back is named by the phase that sees it: a byte of
  /// a hard file by the reads, a vanished file by stat and by the listing before the deletes.
  func testMetadataFindsAChangedAndAVanishedFile() throws {
    let folder = try self.folder() + "/run"
    XCTAssertEqual(mkdir(folder, 0o700), 0)
    let io = MetadataIO(folder: folder, streams: 2, files: 10, shape: .hard)
    try io.prepare()
    _ = try io.create(seconds: 30)
    try flipByte(folder + "/shared/f0.3", at: 100)
    XCTAssertEqual(unlink(folder + "/shared/f1.4"), 0)
    let stat = try io.stat()
    XCTAssertEqual(stat.wrong.count, 1)
    XCTAssertTrue(stat.wrong[0].hasPrefix(folder + "/shared/f1.4: stat: "), stat.wrong[0])
    let read = try io.read()
    XCTAssertEqual(read.wrong.count, 2, "\(read.wrong)")
    XCTAssertTrue(read.wrong.contains { $0.hasPrefix(folder + "/shared/f0.3: read back 3901 bytes that differ") })
    let delete = try io.delete()
    XCTAssertTrue(delete.wrong.contains("\(folder)/shared lists 19 files, expected 20"), "\(delete.wrong)")
    io.removeAll()
  }

  /// The create phase stops at its stonewall; the later phases visit what was created.
  func testTheStonewallStopsCreatesAndTheRestFollows() throws {
    let folder = try self.folder() + "/run"
    XCTAssertEqual(mkdir(folder, 0o700), 0)
    let io = MetadataIO(folder: folder, streams: 1, files: 10_000_000, shape: .easy)
    try io.prepare()
    let create = try io.create(seconds: 0.05)
    XCTAssertGreaterThan(create.operations, 0)
    XCTAssertLessThan(create.operations, 10_000_000)
    XCTAssertEqual(try io.stat().operations, create.operations)
    XCTAssertEqual(try io.delete().wrong, [])
    io.removeAll()
  }
}
