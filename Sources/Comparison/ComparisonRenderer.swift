import Foundation
import Measurement

/// Renders a comparison as a terminal table (plain text first; colour is applied by the
/// caller-provided styler to whole padded cells, so alignment never depends on escape codes),
/// Markdown, CSV or JSON.
public enum ComparisonRenderer {
  public enum Style: Sendable { case none, best, better, worse, flagged }

  /// Cell text with the baseline's relative difference and the best mark.
  public static func cell(_ row: ComparisonRow, _ index: Int) -> String {
    var text = row.texts[index]
    if let relative = row.relative[index], relative != 0 || row.values[index] != nil {
      let sign = relative >= 0 ? "+" : "−"
      if row.relative.contains(where: { $0 != nil }) {
        text += " (\(sign)\(Humanize.fixed(abs(relative) * 100, decimals: 1))%)"
      }
    }
    if row.best == index { text += " *" }
    return text
  }

  static func style(_ row: ComparisonRow, _ index: Int) -> Style {
    if row.key == "signature" {
      let text = row.texts[index]
      return text.hasPrefix("trusted") ? .none : .flagged
    }
    if let relative = row.relative[index], let higher = row.higherIsBetter, relative != 0 {
      return (relative > 0) == higher ? .better : .worse
    }
    return row.best == index ? .best : .none
  }

  /// A table that fits `width` columns: centers as columns when they fit, else one block per
  /// group of centers (wrapped), or with `transpose` centers as rows. Cells are never broken.
  public static func table(
    _ table: ComparisonTable, width: Int, transpose: Bool = false,
    styler: (Style, String) -> String = { $1 }
  ) -> String {
    if transpose { return transposed(table, styler: styler) }
    let labelWidth = table.rows.map { $0.label.displayWidth }.max() ?? 0
    let cellWidths = table.centers.indices.map { i in
      max(table.centers[i].displayWidth, table.rows.map { cell($0, i).displayWidth }.max() ?? 0)
    }
    // Group centers so each block fits the width.
    var groups: [[Int]] = [[]]
    var used = labelWidth
    for i in table.centers.indices {
      let needed = 2 + cellWidths[i]
      if !groups[groups.count - 1].isEmpty, used + needed > width {
        groups.append([])
        used = labelWidth
      }
      groups[groups.count - 1].append(i)
      used += needed
    }
    var blocks: [String] = []
    for group in groups where !group.isEmpty {
      var lines: [String] = []
      lines.append(
        pad("", labelWidth)
          + group.map { "  " + pad(table.centers[$0], cellWidths[$0], right: true) }.joined())
      lines.append(
        String(repeating: "─", count: labelWidth)
          + group.map { "  " + String(repeating: "─", count: cellWidths[$0]) }.joined())
      for row in table.rows {
        var line = pad(row.label, labelWidth)
        for i in group {
          var padded = pad(
            cell(row, i), cellWidths[i], right: row.values[i] != nil || row.higherIsBetter != nil)
          // The last cell's padding is trimmed before colouring, as the plain line's is after.
          if i == group.last { padded = padded.trimmingTrailing() }
          line += "  " + styler(style(row, i), padded)
        }
        lines.append(line.trimmingTrailing())
      }
      blocks.append(lines.joined(separator: "\n"))
    }
    var out = blocks.joined(separator: "\n\n")
    if !table.notes.isEmpty {
      out += "\n" + table.notes.map { "note: " + $0 }.joined(separator: "\n")
    }
    if table.rows.contains(where: { $0.best != nil }) { out += "\n* best of the row" }
    if let legend = legend(table) { out += "\n" + legend }
    return out
  }

