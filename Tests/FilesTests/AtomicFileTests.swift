import Files
import Foundation
import XCTest

final class AtomicFileTests: XCTestCase {
  var folder: URL!

  override func setUpWithError() throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "suanli-atomic-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws { try FileManager.default.removeItem(at: folder) }

  func contents() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
  }

  func testAnExistingFileIsNeverOverwritten() throws {
    let path = folder.appendingPathComponent("r.json").path
    try AtomicFile.write(Array("first".utf8), to: path, overwrite: false)
    XCTAssertThrowsError(try AtomicFile.write(Array("second".utf8), to: path, overwrite: false)) {
      XCTAssertEqual(
        $0 as? FilesError,
        FilesError.unwritable(path: path, reason: "already exists; not overwritten"))
    }
    XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "first")
    XCTAssertEqual(try contents(), ["r.json"], "no temporary file left behind")
  }

  func testOverwriteReplacesTheWholeFile() throws {
    let path = folder.appendingPathComponent("t.xml").path
    try AtomicFile.write([UInt8](repeating: 65, count: 100_000), to: path, overwrite: true)
    try AtomicFile.write(Array("short".utf8), to: path, overwrite: true)
    XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "short")
    XCTAssertEqual(try contents(), ["t.xml"])
  }

  func testModeIsExactlyWhatWasAskedWhateverTheUmask() throws {
    let path = folder.appendingPathComponent("private.pem").path
    let old = umask(0o077)
    defer { umask(old) }
    try AtomicFile.write(Array("k".utf8), to: path, overwrite: false, mode: 0o600)
    let wide = folder.appendingPathComponent("public.pem").path
    try AtomicFile.write(Array("p".utf8), to: wide, overwrite: false, mode: 0o644)
    let attributes = { (p: String) in
      (try FileManager.default.attributesOfItem(atPath: p)[.posixPermissions] as? Int)
    }
    XCTAssertEqual(try attributes(path), 0o600)
    XCTAssertEqual(try attributes(wide), 0o644)
  }

  func testAMissingFolderIsOneClearError() throws {
    let path = folder.appendingPathComponent("no/such/r.json").path
    XCTAssertThrowsError(try AtomicFile.write(Array("x".utf8), to: path, overwrite: false)) {
      XCTAssertEqual(String(describing: $0), "\(path): No such file or directory")
    }
    XCTAssertEqual(try contents(), [])
  }
}
