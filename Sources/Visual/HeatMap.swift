import Foundation
import Measurement
import ReportFormat

/// Core-to-core round trips as a heat map in hwloc's core order, lines where cores stop sharing
/// a cache or a package; viridis (perceptually uniform, colour-blind safe), each cell with its
/// value as a tooltip and in the table.
enum HeatMap {
  /// Viridis at 9 stops.
  static let viridis: [(Double, Double, Double)] = [
    (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142), (31, 158, 137),
    (53, 183, 121), (110, 206, 88), (253, 231, 37),
  ]

  static func color(_ t: Double) -> String {
    let clamped = min(1, max(0, t)) * Double(viridis.count - 1)
    let i = min(viridis.count - 2, Int(clamped))
    let f = clamped - Double(i)
    let a = viridis[i]
    let b = viridis[i + 1]
    func mix(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * f).rounded()) }
    return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
  }

  static func figure(_ data: ReportData) -> Figure? {
    guard let result = data.result("c2c.latency") else { return nil }
    var pairs: [(Int, Int, Double)] = []
    for metric in result.metrics where metric.name.hasPrefix("latency:") {
      let cores = metric.name.dropFirst("latency:".count).split(separator: "-").compactMap {
        Int($0)
      }
      if cores.count == 2 { pairs.append((cores[0], cores[1], metric.value)) }
    }
    guard !pairs.isEmpty else { return nil }
    let node = data.report.nodes.first
    let cores = max(node?.topology.cores ?? 0, (pairs.map { max($0.0, $0.1) }.max() ?? 0) + 1)
    let values = pairs.map(\.2)
    let low = values.min()!
    let high = values.max()!
    let size = min(28.0, 480 / Double(cores))
    var chart = Chart(
      id: "c2c", title: "Core-to-core round trip",
      summary:
        "\(pairs.count) core pairs of \(cores) cores: min \(Show.seconds(low)), median \(Show.seconds(Curves.median(values))), max \(Show.seconds(high)).",
      width: 120 + size * Double(cores) + 120, height: 70 + size * Double(cores) + 40,
      margins: (70, 40, 120, 40))
    for core in 0..<cores {
      chart.text(
        chart.left - 6, chart.top + size * (Double(core) + 0.7), "\(core)", anchor: "end",
        class: "tick")
      chart.text(
        chart.left + size * (Double(core) + 0.5), chart.top - 8, "\(core)", anchor: "middle",
        class: "tick")
    }
    for (i, j, value) in pairs {
      let t = high > low ? (value - low) / (high - low) : 0.5
      for (row, column) in [(i, j), (j, i)] {
        chart.marks.open(
          "rect",
          [
            ("x", Number.coordinate(chart.left + size * Double(column))),
            ("y", Number.coordinate(chart.top + size * Double(row))),
            ("width", Number.coordinate(size)), ("height", Number.coordinate(size)),
            ("fill", color(t)), ("class", "cell"), ("data-pair", "\(i)-\(j)"),
            ("data-seconds", Number.exact(value)),
          ])
        chart.marks.element("title", [], "cores \(i)–\(j): \(Show.seconds(value))")
        chart.marks.close("rect")
      }
    }
    // Boundaries where cores stop sharing an instance of a cache, and between packages.
    if let node {
      let pusPerCore = max(1, node.topology.pus / max(1, node.topology.cores))
      var groups: [Int] = node.topology.caches.filter { $0.sharedByPUs > pusPerCore }
        .map { $0.sharedByPUs / pusPerCore }
      if node.topology.packages > 1 { groups.append(node.topology.cores / node.topology.packages) }
      for group in Set(groups) where group > 0 && group < cores {
        for boundary in stride(from: group, to: cores, by: group) {
          let offset = size * Double(boundary)
          chart.line(
            chart.left + offset, chart.top, chart.left + offset, chart.top + size * Double(cores),
            class: "boundary")
          chart.line(
            chart.left, chart.top + offset, chart.left + size * Double(cores), chart.top + offset,
            class: "boundary")
        }
      }
    }
    // Legend: the colour ramp with its minimum, median and maximum.
    let legendX = chart.left + size * Double(cores) + 24
    for step in 0..<20 {
      chart.marks.empty(
        "rect",
        [
          ("x", Number.coordinate(legendX)),
          ("y", Number.coordinate(chart.top + Double(19 - step) * size * Double(cores) / 20)),
          ("width", "14"), ("height", Number.coordinate(size * Double(cores) / 20 + 0.5)),
          ("fill", color(Double(step) / 19)),
        ])
    }
    chart.text(legendX + 20, chart.top + 10, Show.seconds(high), class: "tick")
    chart.text(legendX + 20, chart.top + size * Double(cores), Show.seconds(low), class: "tick")
    let notes = result.notes
    let rows = pairs.map { i, j, value -> [String] in
      let sharing =
        notes.first { $0.hasPrefix("cores \(i)-\(j):") }?.components(separatedBy: "sharing ").last
        ?? "—"
      return ["\(i)–\(j)", Show.seconds(value), sharing]
    }
    return Figure(
      chart: chart,
      caption:
        "Round trip of a cache line between two pinned cores (Suanli counts the round trip, not half of it). Cores in hwloc order; lines mark cache and package boundaries.",
      headers: ["cores", "round trip", "shared level"], rows: rows)
  }
}
