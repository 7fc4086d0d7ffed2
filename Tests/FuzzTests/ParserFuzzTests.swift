import Foundation
import XCTest

@testable import Runner
@testable import Signing
@testable import Standard
@testable import Topology

/// Property tests of every parser on mutated valid inputs: bit flips, byte changes, truncation,
/// duplicated and deleted spans, huge numbers, deep nesting, invalid UTF-8. The property: no
/// crash and no hang — an error or a valid result, every time. Deterministic (seeded).
final class ParserFuzzTests: XCTestCase {
  /// Rounds per parser by default; the slow ones (forked hwloc checks, Yams' decoder) run fewer.
  static let perParser = 10_000
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()

  struct Generator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  /// One mutation of `input`.
  static func mutate(_ input: [UInt8], _ g: inout Generator) -> [UInt8] {
    var bytes = input
    guard !bytes.isEmpty else { return [UInt8(truncatingIfNeeded: g.next())] }
    switch g.next() % 9 {
    case 0:  // flip a bit
      let i = Int(g.next() % UInt64(bytes.count))
      bytes[i] ^= UInt8(1 << (g.next() % 8))
    case 1:  // random byte
      bytes[Int(g.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: g.next())
    case 2:  // truncate
      bytes = Array(bytes.prefix(Int(g.next() % UInt64(bytes.count))))
    case 3:  // delete a span
      let i = Int(g.next() % UInt64(bytes.count))
      bytes.removeSubrange(i..<min(bytes.count, i + Int(g.next() % 64)))
    case 4:  // duplicate a span
      let i = Int(g.next() % UInt64(bytes.count))
      let span = bytes[i..<min(bytes.count, i + Int(g.next() % 64))]
      bytes.insert(contentsOf: span, at: Int(g.next() % UInt64(bytes.count)))
    case 5:  // a huge number
      let huge = Array(
        [
          "1e999999", "-1e400", "123456789012345678901234567890", "0.0000000000000000000001e-400",
          "NaN",
        ][Int(g.next() % 5)].utf8)
      bytes.insert(contentsOf: huge, at: Int(g.next() % UInt64(bytes.count)))
    case 6:  // deep nesting
      let depth = 600 + Int(g.next() % 2000)
      let open: UInt8 = g.next() % 2 == 0 ? UInt8(ascii: "[") : UInt8(ascii: "{")
      bytes.insert(
        contentsOf: [UInt8](repeating: open, count: depth), at: Int(g.next() % UInt64(bytes.count)))
    case 7:  // invalid UTF-8
      bytes.insert(
        contentsOf: [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF8, 0x88]][Int(g.next() % 4)],
        at: Int(g.next() % UInt64(bytes.count)))
    default:  // several flips
      for _ in 0..<8 { bytes[Int(g.next() % UInt64(bytes.count))] ^= UInt8(1 << (g.next() % 8)) }
    }
    return bytes
  }

  /// Runs `parse` on `perParser` mutations; counts how many were accepted.
  func fuzz(
    _ name: String, seed: UInt64, count: Int = perParser, inputs: [[UInt8]],
    _ parse: ([UInt8]) -> Bool
  ) {
    var g = Generator(state: seed)
    var accepted = 0
    let start = Date()
    for i in 0..<count {
      var input = inputs[i % inputs.count]
      for _ in 0...(g.next() % 3) { input = Self.mutate(input, &g) }
      if parse(input) { accepted += 1 }
    }
    let seconds = Date().timeIntervalSince(start)
    print(
      "fuzz \(name): \(count) mutated inputs, \(accepted) accepted, \(count - accepted) rejected, \(String(format: "%.2f", seconds)) s"
    )
  }

