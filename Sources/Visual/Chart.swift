import Foundation
import Measurement

/// One SVG chart: a 640×360 canvas with a plot area, axes with ticks, and marks; `role="img"`
/// with a title and a description, so a screen reader gets the gist and the data table beside
/// it (in the figure) gets the rest.
struct Chart {
  let id: String
  let title: String
  let summary: String
  let width: Double
  let height: Double
  let left: Double
  let top: Double
  let right: Double
  let bottom: Double
  var marks = Markup()

  init(
    id: String, title: String, summary: String, width: Double = 640, height: Double = 360,
    margins: (left: Double, top: Double, right: Double, bottom: Double) = (72, 28, 24, 52)
  ) {
    self.id = id
    self.title = title
    self.summary = summary
    self.width = width
    self.height = height
    left = margins.left
    top = margins.top
    right = width - margins.right
    bottom = height - margins.bottom
  }

  var svg: String {
    var out = Markup()
    out.open(
      "svg",
      [
        ("xmlns", "http://www.w3.org/2000/svg"), ("viewBox", "0 0 \(Int(width)) \(Int(height))"),
        ("role", "img"), ("aria-labelledby", "\(id)-title \(id)-desc"), ("lang", "zh-CN"),
        ("class", "chart"), ("data-chart", id),
      ])
    out.element("title", [("id", "\(id)-title")], title)
    out.element("desc", [("id", "\(id)-desc")], summary)
    out.raw(marks.text)
    out.close("svg")
    return out.text
  }

  mutating func line(
    _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, class name: String,
    data: [(String, String)] = []
  ) {
    marks.empty(
      "line",
      [
        ("x1", Number.coordinate(x1)), ("y1", Number.coordinate(y1)),
        ("x2", Number.coordinate(x2)), ("y2", Number.coordinate(y2)), ("class", name),
      ] + data)
  }

  mutating func text(
    _ x: Double, _ y: Double, _ content: String, anchor: String = "start",
    class name: String = "label",
    rotate: Double? = nil
  ) {
    var attributes = [
      ("x", Number.coordinate(x)), ("y", Number.coordinate(y)), ("text-anchor", anchor),
      ("class", name),
    ]
    if let rotate {
      attributes.append(
        (
          "transform",
          "rotate(\(Number.coordinate(rotate)) \(Number.coordinate(x)) \(Number.coordinate(y)))"
        ))
    }
    marks.element("text", attributes, content)
  }

  /// A marker of one of five shapes (the series' shape: colour is never the only cue).
  mutating func marker(
    _ x: Double, _ y: Double, shape: Int, class name: String, tooltip: String,
    data: [(String, String)]
  ) {
    let size = 4.5
    let cx = Number.coordinate(x)
    let cy = Number.coordinate(y)
    let attributes = [("class", name)] + data
    switch shape % 5 {
    case 0:
      marks.open("circle", [("cx", cx), ("cy", cy), ("r", Number.coordinate(size))] + attributes)
    case 1:
      marks.open(
        "rect",
        [
          ("x", Number.coordinate(x - size)), ("y", Number.coordinate(y - size)),
          ("width", Number.coordinate(2 * size)), ("height", Number.coordinate(2 * size)),
        ] + attributes)
    default:
      let points: [(Double, Double)]
      switch shape % 5 {
      case 2:
        points = [
          (x, y - size * 1.2), (x + size * 1.1, y + size * 0.9), (x - size * 1.1, y + size * 0.9),
        ]
      case 3:
        points = [
          (x, y - size * 1.3), (x + size * 1.3, y), (x, y + size * 1.3), (x - size * 1.3, y),
        ]
      default:
        points = [
          (x, y + size * 1.2), (x + size * 1.1, y - size * 0.9), (x - size * 1.1, y - size * 0.9),
        ]
      }
      marks.open(
        "polygon",
        [
          (
            "points",
            points.map { "\(Number.coordinate($0.0)),\(Number.coordinate($0.1))" }.joined(
              separator: " ")
          )
        ]
          + attributes)
    }
    marks.element("title", [], tooltip)
    switch shape % 5 {
    case 0: marks.close("circle")
    case 1: marks.close("rect")
    default: marks.close("polygon")
    }
  }

