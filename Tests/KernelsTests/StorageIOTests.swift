import Foundation
import XCTest

@testable import Kernels

/// The storage kernel on a temporary folder: what it writes it reads back byte for byte, a byte
/// flipped on disk between the write and the read is found with its offset, the files go.
final class StorageIOTests: XCTestCase {
  func folder() throws -> String {
    let path = NSTemporaryDirectory() + "suanli-io-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
  }

  func testPatternsDifferPerBlockAndCheckThemselves() {
    let a = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 4096)
    let b = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 4096)
    defer {
      a.deallocate()
      b.deallocate()
    }
    BlockPattern.fill(a, run: 7, stream: 0, block: 0)
    BlockPattern.fill(b, run: 7, stream: 0, block: 1)
    XCTAssertNotEqual(memcmp(a.baseAddress!, b.baseAddress!, 4096), 0)
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 4096)
    defer { scratch.deallocate() }
    XCTAssertNil(
      BlockPattern.firstMismatch(
        UnsafeRawBufferPointer(a), run: 7, stream: 0, block: 0, scratch: scratch))
    a[1000] ^= 0x10
    XCTAssertEqual(
      BlockPattern.firstMismatch(
        UnsafeRawBufferPointer(a), run: 7, stream: 0, block: 0, scratch: scratch), 1000)
    // Incompressible enough: no two 8-byte words of the payload repeat.
    let words = Set(UnsafeRawBufferPointer(b).bindMemory(to: UInt64.self).dropFirst(8))
    XCTAssertEqual(words.count, 4096 / 8 - 8)
  }

  func testWriteReadVerifyAndAFlippedByteOnDisk() throws {
    let folder = try self.folder()
    let io = SequentialIO(
      folder: folder, streams: 2, fileSize: 1 << 20, blockSize: 64 << 10, direct: false)
    XCTAssertGreaterThan(try io.write(), 0)
    XCTAssertGreaterThan(try io.read(), 0)
    XCTAssertEqual(try io.verify(), [])
    // One byte of stream 1's block 5 changed on disk between the write and the read.
    let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: folder + "/stream-1.dat"))
    let offset = UInt64(5 * (64 << 10) + 300)
    try handle.seek(toOffset: offset)
    let byte = try XCTUnwrap(handle.readData(ofLength: 1).first)
    try handle.seek(toOffset: offset)
    handle.write(Data([byte ^ 0xFF]))
    try handle.synchronize()
    try handle.close()
    XCTAssertEqual(
      try io.verify(),
      ["stream 1 block 5 (file offset \(offset)) differs from what was written"])
    io.removeFiles()
    XCTAssertFalse(FileManager.default.fileExists(atPath: folder))
  }

  /// O_DIRECT where the filesystem takes it; where it refuses, one line that says what to do.
  func testDirectIOOrOneClearLine() throws {
    let io = SequentialIO(
      folder: try folder(), streams: 1, fileSize: 1 << 20, blockSize: 1 << 20, direct: true)
    defer { io.removeFiles() }
    do {
      _ = try io.write()
      XCTAssertEqual(try io.verify(), [])
    } catch let error as StorageError {
      guard case .directRefused(let message) = error else { return XCTFail("\(error)") }
      XCTAssertTrue(message.contains("set direct: false"), message)
    }
  }

  func testSyncLatenciesAndTheFilesystemRecord() throws {
    let folder = try self.folder()
    let io = SequentialIO(folder: folder, streams: 1, fileSize: 20 * 4096, blockSize: 4096, direct: false)
    let latencies = try io.syncLatencies(count: 20, size: 4096)
    XCTAssertEqual(latencies.count, 20)
    XCTAssertTrue(latencies.allSatisfy { $0 > 0 })
    XCTAssertEqual(try io.verify(), [])
    io.removeFiles()
    let filesystem = try StorageProbe.filesystem(at: NSTemporaryDirectory())
    XCTAssertGreaterThan(filesystem.totalBytes, 0)
    XCTAssertFalse(filesystem.type.isEmpty)
    XCTAssertThrowsError(try StorageProbe.filesystem(at: "/nonexistent/suanli")) {
      XCTAssertTrue(String(describing: $0).contains("/nonexistent/suanli"))
    }
  }
}
