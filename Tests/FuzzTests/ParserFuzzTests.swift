import Foundation
import XCTest

@testable import Benchmarks
@testable import Import
@testable import Reports
@testable import Runner
@testable import Signing
@testable import Standard
@testable import Topology

/// Property tests of every parser on mutated valid inputs: bit flips, byte changes, truncation,
/// duplicated and deleted spans, huge numbers, deep nesting, invalid UTF-8. The property: no
/// crash and no hang — an error or a valid result, every time. Deterministic (seeded).
final class ParserFuzzTests: XCTestCase {
  /// Rounds per parser.
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

  /// What "deep nesting" repeats, per format.
  static let jsonNesting = ["[", "{"].map { Array($0.utf8) }
  static let yamlNesting = ["[", "{", "- ", "a:\n "].map { Array($0.utf8) }
  static let xmlNesting = [#"<object type="Group" cpuset="0x1">"#, "<topology>"].map {
    Array($0.utf8)
  }

  /// One mutation of `input`.
  static func mutate(_ input: [UInt8], nesting: [[UInt8]], _ g: inout Generator) -> [UInt8] {
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
      let open = nesting[Int(g.next() % UInt64(nesting.count))]
      let nested = [UInt8](unsafeUninitializedCapacity: open.count * depth) { buffer, count in
        open.withUnsafeBufferPointer { token in
          for level in 0..<depth {
            (buffer.baseAddress! + level * token.count).initialize(
              from: token.baseAddress!, count: token.count)
          }
        }
        count = open.count * depth
      }
      bytes.insert(contentsOf: nested, at: Int(g.next() % UInt64(bytes.count)))
    case 7:  // invalid UTF-8
      bytes.insert(
        contentsOf: [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF8, 0x88]][Int(g.next() % 4)],
        at: Int(g.next() % UInt64(bytes.count)))
    default:  // several flips
      for _ in 0..<8 { bytes[Int(g.next() % UInt64(bytes.count))] ^= UInt8(1 << (g.next() % 8)) }
    }
    return bytes
  }

  /// The input being parsed, for the hang detector.
  final class Current: @unchecked Sendable {
    private let lock = NSLock()
    private var round = 0
    private var bytes: [UInt8] = []
    private var seen = -1
    func set(_ round: Int, _ bytes: [UInt8]) {
      lock.withLock {
        self.round = round
        self.bytes = bytes
      }
    }
    /// The input, when it is the same one as at the previous call.
    func stuck() -> (Int, [UInt8])? {
      lock.withLock {
        defer { seen = round }
        return round == seen ? (round, bytes) : nil
      }
    }
  }

  /// An input that takes longer than this is a hang: the test process saves it and exits
  /// (a hung parser cannot be stopped from its own thread, and CI must not wait for it).
  static let hangSeconds = 20

  /// Runs `parse` on `perParser` mutations; counts how many were accepted.
  func fuzz(
    _ name: String, seed: UInt64, count: Int = perParser, inputs: [[UInt8]],
    nesting: [[UInt8]] = jsonNesting, _ parse: ([UInt8]) -> Bool
  ) {
    var g = Generator(state: seed)
    var accepted = 0
    var slowest = 0.0
    let start = Date()
    let current = Current()
    let watchdog = DispatchSource.makeTimerSource(queue: .global())
    watchdog.schedule(
      deadline: .now() + .seconds(Self.hangSeconds), repeating: .seconds(Self.hangSeconds))
    watchdog.setEventHandler {
      guard let (round, bytes) = current.stuck() else { return }
      let path = FileManager.default.temporaryDirectory.appendingPathComponent(
        "suanli-fuzz-hang-\(seed)-\(round)"
      ).path
      _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
      print("fuzz \(name): input \(round) hangs (over \(Self.hangSeconds) s): saved to \(path)")
      exit(1)
    }
    watchdog.resume()
    defer { watchdog.cancel() }
    for i in 0..<count {
      var input = inputs[i % inputs.count]
      for _ in 0...(g.next() % 3) { input = Self.mutate(input, nesting: nesting, &g) }
      current.set(i, input)
      let before = Date()
      if parse(input) { accepted += 1 }
      slowest = max(slowest, Date().timeIntervalSince(before))
    }
    let seconds = Date().timeIntervalSince(start)
    print(
      "fuzz \(name): \(count) mutated inputs, \(accepted) accepted, \(count - accepted) rejected, \(String(format: "%.2f", seconds)) s (slowest input \(String(format: "%.1f", slowest * 1000)) ms)"
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

  /// `suanli import`'s parsers on every fixture log (each as `auto` would pick it): 1,500 rounds
  /// a log, the logs being larger than the other inputs (ImportTests adds 2,000 mutations
  /// through the whole importer).
  func testImportedLogs() throws {
    let folder = "Tests/ImportTests/Fixtures/"
    let names = try FileManager.default.contentsOfDirectory(
      atPath: Self.root.appendingPathComponent(folder).path
    ).filter { !$0.hasSuffix(".md") }.sorted()
    XCTAssertGreaterThanOrEqual(names.count, 10)
    for (index, name) in names.enumerated() {
      let input = try file(folder + name)
      fuzz("import \(name)", seed: 40 + UInt64(index), count: 1_500, inputs: [input]) { bytes in
        guard let log = try? LogText(bytes: bytes, file: name), let format = LogFormats.detect(log)
        else { return false }
        return (try? format.parse(log)) != nil
      }
    }
  }

  func testSuiteYAML() throws {
    let inputs = try ["suites/quick.yaml", "suites/node.yaml", "suites/interconnect.yaml"].map(file)
    let parser = SuiteParser()
    fuzz("suite YAML", seed: 3, inputs: inputs, nesting: Self.yamlNesting) { bytes in
      (try? parser.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml", sha256: ""))
        != nil
    }
  }

  /// Compact standards with every field kind (block and flow style, CJK names, a derived
  /// metric, a sized metric, two tiers, two profiles): Yams parses the 6 KB cses-1.yaml in ~2 ms
  /// in a debug build, these in ~0.3 ms, so 10,000 rounds fit the budget.
  static let compactStandards = [
    """
    id: tiny
    version: 1.2.0
    name: 小标准 tiny
    cap: 120
    strongScore: 60
    defaultProfile: p
    tiers:
      - { name: node, hplBelow: 1.0e14 }
      - { name: big }
    dimensions:
      - id: hpc
        name: 超算 HPC
        meaning: fp64
        metrics:
          - { benchmark: hpl.fp64, metric: rate, polarity: higherIsBetter, weight: 0.5, reference: { node: 1.0e12, big: 1.0e15 }, source: s }
          - { benchmark: derived, metric: precisionBalance, polarity: lowerIsBetter, weight: 0.5, reference: { node: 2, big: 2 }, source: "t" }
      - id: network
        name: 运力
        meaning: latency
        metrics:
          - { benchmark: mpi.pingpong, metric: latency, size: 8, polarity: lowerIsBetter, weight: 1.0, reference: { node: 2.0e-6, big: 2.0e-6 }, source: s }
    profiles:
      p: { hpc: 0.5, network: 0.5 }
      q: { hpc: 1.0 }
    grades:
      - { minimum: 90, grade: A }
      - { minimum: 0, grade: E }
    """,
    """
    id: block
    version: "1.0"
    name: block style
    cap: 150
    strongScore: 50
    defaultProfile: only
    tiers:
      - name: node
    dimensions:
      - id: ai
        name: 智算
        meaning: >
          FP16 capability
        metrics:
          - benchmark: gemm.fp16
            metric: rate
            polarity: higherIsBetter
            weight: 1
            reference:
              node: 4.0e12
            source: |
              a reference
    profiles:
      only:
        ai: 1
    grades:
      - minimum: 0
        grade: B
    """,
  ].map { Array($0.utf8) }

  func testStandardYAML() throws {
    let known = Set(BenchmarkRegistry.standard.descriptors.flatMap(\.produces))
    func parses(_ bytes: [UInt8]) -> Bool {
      (try? StandardParser.parse(
        String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml", sha256: "",
        knownBenchmarks: known)) != nil
    }
    for seed in Self.compactStandards { XCTAssertTrue(parses(seed), "a seed must be valid") }
    fuzz(
      "standard YAML (compact)", seed: 4, inputs: Self.compactStandards,
      nesting: Self.yamlNesting, parses)
    fuzz(
      "standard YAML (cses-1.yaml)", seed: 7, count: 1_000,
      inputs: [try file("suites/standards/cses-1.yaml")], nesting: Self.yamlNesting, parses)
  }

  func testKeyFiles() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "suanli-fuzz-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let (privatePath, publicPath, _) = try KeyFiles.generate(folder: folder.path, name: "fuzz")
    let inputs = [privatePath, publicPath].map { Array(FileManager.default.contents(atPath: $0)!) }
    let target = folder.appendingPathComponent("mutated.pem").path
    fuzz("key files (PEM)", seed: 5, inputs: inputs) { bytes in
      XCTAssertTrue(
        FileManager.default.createFile(
          atPath: target, contents: Data(bytes), attributes: [.posixPermissions: 0o600]))
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
    // hwloc's XML reader (C) crashes on some of these: each file goes through the checker
    // process first (HwlocTopology), so a crash is an error, not the end of the test.
    fuzz("hwloc XML (through hwloc)", seed: 6, inputs: inputs, nesting: Self.xmlNesting) { bytes in
      XCTAssertTrue(FileManager.default.createFile(atPath: target, contents: Data(bytes)))
      // SUANLI_FUZZ_KEEP=FILE keeps the input being tried: after a crash it holds the culprit.
      if let keep = ProcessInfo.processInfo.environment["SUANLI_FUZZ_KEEP"] {
        XCTAssertTrue(FileManager.default.createFile(atPath: keep, contents: Data(bytes)))
      }
      guard let topology = try? HwlocTopology(.xmlFile(target)) else { return false }
      _ = topology.machine()
      return true
    }
  }
}
