import Comparison
import Foundation
@preconcurrency import Rainbow

/// Where output goes and whether it is coloured: colour only on a TTY and never with NO_COLOR
/// (Rainbow checks both for stdout).
enum Terminal {
  /// Under an MPI launcher stdout is a pseudo-terminal even when mpirun's output goes to a log:
  /// no colour there.
  static func configure() {
    let environment = ProcessInfo.processInfo.environment
    if environment["OMPI_COMM_WORLD_SIZE"] != nil || environment["PMI_SIZE"] != nil
      || environment["PMIX_RANK"] != nil
    {
      Rainbow.enabled = false
    }
  }

  static func error(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
  }

  /// A progress line on stderr (stdout stays parseable).
  static func progress(_ line: String) {
    FileHandle.standardError.write(Data(("· " + line + "\n").utf8))
  }

  static func ok(_ text: String) -> String { text.green }
  static func bad(_ text: String) -> String { text.red }
  static func dim(_ text: String) -> String { text.dim }
  static func bold(_ text: String) -> String { text.bold }
}

/// A plain-text table: cells are padded as plain text first, then `style` colours whole cells,
/// so escape codes never disturb the alignment.
struct TextTable {
  enum Alignment { case left, right }
  var headers: [String]
  var alignments: [Alignment]
  var rows: [[String]] = []

  init(_ headers: [String], alignments: [Alignment]) {
    self.headers = headers
    self.alignments = alignments
  }

  mutating func add(_ row: [String]) { rows.append(row) }

  func render(style: (Int, Int, String) -> String = { _, _, text in text }) -> String {
    let widths = headers.indices.map { column in
      ([headers[column]] + rows.map { column < $0.count ? $0[column] : "" }).map(\.displayWidth)
        .max() ?? 0
    }
    func line(_ cells: [String], row: Int) -> String {
      headers.indices.map { column in
        let text = column < cells.count ? cells[column] : ""
        let padding = String(repeating: " ", count: widths[column] - text.displayWidth)
        let padded = alignments[column] == .left ? text + padding : padding + text
        return row < 0 ? padded : style(row, column, padded)
      }.joined(separator: "  ").trimmingTrailingSpaces()
    }
    var lines = [Terminal.bold(line(headers, row: -1))]
    lines.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
    for (index, row) in rows.enumerated() { lines.append(line(row, row: index)) }
    return lines.joined(separator: "\n")
  }
}

extension String {
  func trimmingTrailingSpaces() -> String {
    var text = self
    while text.hasSuffix(" ") { text.removeLast() }
    return text
  }
}