  mutating func polyline(
    _ points: [(Double, Double)], class name: String, data: [(String, String)] = []
  ) {
    guard points.count > 1 else { return }
    marks.empty(
      "polyline",
      [
        (
          "points",
          points.map { "\(Number.coordinate($0.0)),\(Number.coordinate($0.1))" }.joined(
            separator: " ")
        ),
        ("class", name),
      ] + data)
  }

  /// Grid lines and tick labels of a horizontal axis.
  mutating func xAxis(_ scale: Scale, label: String, format: (Double) -> String) {
    for tick in scale.ticks {
      let x = scale(tick)
      line(x, top, x, bottom, class: "grid")
      text(x, bottom + 16, format(tick), anchor: "middle", class: "tick")
    }
    line(left, bottom, right, bottom, class: "axis")
    text((left + right) / 2, height - 10, label, anchor: "middle", class: "axis-label")
  }

  mutating func yAxis(_ scale: Scale, label: String, format: (Double) -> String) {
    for tick in scale.ticks {
      let y = scale(tick)
      line(left, y, right, y, class: "grid")
      text(left - 6, y + 4, format(tick), anchor: "end", class: "tick")
    }
    line(left, top, left, bottom, class: "axis")
    text(14, (top + bottom) / 2, label, anchor: "middle", class: "axis-label", rotate: -90)
  }
}

/// A chart with its data: the figure's caption says what it shows and holds the table of every
/// number drawn (the accessible and printable alternative).
struct Figure {
  var chart: Chart
  var caption: String
  var headers: [String]
  var rows: [[String]]

  var html: String {
    var out = Markup()
    out.open("figure", [("class", "figure"), ("id", chart.id)])
    out.open("div", [("class", "plot")])
    out.raw(chart.svg)
    out.close("div")
    out.open("figcaption")
    out.element("p", [], caption)
    out.raw(Table.html(headers: headers, rows: rows))
    out.close("figcaption")
    out.close("figure")
    return out.text
  }
}

enum Table {
  static func html(headers: [String], rows: [[String]], classes: [[String]]? = nil) -> String {
    var out = Markup()
    out.open("table")
    out.open("thead")
    out.open("tr")
    for header in headers { out.element("th", [("scope", "col")], header) }
    out.close("tr")
    out.close("thead")
    out.open("tbody")
    for (r, row) in rows.enumerated() {
      out.open("tr")
      for (c, cell) in row.enumerated() {
        let name = classes?[r][c] ?? ""
        out.element("td", name.isEmpty ? [] : [("class", name)], cell)
      }
      out.close("tr")
    }
    out.close("tbody")
    out.close("table")
    return out.text
  }
}

/// Units as the page shows them.
enum Show {
  static func value(_ value: Double, _ unit: MetricUnit) -> String {
    Humanize.format(value, unit: unit)
  }
  static func flops(_ value: Double) -> String { Humanize.format(value, unit: .flopsPerSecond) }
  static func bytes(_ value: Double) -> String { Humanize.format(value, unit: .bytesPerSecond) }
  static func seconds(_ value: Double) -> String { Humanize.format(value, unit: .seconds) }
  static func size(_ bytes: Double) -> String {
    let units = ["B", "KiB", "MiB", "GiB"]
    var v = bytes
    var i = 0
    while v >= 1024, i < units.count - 1 {
      v /= 1024
      i += 1
    }
    return (v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v)) + " " + units[i]
  }
  static func score(_ value: Double?) -> String {
    value.map { Humanize.fixed($0, decimals: 1) } ?? "n/a"
  }
}
