import Foundation
import Measurement
import ReportFormat

/// STREAM's samples as dots, and the MPI sweeps as curves over the message size (log₂ axis).
enum Curves {
  static func streamDots(_ data: ReportData) -> Figure? {
    let kernels = ["stream.copy", "stream.scale", "stream.add", "stream.triad"]
    let series = kernels.compactMap { id -> (String, [Double])? in
      guard let result = data.result(id), let bytes = result.metric("bytesPerIteration")?.value
      else { return nil }
      return (id, result.samples.filter { $0 > 0 }.map { bytes / $0 })
    }
    guard !series.isEmpty else { return nil }
    let all = series.flatMap(\.1)
    var chart = Chart(
      id: "stream", title: "STREAM, every sample",
      summary:
        "Bandwidth of every timed STREAM iteration: "
        + series.map { "\($0.0) best \(Show.bytes($0.1.max() ?? 0))" }.joined(separator: ", "))
    let y = Scale.linearFromZero(to: (all.max() ?? 1) * 1.1, range: (chart.bottom, chart.top))
    chart.yAxis(y, label: "bytes/s", format: { Show.bytes($0) })
    let slot = (chart.right - chart.left) / Double(series.count)
    for (index, (id, values)) in series.enumerated() {
      let center = chart.left + slot * (Double(index) + 0.5)
      chart.text(
        center, chart.bottom + 18, id.replacingOccurrences(of: "stream.", with: ""),
        anchor: "middle", class: "tick")
      for (i, value) in values.enumerated() {
        // Spread the dots over the slot deterministically, by sample index.
        let offset = (Double(i % 9) - 4) * slot / 14
        chart.marker(
          center + offset, y(value), shape: 0, class: "dot s\(index + 1)",
          tooltip: "\(id) sample \(i + 1): \(Show.bytes(value))",
          data: [("data-id", id), ("data-bandwidth", Number.exact(value))])
      }
    }
    chart.line(chart.left, chart.bottom, chart.right, chart.bottom, class: "axis")
    let rows = series.map { id, values in
      [
        id, "\(values.count)", Show.bytes(values.min() ?? 0), Show.bytes(median(values)),
        Show.bytes(values.max() ?? 0),
      ]
    }
    return Figure(
      chart: chart,
      caption:
        "One dot per timed iteration (bytes counted as STREAM does); STREAM reports the best.",
      headers: ["kernel", "samples", "min", "median", "best"], rows: rows)
  }

  static func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted.count % 2 == 1
      ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
  }

  struct Series {
    var name: String
    var id: String
    var points: [(size: Double, value: Double)]
  }

  static func latency(_ data: ReportData) -> Figure? {
    let series = [
      Series(
        name: "ping-pong (one way)", id: "mpi.pingpong",
        points: data.sweep("mpi.pingpong", "latency")),
      Series(
        name: "allreduce", id: "mpi.allreduce", points: data.sweep("mpi.allreduce", "latency")),
    ].filter { !$0.points.isEmpty }
    return sweep(
      series, id: "mpi-latency", title: "MPI latency by message size", unit: "s",
      format: Show.seconds,
      caption:
        "One-way latency (OSU's ping-pong: half a round trip) and time per allreduce, log–log.")
  }

  static func bandwidth(_ data: ReportData) -> Figure? {
    let series = [
      Series(name: "bandwidth", id: "mpi.bw", points: data.sweep("mpi.bw", "bandwidth")),
      Series(name: "bidirectional", id: "mpi.bibw", points: data.sweep("mpi.bibw", "bandwidth")),
      Series(
        name: "allreduce busbw", id: "mpi.allreduce", points: data.sweep("mpi.allreduce", "busbw")),
    ].filter { !$0.points.isEmpty }
    return sweep(
      series, id: "mpi-bandwidth", title: "MPI bandwidth by message size", unit: "B/s",
      format: Show.bytes,
      caption:
        "OSU's windowed bandwidth one way and both ways; allreduce bus bandwidth = algbw·2(n−1)/n (nccl-tests)."
    )
  }

  static func sweep(
    _ series: [Series], id: String, title: String, unit: String, format: (Double) -> String,
    caption: String
  ) -> Figure? {
    guard !series.isEmpty else { return nil }
    let sizes = series.flatMap { $0.points.map(\.size) }
    let values = series.flatMap { $0.points.map(\.value) }
    var chart = Chart(
      id: id, title: title,
      summary: series.map { s in
        "\(s.name): \(format(s.points.first!.value)) at \(Show.size(s.points.first!.size)) to \(format(s.points.last!.value)) at \(Show.size(s.points.last!.size))"
      }.joined(separator: "; "))
    let x = Scale.logCovering(sizes, base: .log2, range: (chart.left, chart.right))
    let y = Scale.logCovering(values, range: (chart.bottom, chart.top))
    chart.xAxis(x, label: "message size", format: { Show.size($0) })
    chart.yAxis(y, label: unit, format: format)
    for (index, s) in series.enumerated() {
      chart.polyline(s.points.map { (x($0.size), y($0.value)) }, class: "series s\(index + 1)")
      for point in s.points {
        chart.marker(
          x(point.size), y(point.value), shape: index, class: "series s\(index + 1)",
          tooltip: "\(s.name) at \(Show.size(point.size)): \(format(point.value))",
          data: [
            ("data-id", s.id), ("data-bytes", Number.exact(point.size)),
            ("data-value", Number.exact(point.value)),
          ])
      }
      if let last = s.points.last {
        chart.text(x(last.size) - 4, y(last.value) - 10, s.name, anchor: "end", class: "label")
      }
    }
    let allSizes = Array(Set(sizes)).sorted()
    let rows = allSizes.map { size -> [String] in
      [Show.size(size)]
        + series.map { s in s.points.first { $0.size == size }.map { format($0.value) } ?? "—" }
    }
    return Figure(
      chart: chart, caption: caption, headers: ["size"] + series.map(\.name), rows: rows)
  }
}
