import Comparison
import Foundation
import ReportFormat
import Standard
import XCTest

@testable import Visual

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The HTML pages: golden files for the example reports, the numbers drawn read back from the
/// page and compared with the report's, the same bytes every time, nothing fetched or run.
/// SUANLI_UPDATE_GOLDEN=1 rewrites the golden files (then review the diff).
final class PageTests: XCTestCase {
  static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  static let root = here.deletingLastPathComponent().deletingLastPathComponent()
  static let examples = ["dev-vm-1core-quick", "dev-vm-2core-quick", "dev-vm-2core-interconnect"]

  func example(_ name: String) throws -> (Report, [UInt8]) {
    let url = Self.root.appendingPathComponent("results/examples/\(name).json")
    let bytes = Array(try Data(contentsOf: url))
    return (try JSONDecoder().decode(Report.self, from: Data(bytes)), bytes)
  }

  func page(_ name: String, verified: Bool = true) throws -> (Report, String) {
    let (report, bytes) = try example(name)
    let html = ReportPage.html(
      report,
      source: .init(
        file: "results/examples/\(name).json", bytes: bytes, sha256: "fixed-for-golden-files",
        verdict: verified ? "valid, trusted key cae07b6cb7ee4854 (suanli-examples)" : "unsigned",
        verified: verified))
    return (report, html)
  }

  func assertGolden(
    _ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let path = Self.here.appendingPathComponent("Golden/\(name)")
    if ProcessInfo.processInfo.environment["SUANLI_UPDATE_GOLDEN"] == "1" {
      try text.write(to: path, atomically: true, encoding: .utf8)
      return
    }
    let golden = try String(contentsOf: path, encoding: .utf8)
    XCTAssertEqual(text, golden, "\(name) differs from its golden file", file: file, line: line)
  }

  func testExamplePagesMatchTheirGoldenFilesAndRepeatByteForByte() throws {
    for name in Self.examples {
      let (_, html) = try page(name)
      let (_, again) = try page(name)
      XCTAssertEqual(html, again, "the same inputs give the same bytes")
      try assertGolden(html, "\(name).html")
    }
  }

  func testNothingIsFetchedOrRun() throws {
    for name in Self.examples {
      let (_, html) = try page(name)
      XCTAssertFalse(html.contains("<script"), name)
      XCTAssertFalse(html.contains(" src="), name)
      XCTAssertFalse(html.contains("@import"), name)
      let urls = html.components(separatedBy: "http").dropFirst().map { "http" + $0.prefix(40) }
      // Only the SVG namespace, which names a vocabulary and is never fetched.
      for url in urls { XCTAssertTrue(url.hasPrefix("http://www.w3.org/2000/svg"), url) }
    }
  }

