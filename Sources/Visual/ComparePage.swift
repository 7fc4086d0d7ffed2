import Comparison
import Foundation
import Measurement
import ReportFormat

/// `suanli compare … --format html`: the terminal's table (every mark: best of the row among
/// conforming, complete values, `est.`, `k/n`, a baseline's differences), then small multiples
/// on shared axes — one radar per center, one bar chart per headline figure — each with its
/// numbers in a table.
public enum ComparePage {
  public static func html(_ table: ComparisonTable, columns: [CenterColumn], title: String)
    -> String
  {
    var page = Markup()
    PageHead.open(&page, title: "Suanli 算力 — \(title)")
    page.element("h1", [], "Suanli 算力 — \(title)")
    let unverified = columns.filter { !$0.verified }.map(\.center)
    if !unverified.isEmpty {
      page.element(
        "p", [("class", "banner"), ("data-verified", "false")],
        "UNVERIFIED: \(unverified.joined(separator: ", ")) — their figures are shown, flagged, and vouched for by nobody"
      )
    }
    page.raw(tableHTML(table))
    for note in table.notes { page.element("p", [("class", "muted")], "note: " + note) }
    if let legend = ComparisonRenderer.legend(table) {
      for line in legend.split(separator: "\n") {
        page.element("p", [("class", "muted")], String(line))
      }
    }
    page.newline()
    page.element("h2", [], "Dimensions, center by center (one scale)")
    page.open("div", [("class", "multiples")])
    for (index, column) in columns.enumerated() {
      var chart = Chart(
        id: "radar-\(index)", title: column.center,
        summary: column.score.dimensions.map { "\($0.name) \(Show.score($0.score))" }.joined(
          separator: ", "),
        width: 440, height: 340, margins: (0, 0, 0, 0))
      chart.text(220, 20, column.center, anchor: "middle", class: "label")
      Radar.draw(
        &chart, dimensions: column.score.dimensions, centerX: 220, centerY: 180, radius: 105,
        series: index % 6, labels: true)
      page.raw(chart.svg)
    }
    page.close("div")
    page.newline()
    page.element("h2", [], "Headline figures (one axis per figure)")
    for (key, label, unit, higher) in ComparisonTable.metricRows {
      let values = columns.map { $0.figures.values[key] }
      guard values.contains(where: { $0 != nil }) else { continue }
      page.raw(bars(key: key, label: label, unit: unit, higher: higher, columns: columns).html)
      page.newline()
    }
    page.close("body")
    page.close("html")
    page.newline()
    return page.text
  }

  /// The comparison table as HTML: the same cells as the terminal's.
  static func tableHTML(_ table: ComparisonTable) -> String {
    var rows: [[String]] = []
    var classes: [[String]] = []
    for row in table.rows {
      rows.append([row.label] + table.centers.indices.map { ComparisonRenderer.cell(row, $0) })
      classes.append(
        [""]
          + table.centers.indices.map { index in
            if row.key == "signature" {
              return row.texts[index].hasPrefix("trusted") ? "good" : "bad"
            }
            if row.best == index { return "num best" }
            return row.values[index] != nil ? "num" : ""
          })
    }
    return Table.html(headers: ["figure"] + table.centers, rows: rows, classes: classes)
  }

  /// One figure across centers on one axis from zero; estimates drawn faded with a dashed
  /// outline and named in the table.
  static func bars(
    key: String, label: String, unit: MetricUnit, higher: Bool, columns: [CenterColumn]
  ) -> Figure {
    let values = columns.map { $0.figures.values[key] }
    var chart = Chart(
      id: "bars-" + key.replacingOccurrences(of: "@", with: "-"), title: label,
      summary: zip(columns, values).map { "\($0.center) \($1.map { Show.value($0, unit) } ?? "—")" }
        .joined(separator: ", "),
      height: 70 + 30 * Double(columns.count), margins: (150, 16, 24, 44))
    let x = Scale.linearFromZero(
      to: values.compactMap { $0 }.max() ?? 1, range: (chart.left, chart.right))
    chart.xAxis(
      x, label: "\(label) (\(higher ? "higher" : "lower") is better)",
      format: { Show.value($0, unit) })
    var rows: [[String]] = []
    for (index, column) in columns.enumerated() {
      let y = chart.top + 6 + 30 * Double(index)
      chart.text(chart.left - 8, y + 14, column.center, anchor: "end", class: "label")
      let estimate = column.figures.estimates[key] != nil
      if let value = values[index] {
        chart.marks.open(
          "rect",
          [
            ("x", Number.coordinate(x(0))), ("y", Number.coordinate(y)),
            ("width", Number.coordinate(x(value) - x(0))), ("height", "18"),
            ("class", "bar s\(index % 6 + 1)\(estimate ? " estimate" : "")"),
            ("data-center", column.center), ("data-value", Number.exact(value)),
          ])
        chart.marks.element(
          "title", [],
          "\(column.center): \(Show.value(value, unit))\(estimate ? " (estimate)" : "")")
        chart.marks.close("rect")
      }
      rows.append([
        column.center, values[index].map { Show.value($0, unit) } ?? "—",
        estimate ? "estimate" : (values[index] == nil ? "—" : "conforming"),
        column.verified ? "verified" : "UNVERIFIED",
      ])
    }
    return Figure(
      chart: chart, caption: "\(label), every center on one axis from zero.",
      headers: ["center", "value", "run rules", "report"], rows: rows)
  }
}
