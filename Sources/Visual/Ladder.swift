import Foundation
import Measurement
import ReportFormat

/// The precision ladder: each precision's measured GEMM rate beside its Rpeak, HPL and HPL-MxP
/// beside FP64's, and the rate the 1 : 2 : 4 rule of thumb expects from the measured FP64 GEMM
/// (FP32 twice, FP16/BF16 four times): 算力偏科 shows as a bar far from its marker.
enum Ladder {
  static func figure(_ data: ReportData, skew: String?) -> Figure? {
    struct Rung {
      var label: String
      var id: String
      var precision: String
      var measured: Double
      var peak: Double?
      var expected: Double?
      var execution: String?
    }
    let fp64 = data.value("gemm.fp64", "rate")
    var rungs: [Rung] = []
    for (precision, factor) in [("fp64", 1.0), ("fp32", 2), ("fp16", 4), ("bf16", 4)] {
      guard let rate = data.value("gemm.\(precision)", "rate") else { continue }
      rungs.append(
        Rung(
          label: "GEMM \(precision.uppercased())", id: "gemm.\(precision)", precision: precision,
          measured: rate, peak: data.peak(precision)?.flopsPerSecond,
          expected: fp64.map { $0 * factor }, execution: data.result("gemm.\(precision)")?.execution
        ))
    }
    if let hpl = data.value("hpl.fp64", "rate") {
      rungs.append(
        Rung(
          label: "HPL FP64", id: "hpl.fp64", precision: "fp64", measured: hpl,
          peak: data.peak("fp64")?.flopsPerSecond, expected: nil, execution: nil))
    }
    if let mxp = data.value("hplmxp", "rate") {
      rungs.append(
        Rung(
          label: "HPL-MxP (mixed)", id: "hplmxp", precision: "mixed", measured: mxp, peak: nil,
          expected: nil, execution: "mixed"))
    }
    guard !rungs.isEmpty else { return nil }
    let maximum = rungs.flatMap { [$0.measured, $0.peak ?? 0, $0.expected ?? 0] }.max() ?? 1
    var chart = Chart(
      id: "ladder", title: "Precision ladder",
      summary:
        "Measured rate per precision against Rpeak and the 1:2:4 rule. "
        + rungs.map { "\($0.label) \(Show.flops($0.measured))" }.joined(separator: ", "),
      height: 80 + 44 * Double(rungs.count), margins: (130, 20, 24, 52))
    let x = Scale.linearFromZero(to: maximum, range: (chart.left, chart.right))
    chart.xAxis(x, label: "flop/s", format: { Show.flops($0) })
    for (index, rung) in rungs.enumerated() {
      let y = chart.top + 10 + 44 * Double(index)
      chart.text(chart.left - 8, y + 16, rung.label, anchor: "end", class: "label")
      if let peak = rung.peak {
        chart.marks.empty(
          "rect",
          [
            ("x", Number.coordinate(x(0))), ("y", Number.coordinate(y)),
            ("width", Number.coordinate(x(peak) - x(0))), ("height", "24"), ("class", "peak"),
            ("data-id", rung.id), ("data-rpeak", Number.exact(peak)),
          ])
      }
      chart.marks.open(
        "rect",
        [
          ("x", Number.coordinate(x(0))), ("y", Number.coordinate(y + 4)),
          ("width", Number.coordinate(x(rung.measured) - x(0))), ("height", "16"),
          ("class", "bar \(rung.precision) \(rung.execution == "emulated" ? "emulated" : "")"),
          ("data-id", rung.id), ("data-measured", Number.exact(rung.measured)),
        ])
      chart.marks.element(
        "title", [],
        "\(rung.label): \(Show.flops(rung.measured))\(rung.execution.map { " (\($0))" } ?? "")")
      chart.marks.close("rect")
      if let expected = rung.expected, rung.precision != "fp64" {
        chart.line(
          x(expected), y - 2, x(expected), y + 26, class: "expected",
          data: [("data-id", rung.id), ("data-expected", Number.exact(expected))])
      }
    }
    let rows = rungs.map { rung -> [String] in
      [
        rung.label, Show.flops(rung.measured), rung.peak.map(Show.flops) ?? "—",
        rung.peak.map { Humanize.fixed(100 * rung.measured / $0, decimals: 1) + "%" } ?? "—",
        rung.expected.map(Show.flops) ?? "—", rung.execution ?? "native",
      ]
    }
    return Figure(
      chart: chart,
      caption:
        "Bars: measured; outlines: Rpeak of the precision; ticks: what the 1:2:4 rule expects from the measured FP64 GEMM. "
        + (skew ?? ""),
      headers: ["rung", "measured", "Rpeak", "of Rpeak", "1:2:4 expects", "execution"], rows: rows)
  }
}
