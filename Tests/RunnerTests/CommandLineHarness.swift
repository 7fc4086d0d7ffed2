import Foundation
import XCTest

/// Running the `suanli` binary as a user does, for the command-line test classes: SUANLI_BIN
/// (set by `make test`) or the binary SwiftPM built next to the tests; temporary folders; the
/// MPI launcher or a visible skip.
/// What a command printed and how it exited.
struct Outcome {
  var status: Int32
  var stdout: String
  var stderr: String
}

protocol CommandLineHarness: XCTestCase {}

extension CommandLineHarness {
  static var binary: String {
    if let path = ProcessInfo.processInfo.environment["SUANLI_BIN"] { return path }
    // On Linux the bundle URL is the products folder itself; on macOS, the .xctest inside it.
    let bundle = Bundle(for: CommandLineTests.self).bundleURL
    let candidates = [bundle, bundle.deletingLastPathComponent()].map {
      $0.appendingPathComponent("suanli").path
    }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
  }

  func suanli(_ arguments: String...) throws -> Outcome { try suanli(arguments) }

  func suanli(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
    try execute(Self.binary, arguments, environment: environment)
  }

  func execute(_ executable: String, _ arguments: [String], environment: [String: String] = [:])
    throws -> Outcome
  {
    guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
      // `make test` names the binary: then its absence is a failure, not a skip.
      if ProcessInfo.processInfo.environment["SUANLI_BIN"] != nil {
        XCTFail("SUANLI_BIN=\(Self.binary) is not an executable")
      }
      throw XCTSkip("suanli binary not built at \(Self.binary)")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = RunAndReportTests.root
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Outcome(
      status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
      stderr: String(decoding: stderr, as: UTF8.self))
  }

  func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "suanli-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
  }

  /// mpirun from PATH, or a visible skip where no MPI launcher is installed.
  func launcher() throws -> String {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for folder in path.split(separator: ":") {
      let candidate = "\(folder)/mpirun"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    throw XCTSkip("no MPI launcher (mpirun) on PATH: the multi-rank runs are not tested here")
  }

  /// mpirun, and a suanli built with the MPI trait, or a visible skip.
  func launcherForMPIBuild() throws -> String {
    let mpirun = try launcher()
    let list = try suanli("list", "--json")
    let catalog = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
    guard catalog["mpi"] as? Bool == true else {
      throw XCTSkip("this suanli was built without the MPI trait")
    }
    return mpirun
  }

  /// A folder with a signing key, test benchmarks switched on, and a suite of these entries.
  func keyedSuite(_ name: String, _ entries: [String]) throws -> (
    folder: URL, config: [String: String], suite: String
  ) {
    let folder = try temporaryFolder()
    let config = ["XDG_CONFIG_HOME": folder.path, "SUANLI_TEST_BENCHMARKS": "1"]
    XCTAssertEqual(try execute(Self.binary, ["keygen"], environment: config).status, 0)
    let suite = folder.appendingPathComponent("\(name).yaml")
    let yaml = ["name: \(name)", "benchmarks:"] + entries.map { "  - " + $0 }
    try Data(yaml.joined(separator: "\n").utf8).write(to: suite)
    return (folder, config, suite.path)
  }

  /// The report is partial, has these "id: status" results, and verifies.
  func assertSignedPartialReport(
    _ path: String, _ statuses: [String], config: [String: String],
    file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let json = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        as? [String: Any], file: file, line: line)
    XCTAssertEqual(json["complete"] as? Bool, false, file: file, line: line)
    XCTAssertEqual(
      (json["results"] as? [[String: Any]])?.map { "\($0["id"] ?? ""): \($0["status"] ?? "")" },
      statuses, file: file, line: line)
    let verify = try execute(Self.binary, ["verify", path], environment: config)
    XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr, file: file, line: line)
  }

}
