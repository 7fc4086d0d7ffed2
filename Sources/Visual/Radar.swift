import Foundation
import Measurement
import ReportFormat

/// The dimension scores on a radar: one axis per dimension in the standard's order, scale 0 to
/// the cap with rings at 25, 50, 75 and 100 (the reference, drawn heavier). A missing dimension
/// is a gap marked "n/a", never a zero: the outline is broken around it.
enum Radar {
  static func figure(_ score: ScoreBlock, id: String = "radar", title: String? = nil) -> Figure {
    let dimensions = score.dimensions
    var chart = Chart(
      id: id, title: title ?? "Dimension scores (\(score.standard.id) \(score.standard.version))",
      summary:
        "Radar of \(dimensions.count) dimension scores on a 0–120 scale; 100 is the reference. "
        + dimensions.map { "\($0.name) \(Show.score($0.score))" }.joined(separator: ", "),
      width: 420, height: 380, margins: (0, 0, 0, 0))
    draw(&chart, dimensions: dimensions, centerX: 210, centerY: 195, radius: 130, series: 0)
    var rows: [[String]] = []
    for dimension in dimensions {
      rows.append([
        dimension.name, Show.score(dimension.score),
        "\(dimension.present) of \(dimension.metrics.count)",
        dimension.score == nil ? "—" : (dimension.estimate ? "estimate" : "conforming"),
      ])
    }
    return Figure(
      chart: chart,
      caption:
        "Scores per dimension (100 = the standard's reference for the tier \(score.tier)). A dimension computed from fewer metrics than the standard names is incomplete; an estimate comes from a measurement that missed a run rule.",
      headers: ["dimension", "score", "metrics", "run rules"], rows: rows)
  }

  /// Rings, axes, labels and one series' outline and vertices.
  static func draw(
    _ chart: inout Chart, dimensions: [ScoreBlock.DimensionScore], centerX: Double,
    centerY: Double, radius: Double, series: Int, labels: Bool = true
  ) {
    let count = max(3, dimensions.count)
    let top = 120.0
    func point(_ index: Int, _ value: Double) -> (Double, Double) {
      let angle = -Double.pi / 2 + 2 * Double.pi * Double(index) / Double(count)
      let r = radius * min(value, top) / top
      return (centerX + r * cos(angle), centerY + r * sin(angle))
    }
    for ring in [25.0, 50, 75, 100] {
      let points = (0...count).map { point($0 % count, ring) }
      chart.polyline(points, class: ring == 100 ? "ring reference" : "ring")
    }
    if labels { chart.text(centerX + 4, centerY - radius * 100 / top - 3, "100", class: "tick") }
    for (index, dimension) in dimensions.enumerated() {
      let end = point(index, top)
      chart.line(centerX, centerY, end.0, end.1, class: "grid")
      if labels {
        let label = point(index, top + 14)
        let anchor = abs(label.0 - centerX) < 8 ? "middle" : (label.0 > centerX ? "start" : "end")
        chart.text(
          label.0, label.1 + 4,
          dimension.name + (dimension.score == nil ? " n/a" : ""), anchor: anchor, class: "label")
      }
    }
    // The outline, broken where a dimension is missing.
    var run: [(Double, Double)] = []
    var runs: [[(Double, Double)]] = []
    for index in 0...dimensions.count {
      let dimension = dimensions[index % dimensions.count]
      if let score = dimension.score {
        run.append(point(index % dimensions.count, score))
      } else {
        if !run.isEmpty { runs.append(run) }
        run = []
      }
    }
    if !run.isEmpty { runs.append(run) }
    for segment in runs { chart.polyline(segment, class: "series s\(series + 1)") }
    for (index, dimension) in dimensions.enumerated() {
      guard let score = dimension.score else { continue }
      let p = point(index, score)
      chart.marker(
        p.0, p.1, shape: series, class: "series s\(series + 1)",
        tooltip: "\(dimension.name): \(Show.score(score))",
        data: [("data-dimension", dimension.id), ("data-score", Number.exact(score))])
    }
  }
}
