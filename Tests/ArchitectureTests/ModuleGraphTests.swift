import Foundation
import XCTest

/// The module graph is checked, not just drawn: every import line under Sources/ against
/// Sources/module-graph.txt.
final class ModuleGraphTests: XCTestCase {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  static let sources = root.appendingPathComponent("Sources")

  func graph() throws -> ModuleGraph {
    let text = try String(
      contentsOf: Self.sources.appendingPathComponent("module-graph.txt"), encoding: .utf8)
    var problems: [String] = []
    let graph = ModuleGraph(text: text, problems: &problems)
    XCTAssertEqual(problems, [])
    return graph
  }

  /// Every .swift file under Sources/, relative path and text.
  static func sourceFiles() throws -> [(path: String, text: String)] {
    let base = sources.path + "/"
    let paths =
      (FileManager.default.enumerator(atPath: sources.path)?.allObjects as? [String]) ?? []
    return try paths.filter { $0.hasSuffix(".swift") }.sorted().map {
      ($0, try String(contentsOfFile: base + $0, encoding: .utf8))
    }
  }

  func testSourcesFollowTheModuleGraph() throws {
    let files = try Self.sourceFiles()
    XCTAssertGreaterThan(files.count, 50)
    let violations = try graph().violations(files)
    XCTAssertEqual(violations, [], violations.joined(separator: "\n"))
  }

  func testEveryTargetFolderIsInTheGraph() throws {
    let graph = try graph()
    let folders = try FileManager.default.contentsOfDirectory(atPath: Self.sources.path)
      .filter { !$0.hasPrefix(".") && !$0.contains(".") }
    for folder in folders where !folder.hasPrefix("C") {
      XCTAssertNotNil(graph.allowed[folder], "\(folder) is missing from module-graph.txt")
    }
  }

  func testAnImportAgainstTheGraphIsCaughtWithItsFileAndLine() throws {
    let graph = try graph()
    let files = [
      (
        path: "Reports/Sneaky.swift",
        text: "import Foundation\nimport ReportFormat\nimport Kernels\n"
      ),
      (path: "Kernels/Other.swift", text: "import Measurement\n  import COpenBLAS\n"),
      (
        path: "Runner/Fine.swift",
        text: "@testable import Benchmarks\nimport struct Reports.ReportBuilder\n"
      ),
      (path: "Kernels/HPL/Up.swift", text: "@preconcurrency import Runner\n"),
    ]
    let violations = graph.violations(files)
    XCTAssertEqual(violations.count, 3, violations.joined(separator: "\n"))
    XCTAssertTrue(
      violations[0].hasPrefix(
        "Sources/Reports/Sneaky.swift:3: imports Kernels, which Reports may not import"),
      violations[0])
    XCTAssertTrue(
      violations[1].hasPrefix(
        "Sources/Kernels/Other.swift:2: imports COpenBLAS, which only its gateway file(s) may import: Kernels/BLAS.swift"
      ), violations[1])
    XCTAssertTrue(
      violations[2].hasPrefix("Sources/Kernels/HPL/Up.swift:1: imports Runner"), violations[2])
  }

  func testACycleInTheGraphIsCaught() {
    var problems: [String] = []
    let graph = ModuleGraph(text: "A: B\nB: C\nC: A\nD: A\nbad line\n", problems: &problems)
    XCTAssertEqual(problems, ["module-graph.txt:5: expected \"<folder>: <modules>\""])
    XCTAssertEqual(
      graph.cycles(among: []),
      [
        "module-graph.txt: A depends on itself through its imports",
        "module-graph.txt: B depends on itself through its imports",
        "module-graph.txt: C depends on itself through its imports",
      ])
  }
}