  /// What the marks mean, when a table has any: never ranked against conforming, complete values.
  public static func legend(_ table: ComparisonTable) -> String? {
    let texts = table.rows.flatMap(\.texts)
    var parts: [String] = []
    if texts.contains(where: { $0.contains("est.") }) {
      parts.append("est. = estimate: the measurement missed a run rule of the standard")
    }
    if texts.contains(where: { $0.range(of: #"\(\d+/\d+"#, options: .regularExpression) != nil }) {
      parts.append("k/n = a dimension from k of its n metrics")
    }
    if texts.contains(where: { $0.contains("imp.") }) {
      parts.append(
        "imp. = imported from another tool's log (verified from the log), not measured by Suanli")
    }
    if texts.contains(where: { $0.contains("incomplete") }) {
      parts.append("incomplete = a composite over incomplete dimensions")
    }
    guard !parts.isEmpty else { return nil }
    return (parts + ["none of these is ranked"]).map { "note: " + $0 }.joined(separator: "\n")
  }

  static func transposed(_ table: ComparisonTable, styler: (Style, String) -> String) -> String {
    var lines: [String] = []
    for (i, center) in table.centers.enumerated() {
      lines.append(center)
      let width = table.rows.map { $0.label.displayWidth }.max() ?? 0
      for row in table.rows {
        lines.append("  " + pad(row.label, width) + "  " + styler(style(row, i), cell(row, i)))
      }
    }
    if !table.notes.isEmpty { lines += table.notes.map { "note: " + $0 } }
    return lines.joined(separator: "\n")
  }

  public static func markdown(_ table: ComparisonTable) -> String {
    func escape(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
    var lines = ["| metric | " + table.centers.map(escape).joined(separator: " | ") + " |"]
    lines.append("|---|" + table.centers.map { _ in "---:|" }.joined())
    for row in table.rows {
      lines.append(
        "| " + escape(row.label) + " | "
          + table.centers.indices.map { escape(cell(row, $0)) }.joined(separator: " | ") + " |")
    }
    lines += table.notes.map { "\nnote: " + $0 }
    return lines.joined(separator: "\n")
  }

  public static func csv(_ table: ComparisonTable) -> String {
    func field(_ s: String) -> String {
      s.contains(",") || s.contains("\"") || s.contains("\n")
        ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
    var lines = [(["metric", "unit"] + table.centers).map(field).joined(separator: ",")]
    for row in table.rows {
      let cells = table.centers.indices.map { i in
        // An imported figure is never a bare number: it keeps its label in every format.
        row.values[i].map { String($0) + (row.texts[i].contains("imp.") ? " (imp.)" : "") }
          ?? (row.higherIsBetter == nil ? row.texts[i] : "")
      }
      lines.append(([row.key, row.unit?.symbol ?? ""] + cells).map(field).joined(separator: ","))
    }
    return lines.joined(separator: "\n")
  }

  public static func json(_ table: ComparisonTable) throws -> String {
    struct Row: Encodable {
      var key: String
      var label: String
      var unit: String?
      var higherIsBetter: Bool?
      var values: [Double?]
      var texts: [String]
      var best: String?
      var relative: [Double?]?
    }
    struct Document: Encodable {
      var centers: [String]
      var rows: [Row]
      var notes: [String]
    }
    let document = Document(
      centers: table.centers,
      rows: table.rows.map {
        Row(
          key: $0.key, label: $0.label, unit: $0.unit?.symbol, higherIsBetter: $0.higherIsBetter,
          values: $0.values, texts: $0.texts,
          best: $0.best.map { table.centers[$0] },
          relative: $0.relative.contains { $0 != nil } ? $0.relative : nil)
      }, notes: table.notes)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(document), as: UTF8.self)
  }

  static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.displayWidth))
    return right ? padding + text : text + padding
  }
}

extension String {
  /// Terminal columns: East Asian wide characters take two.
  public var displayWidth: Int {
    unicodeScalars.reduce(0) { width, scalar in
      let v = scalar.value
      let wide =
        (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v)
        || (0xAC00...0xD7A3).contains(v)
        || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
        || (0xFF00...0xFF60).contains(v)
        || (0xFFE0...0xFFE6).contains(v) || (0x20000...0x3FFFD).contains(v)
      return width + (wide ? 2 : 1)
    }
  }

  func trimmingTrailing() -> String {
    var text = self
    while text.hasSuffix(" ") { text.removeLast() }
    return text
  }
}