  func file(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: Self.root.appendingPathComponent(path)))
  }

  /// A real example report made compact: the same structure and every field kind, without
  /// its 10 KB hwloc XML and with three results, so 10,000 rounds fit the time budget.
  func compactReport(_ path: String) throws -> [UInt8] {
    var object = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(try file(path))) as? [String: Any])
    if var nodes = object["nodes"] as? [[String: Any]] {
      for i in nodes.indices { nodes[i]["hwlocXML"] = "<topology/>" }
      object["nodes"] = nodes
    }
    if let results = object["results"] as? [Any] { object["results"] = Array(results.prefix(3)) }
    object.removeValue(forKey: "signature")
    return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
  }

  func testReportJSON() throws {
    let inputs = try [
      "results/examples/dev-vm-1core-quick.json", "results/examples/dev-vm-2core-interconnect.json",
    ].map(compactReport)
    fuzz(
      "report JSON (parser, canonical form, signature, Codable report, audit)", seed: 1,
      inputs: inputs
    ) { bytes in
      guard let node = try? JSONParser.parse(bytes) else { return false }
      _ = Canonicalizer.canonical(node)
      _ = ReportSigner.verify(node: node, trust: TrustStore(names: [:]))
      guard let report = try? ReportAudit.decode(bytes) else { return false }
      _ = ReportAudit.problems(report)
      return true
    }
  }

  func testSmallJSONDocuments() {
    let inputs = [
      #"{"a":[1,2.5e-3,true,null,"\u00e9\ud83d\ude00"],"b":{"c":-0}}"#, #"[{"k":"v"},[],{},"x"]"#,
    ].map { Array($0.utf8) }
    fuzz("JSON (RFC 8785)", seed: 2, inputs: inputs) { bytes in
      guard let node = try? JSONParser.parse(bytes) else { return false }
      let canonical = Canonicalizer.canonical(node)
      // Canonical output always parses, and canonicalising it again changes nothing.
      XCTAssertEqual((try? JSONParser.parse(canonical)).map(Canonicalizer.canonical), canonical)
      return true
    }
  }

  func testSuiteYAML() throws {
    let inputs = try ["suites/quick.yaml", "suites/node.yaml", "suites/interconnect.yaml"].map(file)
    let parser = SuiteParser()
    fuzz("suite YAML", seed: 3, inputs: inputs) { bytes in
      (try? parser.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml", sha256: ""))
        != nil
    }
  }

  func testStandardYAML() throws {
    let inputs = [try file("suites/standards/cses-1.yaml")]
    let known = Set(BenchmarkRegistry.standard.descriptors.flatMap(\.produces))
    // ~1.6 ms a round (Yams' decoder): 3,000 rounds.
    fuzz("standard YAML", seed: 4, count: 3_000, inputs: inputs) { bytes in
      (try? StandardParser.parse(
        String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml", sha256: "",
        knownBenchmarks: known)) != nil
    }
  }

  func testKeyFiles() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "suanli-fuzz-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let (privatePath, publicPath, _) = try KeyFiles.generate(folder: folder.path, name: "fuzz")
    let inputs = [privatePath, publicPath].map { Array(FileManager.default.contents(atPath: $0)!) }
    let target = folder.appendingPathComponent("mutated.pem").path
    fuzz("key files (PEM)", seed: 5, inputs: inputs) { bytes in
      FileManager.default.createFile(
        atPath: target, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
      let privateOK = (try? KeyFiles.loadPrivate(path: target)) != nil
      let publicOK = (try? KeyFiles.loadPublic(path: target)) != nil
      return privateOK || publicOK
    }
  }

  func testHwlocXML() throws {
    let inputs = try [
      "Tests/TopologyTests/Fixtures/zen4-vm-2core.xml",
      "Tests/TopologyTests/Fixtures/xeon-2s-gpu-ib.xml",
    ].map(file)
    let target = FileManager.default.temporaryDirectory.appendingPathComponent(
      "suanli-fuzz-\(UUID().uuidString).xml"
    ).path
    defer { try? FileManager.default.removeItem(atPath: target) }
    // hwloc's XML reader (C) crashes on some of these: each file goes through the forked
    // check first (HwlocTopology), so a crash is an error, not the end of the test.
    // Each check forks the test process (~30 ms here): 500 rounds keep `make test` fast.
    fuzz("hwloc XML (through hwloc)", seed: 6, count: 500, inputs: inputs) { bytes in
      FileManager.default.createFile(atPath: target, contents: Data(bytes))
      // SUANLI_FUZZ_KEEP=FILE keeps the input being tried: after a crash it holds the culprit.
      if let keep = ProcessInfo.processInfo.environment["SUANLI_FUZZ_KEEP"] {
        FileManager.default.createFile(atPath: keep, contents: Data(bytes))
      }
      guard let topology = try? HwlocTopology(.xmlFile(target)) else { return false }
      _ = topology.machine()
      return true
    }
  }
}
