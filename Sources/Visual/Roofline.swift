import Foundation
import Measurement
import ReportFormat

/// A roofline per precision (Williams, Waterman & Patterson, CACM 2009), log–log: the memory
/// roof from STREAM triad's bandwidth, the measured compute roof (the precision's GEMM) solid,
/// Rpeak dotted; the benchmarks at their algorithmic minimum-traffic intensity (STREAM triad
/// 2 flops per 24 bytes; GEMM 2mnk / w(mk+kn+mn) with w bytes a value; HPL N/12). The axes are
/// fitted to the data, so no point falls off the chart.
enum Roofline {
  static let width: [String: Double] = ["fp64": 8, "fp32": 4, "fp16": 2, "bf16": 2]

  static func figures(_ data: ReportData) -> [Figure] {
    guard let bandwidth = data.value("stream.triad", "bandwidth") else { return [] }
    return ["fp64", "fp32", "fp16", "bf16"].compactMap { precision in
      figure(data, precision: precision, bandwidth: bandwidth)
    }
  }

  static func figure(_ data: ReportData, precision: String, bandwidth: Double) -> Figure? {
    guard let gemm = data.value("gemm.\(precision)", "rate"), let w = width[precision] else {
      return nil
    }
    let peak = data.peak(precision)?.flopsPerSecond
    var points: [(label: String, id: String, intensity: Double, rate: Double)] = []
    if precision == "fp64" {
      points.append(("STREAM triad", "stream.triad", 2.0 / 24, bandwidth * 2 / 24))
    }
    if let m = data.parameter("gemm.\(precision)", "m"),
      let n = data.parameter("gemm.\(precision)", "n"),
      let k = data.parameter("gemm.\(precision)", "k")
    {
      points.append(
        (
          "GEMM \(precision.uppercased())", "gemm.\(precision)",
          2 * m * n * k / (w * (m * k + k * n + m * n)), gemm
        ))
    }
    if precision == "fp64", let n = data.parameter("hpl.fp64", "n"),
      let hpl = data.value("hpl.fp64", "rate")
    {
      points.append(("HPL", "hpl.fp64", n / 12, hpl))
    }
    let ridge = gemm / bandwidth
    let peakRidge = peak.map { $0 / bandwidth }
    let xs = points.map(\.intensity) + [ridge] + (peakRidge.map { [$0] } ?? [])
    let ys = points.map(\.rate) + [gemm] + (peak.map { [$0] } ?? [])
    var chart = Chart(
      id: "roofline-\(precision)", title: "Roofline, \(precision.uppercased())",
      summary:
        "Log–log roofline: memory roof \(Show.bytes(bandwidth)) (STREAM triad), compute roof \(Show.flops(gemm)) measured\(peak.map { ", Rpeak \(Show.flops($0))" } ?? ""), ridge at \(Humanize.significant(ridge, digits: 3)) flop/byte."
    )
    let x = Scale.logCovering(
      [xs.min()! / 4, xs.max()! * 4], range: (chart.left, chart.right))
    let y = Scale.logCovering([ys.min()! / 4, ys.max()! * 2], range: (chart.bottom, chart.top))
    chart.xAxis(
      x, label: "arithmetic intensity (flop/byte)", format: { Humanize.significant($0, digits: 2) })
    chart.yAxis(y, label: "flop/s", format: { Show.flops($0) })
    let left = x.domain.0
    let right = x.domain.1
    // Measured: the memory roof up to the ridge, then the GEMM rate.
    chart.polyline(
      [(x(left), y(bandwidth * left)), (x(ridge), y(gemm)), (x(right), y(gemm))],
      class: "roof measured",
      data: [
        ("data-roof", "measured"), ("data-flops", Number.exact(gemm)),
        ("data-bandwidth", Number.exact(bandwidth)),
      ])
    chart.text(
      x(right) - 4, y(gemm) - 6, "GEMM \(Show.flops(gemm))", anchor: "end", class: "roof-label")
    chart.text(
      x(left) + 6, y(bandwidth * left) - 8, "STREAM triad \(Show.bytes(bandwidth))",
      class: "roof-label")
    if let peak, let peakRidge {
      chart.polyline(
        [(x(left), y(bandwidth * left)), (x(peakRidge), y(peak)), (x(right), y(peak))],
        class: "roof peak",
        data: [("data-roof", "rpeak"), ("data-flops", Number.exact(peak))])
      chart.text(
        x(right) - 4, y(peak) - 6, "Rpeak (spec) \(Show.flops(peak))", anchor: "end",
        class: "roof-label")
    }
    for (index, point) in points.enumerated() {
      chart.marker(
        x(point.intensity), y(point.rate), shape: index, class: "point s\(index + 1)",
        tooltip:
          "\(point.label): \(Show.flops(point.rate)) at \(Humanize.significant(point.intensity, digits: 3)) flop/byte",
        data: [
          ("data-id", point.id), ("data-intensity", Number.exact(point.intensity)),
          ("data-flops", Number.exact(point.rate)),
        ])
      chart.text(x(point.intensity) + 8, y(point.rate) + 14, point.label, class: "label")
    }
    let rows =
      points.map { point in
        [
          point.label, Humanize.significant(point.intensity, digits: 3), Show.flops(point.rate),
          Humanize.fixed(100 * point.rate / min(gemm, bandwidth * point.intensity), decimals: 1)
            + "%",
        ]
      } + [
        ["ridge (measured roofs)", Humanize.significant(ridge, digits: 3), Show.flops(gemm), "—"]
      ]
      + (peak.map {
        [["Rpeak (spec)", Humanize.significant($0 / bandwidth, digits: 3), Show.flops($0), "—"]]
      } ?? [])
    return Figure(
      chart: chart,
      caption:
        "Solid: roofs measured here (STREAM triad bandwidth, the \(precision.uppercased()) GEMM rate); dotted: Rpeak. Points at their minimum-traffic intensity; the last column is the share of the roof above the point.",
      headers: ["point", "flop/byte", "rate", "of the roof"], rows: rows)
  }
}
