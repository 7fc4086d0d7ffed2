import Foundation

/// A log that cannot be imported: one line naming the file, the line and what was expected.
public struct ImportError: Error, CustomStringConvertible, Equatable {
  public var file: String
  public var line: Int?
  public var message: String

  public init(file: String, line: Int? = nil, _ message: String) {
    self.file = file
    self.line = line
    self.message = message
  }

  public var description: String {
    "\(file)\(line.map { ":\($0)" } ?? ""): \(message)"
  }
}

/// A log as numbered lines, bounded: the parsers read nothing else.
public struct LogText: Sendable {
  public static let maximumBytes = 64 << 20
  public static let maximumLines = 2_000_000
  public static let maximumLineLength = 65_536

  public let file: String
  /// The lines without their terminators; `lines[i]` is line i + 1.
  public let lines: [Substring]
  public let text: String

  /// Decodes UTF-8 (a log must be text) and splits it into lines, within the bounds.
  public init(bytes: [UInt8], file: String) throws(ImportError) {
    guard bytes.count <= LogText.maximumBytes else {
      throw ImportError(file: file, "\(bytes.count) bytes: a log may have at most 64 MiB")
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw ImportError(file: file, "not UTF-8 text (a log is text)")
    }
    if bytes.contains(0) { throw ImportError(file: file, "contains NUL bytes: not a text log") }
    try self.init(text: text, file: file)
  }

  public init(text: String, file: String) throws(ImportError) {
    self.file = file
    self.text = text
    let json = text.prefix(64).drop(while: { $0.isWhitespace }).first == "{"
    var lines: [Substring] = []
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    {
      guard lines.count < LogText.maximumLines else {
        throw ImportError(file: file, "more than \(LogText.maximumLines) lines")
      }
      // A JSON document (nccl-tests -J) may be one long line: JSONSerialization reads it.
      guard line.utf8.count <= LogText.maximumLineLength || json else {
        throw ImportError(
          file: file, line: index + 1, "a line of \(line.utf8.count) bytes (at most 65536)")
      }
      lines.append(line.hasSuffix("\r") ? line.dropLast() : line)
    }
    self.lines = lines
  }

  public func error(_ line: Int?, _ message: String) -> ImportError {
    ImportError(file: file, line: line, message)
  }

  /// The first line (1-based) containing `text` at or after `from`.
  public func find(_ text: String, from: Int = 1) -> Int? {
    guard from <= lines.count else { return nil }
    for number in max(1, from)...lines.count where lines[number - 1].contains(text) {
      return number
    }
    return nil
  }

  public func line(_ number: Int) -> Substring { lines[number - 1] }
}

/// Numbers as logs print them: finite only ("nan", "inf", overflow are refused).
enum LogNumber {
  static func double<S: StringProtocol>(_ text: S) -> Double? {
    guard let value = Double(String(text)), value.isFinite else { return nil }
    return value
  }

  static func int<S: StringProtocol>(_ text: S) -> Int? { Int(String(text)) }

  static func fields(_ line: Substring) -> [Substring] {
    line.split(whereSeparator: { $0 == " " || $0 == "\t" })
  }
}
