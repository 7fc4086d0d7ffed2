import Files
import Foundation
import XCTest

final class BoundedFileTests: XCTestCase {
  var folder: URL!

  override func setUpWithError() throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "suanli-bounded-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws { try FileManager.default.removeItem(at: folder) }

  func write(_ bytes: [UInt8], _ name: String = "f") throws -> String {
    let url = folder.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
  }

  func testReadsUpToAndIncludingTheLimit() throws {
    let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    let path = try write(bytes)
    XCTAssertEqual(try BoundedFile.read(path, limit: 1000), bytes)
    XCTAssertEqual(try BoundedFile.read(path, limit: 1 << 20), bytes)
    XCTAssertEqual(try BoundedFile.read(try write([], "empty"), limit: 0), [])
  }

  func testRefusesOneByteOverTheLimit() throws {
    let path = try write([UInt8](repeating: 7, count: 1025))
    XCTAssertThrowsError(try BoundedFile.read(path, limit: 1024)) { error in
      XCTAssertEqual(error as? FilesError, .tooLarge(limit: 1024))
      XCTAssertEqual(String(describing: error), "is larger than 1 KiB")
    }
  }

  func testMissingFilesFoldersAndFIFOsAreUnreadable() throws {
    XCTAssertThrowsError(try BoundedFile.read(folder.path + "/missing", limit: 10)) { error in
      XCTAssertEqual(String(describing: error), "cannot be read: No such file or directory")
    }
    XCTAssertThrowsError(try BoundedFile.read(folder.path, limit: 10)) { error in
      XCTAssertEqual(error as? FilesError, .unreadable(reason: "is a folder"))
    }
    // A FIFO with no writer would block a plain open and may never end: refused at once.
    let fifo = folder.appendingPathComponent("fifo").path
    XCTAssertEqual(mkfifo(fifo, 0o600), 0)
    XCTAssertThrowsError(try BoundedFile.read(fifo, limit: 10)) { error in
      XCTAssertEqual(error as? FilesError, .unreadable(reason: "not a regular file"))
    }
    XCTAssertThrowsError(try BoundedFile.read("/dev/zero", limit: 10))
  }

  func testSizesAreWrittenInTheLargestExactUnit() {
    XCTAssertEqual(BoundedFile.describe(bytes: 64 << 20), "64 MiB")
    XCTAssertEqual(BoundedFile.describe(bytes: 64 << 10), "64 KiB")
    XCTAssertEqual(BoundedFile.describe(bytes: 1500), "1500 bytes")
  }
}
