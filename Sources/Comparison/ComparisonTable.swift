import Measurement
import ReportFormat
import Standard

/// One center's column: its aggregated figures, its score, and how far its reports can be trusted.
public struct CenterColumn: Sendable {
  public var center: String
  public var figures: CenterFigures
  public var score: ScoreBlock
  /// "valid, trusted key …", "valid, untrusted key …", "unsigned", "INVALID: …" (worst of its reports).
  public var signature: String
  /// True when every report of the center verified (signature and consistency).
  public var verified: Bool
  public var date: String
  public var reports: Int
  /// Nodes of the center's jobs worse than their job's median in some metric, e.g.
  /// "node 3 (n004): hpl.fp64 rate −8.2%" (empty: none, or no job of several nodes).
  public var outliers: [String] = []

  public init(
    center: String, figures: CenterFigures, score: ScoreBlock, signature: String, verified: Bool,
    date: String,
    reports: Int
  ) {
    self.center = center
    self.figures = figures
    self.score = score
    self.signature = signature
    self.verified = verified
    self.date = date
    self.reports = reports
  }
}

/// A row: a label, one cell per center, and how to compare them.
public struct ComparisonRow: Sendable, Equatable {
  public var key: String
  public var label: String
  public var unit: Unit?
  /// nil: not comparable (text rows).
  public var higherIsBetter: Bool?
  public var values: [Double?]
  public var texts: [String]
  /// Index of the best center in this row, if comparable.
  public var best: Int?
  /// (value − baseline) / baseline per center, when a baseline is chosen.
  public var relative: [Double?]
}

/// The comparison: centers as columns, metrics as rows.
public struct ComparisonTable: Sendable {
  public var centers: [String]
  public var rows: [ComparisonRow]
  public var notes: [String]

  /// The rows Suanli shows by default: key, label, unit, polarity.
  public static let metricRows: [(String, String, Unit, Bool)] = [
    ("hpl.fp64.rate", "HPL FP64 Rmax", .flopsPerSecond, true),
    ("hpl.fp64.efficiency", "HPL efficiency", .ratio, true),
    ("gemm.fp64.rate", "GEMM FP64", .flopsPerSecond, true),
    ("gemm.fp32.rate", "GEMM FP32", .flopsPerSecond, true),
    ("gemm.fp16.rate", "GEMM FP16", .flopsPerSecond, true),
    ("gemm.bf16.rate", "GEMM BF16", .flopsPerSecond, true),
    ("hplmxp.rate", "HPL-MxP (HPL-credited)", .flopsPerSecond, true),
    ("stream.triad.bandwidth", "STREAM triad", .bytesPerSecond, true),
    ("mpi.pingpong.latency@8", "MPI latency 8 B", .seconds, false),
    ("mpi.bw.bandwidth@2097152", "MPI bandwidth 2 MiB", .bytesPerSecond, true),
    ("mpi.allreduce.busbw@67108864", "allreduce busbw 64 MiB", .bytesPerSecond, true),
    ("c2c.latency.latency", "core-to-core round trip", .seconds, false),
  ]