  /// Every element and its attributes, from the page parsed as XML (it is polyglot HTML).
  final class Collector: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    func parser(
      _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
      qualifiedName: String?, attributes: [String: String] = [:]
    ) {
      elements.append((name, attributes))
    }
  }

  func elements(_ html: String) throws -> [(name: String, attributes: [String: String])] {
    let xml = html.replacingOccurrences(of: "<!DOCTYPE html>", with: "")
    let parser = XMLParser(data: Data(xml.utf8))
    let collector = Collector()
    parser.delegate = collector
    XCTAssertTrue(
      parser.parse(), "the page parses as XML: \(parser.parserError.map { "\($0)" } ?? "")")
    return collector.elements
  }

  func testTheNumbersDrawnAreTheReportsNumbers() throws {
    let (report, html) = try page("dev-vm-2core-quick")
    let marks = try elements(html)
    // Radar: every vertex carries its dimension's score and sits at radius 130·score/120 from
    // the center (210, 195).
    let score = try XCTUnwrap(report.score)
    let vertices = marks.filter { $0.attributes["data-dimension"] != nil }
    XCTAssertEqual(vertices.count, score.dimensions.filter { $0.score != nil }.count)
    for vertex in vertices {
      let dimension = try XCTUnwrap(
        score.dimensions.first { $0.id == vertex.attributes["data-dimension"] })
      let drawn = try XCTUnwrap(Double(vertex.attributes["data-score"] ?? ""))
      XCTAssertEqual(drawn, dimension.score)
      let x = try XCTUnwrap(Double(vertex.attributes["cx"] ?? ""))
      let y = try XCTUnwrap(Double(vertex.attributes["cy"] ?? ""))
      let radius = ((x - 210) * (x - 210) + (y - 195) * (y - 195)).squareRoot()
      XCTAssertEqual(radius, 130 * min(drawn, 120) / 120, accuracy: 0.15, dimension.id)
    }
    // Rooflines: the measured roof is the precision's GEMM rate and STREAM triad's bandwidth,
    // flat after the ridge; the dotted one is Rpeak.
    func metric(_ id: String, _ name: String) -> Double? {
      report.results.first { $0.id == id }?.metric(name)?.value
    }
    let roofs = marks.filter { $0.attributes["data-roof"] != nil }
    XCTAssertGreaterThanOrEqual(roofs.count, 4)
    for precision in ["fp64", "fp32", "fp16", "bf16"] {
      let measured = try XCTUnwrap(
        marks.first {
          $0.attributes["data-roof"] == "measured" && $0.name == "polyline"
            && Double($0.attributes["data-flops"] ?? "") == metric("gemm.\(precision)", "rate")
        },
        precision)
      XCTAssertEqual(
        Double(measured.attributes["data-bandwidth"] ?? ""), metric("stream.triad", "bandwidth"))
      let points = (measured.attributes["points"] ?? "").split(separator: " ").map {
        $0.split(separator: ",").compactMap { Double($0) }
      }
      XCTAssertEqual(points.count, 3)
      XCTAssertEqual(points[1][1], points[2][1], "flat after the ridge")
    }
    let peaks = Set(
      roofs.filter { $0.attributes["data-roof"] == "rpeak" }.compactMap {
        Double($0.attributes["data-flops"] ?? "")
      })
    XCTAssertEqual(peaks, Set(report.nodes[0].rpeak.map(\.flopsPerSecond)))
    // Ladder: bars at the measured rates.
    for precision in ["fp64", "fp32", "fp16", "bf16"] {
      XCTAssertTrue(
        marks.contains {
          $0.attributes["data-id"] == "gemm.\(precision)"
            && Double($0.attributes["data-measured"] ?? "") == metric("gemm.\(precision)", "rate")
        },
        precision)
    }
    // STREAM: one dot per sample, bytes per iteration over the sample's seconds.
    let triad = try XCTUnwrap(report.results.first { $0.id == "stream.triad" })
    let bytes = try XCTUnwrap(triad.metric("bytesPerIteration")?.value)
    let dots = marks.filter {
      $0.attributes["data-id"] == "stream.triad" && $0.attributes["data-bandwidth"] != nil
    }
    .compactMap { Double($0.attributes["data-bandwidth"] ?? "") }
    XCTAssertEqual(dots, triad.samples.map { bytes / $0 })
  }

  func testCurvePointsAreTheSweepsPoints() throws {
    let (report, html) = try page("dev-vm-2core-interconnect")
    let marks = try elements(html)
    for (id, name) in [
      ("mpi.pingpong", "latency"), ("mpi.bw", "bandwidth"), ("mpi.allreduce", "busbw"),
    ] {
      let result = try XCTUnwrap(report.results.first { $0.id == id })
      let expected = result.metrics.filter { $0.name == name }.map {
        [Double($0.size ?? 0), $0.value]
      }
      let drawn = marks.filter {
        $0.attributes["data-id"] == id && $0.attributes["data-bytes"] != nil
      }
      .filter { mark in
        // mpi.allreduce draws latency and busbw: keep the points of this metric.
        expected.contains { $0[1] == Double(mark.attributes["data-value"] ?? "") }
      }
      .map {
        [
          Double($0.attributes["data-bytes"] ?? "") ?? -1,
          Double($0.attributes["data-value"] ?? "") ?? -1,
        ]
      }
      XCTAssertEqual(drawn, expected, id)
    }
    let cells = marks.filter { $0.attributes["data-pair"] != nil }
    let c2c = try XCTUnwrap(report.results.first { $0.id == "c2c.latency" })
    let pairs = c2c.metrics.filter { $0.name.hasPrefix("latency:") }
    XCTAssertEqual(cells.count, 2 * pairs.count, "each pair drawn on both sides of the diagonal")
    for cell in cells {
      let pair = try XCTUnwrap(
        pairs.first { $0.name == "latency:" + (cell.attributes["data-pair"] ?? "") })
      XCTAssertEqual(Double(cell.attributes["data-seconds"] ?? ""), pair.value)
    }
  }

  func testUnverifiedAndEstimatesAreMarked() throws {
    let (_, html) = try page("dev-vm-1core-quick", verified: false)
    XCTAssertTrue(html.contains("data-verified=\"false\""))
    XCTAssertTrue(html.contains("UNVERIFIED: unsigned"))
    let (_, verified) = try page("dev-vm-1core-quick")
    XCTAssertFalse(verified.contains("UNVERIFIED"))
  }

  /// GPU results get their own table against their device (never the CPU's ladder), and a
  /// fake device is said in a banner.
  func testGPUResultsAreTabledApartAndFakesMarked() throws {
    var (report, bytes) = try example("dev-vm-1core-quick")
    let cpu = try XCTUnwrap(report.results.first { $0.id == "gemm.fp16" && $0.status == .ok })
    var gpu = cpu
    gpu.device = DeviceUse(id: "cuda:0", name: "Fake Hopper 0", architecture: "sm_90", pciBusID: nil, fake: true)
    gpu.metrics[0].value = 7.5e14
    report.results.append(gpu)
    let html = ReportPage.html(
      report,
      source: .init(
        file: "x.json", bytes: bytes, sha256: "x", verdict: "unsigned", verified: false))
    XCTAssertTrue(html.contains("<h2>Accelerators</h2>"), "an Accelerators section")
    XCTAssertTrue(html.contains("data-fake=\"true\""))
    XCTAssertTrue(html.contains("cuda:0 FAKE"))
    XCTAssertTrue(html.contains("750 TFLOPS"), "the GPU's rate in its table")
    let (_, plain) = try page("dev-vm-1core-quick")
    XCTAssertFalse(plain.contains("Accelerators"), "no section without GPU results")
    // The ladder still draws the CPU's FP16, not the GPU's.
    XCTAssertEqual(ReportData(report: report).result("gemm.fp16")?.device, nil)
  }

  func testComparePageHasTheTableAndSmallMultiples() throws {
    let standard = try StandardParser.load(
      path: Self.root.appendingPathComponent("suites/standards/cses-2.yaml").path,
      knownBenchmarks: nil)
    let reports = try Self.examples.map { try example($0).0 }
    let columns = CenterFigures.aggregate(reports, standard: standard).map { figures in
      CenterColumn(
        center: figures.center, figures: figures, score: Scorer.score(figures, standard: standard),
        signature: "trusted: suanli-examples", verified: true, date: "2026-11-24", reports: 1)
    }
    let table = ComparisonTable(columns: columns)
    let html = ComparePage.html(table, columns: columns, title: "examples")
    let marks = try elements(html)
    XCTAssertEqual(
      marks.filter { $0.name == "svg" && ($0.attributes["data-chart"] ?? "").hasPrefix("radar-") }
        .count, columns.count)
    let hpl = marks.filter {
      $0.attributes["data-center"] != nil && ($0.attributes["data-value"] ?? "") != ""
    }
    XCTAssertFalse(hpl.isEmpty)
    for column in columns {
      let rate = try XCTUnwrap(column.figures.values["hpl.fp64.rate"])
      XCTAssertTrue(
        hpl.contains {
          $0.attributes["data-center"] == column.center
            && Double($0.attributes["data-value"] ?? "") == rate
        })
    }
    XCTAssertTrue(html.contains("(est.)"), "estimates are marked in the page's table too")
    try assertGolden(html, "compare-examples.html")
  }
}