  public init(
    columns: [CenterColumn], metrics: [String]? = nil, baseline: String? = nil,
    sortBy: String? = nil, notes: [String] = []
  ) {
    var columns = columns
    if let sortBy {
      func value(_ column: CenterColumn) -> Double {
        if sortBy == "composite" { return column.score.composite ?? -.infinity }
        if let dimension = column.score.dimensions.first(where: { $0.id == sortBy }) {
          return dimension.score ?? -.infinity
        }
        return column.figures.values[sortBy] ?? -.infinity
      }
      columns.sort { value($0) > value($1) }
    }
    centers = columns.map(\.center)
    self.notes = notes
    let baselineIndex = baseline.flatMap { name in columns.firstIndex { $0.center == name } }
    var rows: [ComparisonRow] = []
    // A value may be best of its row only if it is conforming and complete; the others are
    // shown with their mark ("est.": a run rule missed; "k/n": a dimension of k metrics of n).
    func numeric(
      _ key: String, _ label: String, _ unit: Unit?, _ higher: Bool?, _ values: [Double?],
      marks: [String]? = nil
    ) {
      let texts = values.enumerated().map { index, value -> String in
        guard let value else { return "—" }
        let mark = marks.map { $0[index].isEmpty ? "" : " (\($0[index]))" } ?? ""
        if let unit { return Humanize.format(value, unit: unit) + mark }
        return Humanize.fixed(value, decimals: 1) + mark
      }
      var best: Int? = nil
      if let higher {
        let present = values.enumerated().compactMap { i, v in
          (marks?[i].isEmpty ?? true) ? v.map { (i, $0) } : nil
        }
        if present.count > 1 {
          best = (higher ? present.max { $0.1 < $1.1 } : present.min { $0.1 < $1.1 })?.0
        }
      }
      // pdiff = (L − R) / R against the baseline; the baseline's own cell has none.
      let relative: [Double?] = values.enumerated().map { index, value in
        guard let baselineIndex, index != baselineIndex, let value,
          let reference = values[baselineIndex],
          reference != 0
        else { return nil }
        return (value - reference) / reference
      }
      rows.append(
        .init(
          key: key, label: label, unit: unit, higherIsBetter: higher, values: values, texts: texts,
          best: best, relative: relative))
    }
    func text(_ key: String, _ label: String, _ texts: [String]) {
      rows.append(
        .init(
          key: key, label: label, unit: nil, higherIsBetter: nil, values: texts.map { _ in nil },
          texts: texts, best: nil, relative: texts.map { _ in nil }))
    }
    for (key, label, unit, higher) in ComparisonTable.metricRows
    where metrics?.contains(key) ?? true {
      numeric(
        key, label, unit, higher, columns.map { $0.figures.values[key] },
        marks: columns.map { column in
          [
            column.figures.estimates[key] == nil ? nil : "est.",
            column.figures.imported[key] == nil ? nil : "imp.",
          ].compactMap { $0 }.joined(separator: ", ")
        })
    }
    let dimensionIDs = columns.first?.score.dimensions.map { ($0.id, $0.name) } ?? []
    for (id, name) in dimensionIDs where metrics?.contains("score.\(id)") ?? true {
      let dimensions = columns.map { c in c.score.dimensions.first { $0.id == id } }
      numeric(
        "score.\(id)", "score \(name)", nil, true, dimensions.map { $0?.score },
        marks: zip(columns, dimensions).map { column, dimension in
          guard let dimension else { return "" }
          var parts: [String] = []
          if !dimension.complete { parts.append("\(dimension.present)/\(dimension.metrics.count)") }
          if dimension.estimate { parts.append("est.") }
          if dimension.metrics.contains(where: {
            $0.value != nil && column.score.imported?[$0.key] != nil
          }) {
            parts.append("imp.")
          }
          return parts.joined(separator: ", ")
        })
    }
    if metrics?.contains("score.composite") ?? true {
      numeric(
        "score.composite", "composite", nil, true, columns.map(\.score.composite),
        marks: columns.map { column in
          var parts: [String] = []
          if !column.score.complete { parts.append("incomplete") }
          if column.score.estimate == true { parts.append("est.") }
          if column.score.imported != nil { parts.append("imp.") }
          return parts.joined(separator: ", ")
        })
      text("grade", "grade", columns.map(\.score.grade))
      text("classification", "profile", columns.map(\.score.classification))
      text(
        "skew", "算力偏科 FP16/FP64",
        columns.map { c in
          guard let half = c.score.skew.fp16, let double = c.score.skew.fp64, double > 0 else {
            return "—"
          }
          return Humanize.fixed(half / double, decimals: 1) + "× (rule: 4×)"
        })
    }
    text("nodes", "nodes", columns.map { "\($0.figures.nodes)" })
    if columns.contains(where: { !$0.outliers.isEmpty }) {
      text(
        "outliers", "outlier nodes",
        columns.map { $0.outliers.isEmpty ? "—" : $0.outliers.joined(separator: "; ") })
    }
    text("date", "date", columns.map(\.date))
    text("signature", "signature", columns.map(\.signature))
    self.rows = rows
  }
}
