/// A strict RFC 8259 parser that also enforces what RFC 8785 needs: unique member names, no lone
/// surrogates, numbers that are finite doubles. Bounded: nesting deeper than `maximumDepth` is
/// refused rather than recursed into, and more than `maximumValues` values are refused rather
/// than built (a 40 MB array of 20 M numbers took 1.5 GB and 4 s to read before this limit).
public struct JSONParser {
  public static let maximumDepth = 512
  /// A report has a few thousand values; one with every sample of a long run, tens of thousands.
  public static let maximumValues = 2_000_000

  private let bytes: [UInt8]
  private var index = 0
  private var values = 0

  /// `maximumValues`: lower it to test the limit without building two million values.
  public static func parse(_ bytes: [UInt8], maximumValues: Int = maximumValues) throws -> JSONNode
  {
    var parser = JSONParser(bytes: bytes, maximumValues: maximumValues)
    parser.skipWhitespace()
    let value = try parser.value(depth: 0)
    parser.skipWhitespace()
    guard parser.index == bytes.count else {
      throw parser.error("unexpected data after the JSON value")
    }
    return value
  }

  private let valueLimit: Int

  private init(bytes: [UInt8], maximumValues: Int) {
    self.bytes = bytes
    self.valueLimit = maximumValues
  }

  private func error(_ message: String) -> SigningError { .json(offset: index, message: message) }

  private mutating func skipWhitespace() {
    while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
  }

  private mutating func value(depth: Int) throws -> JSONNode {
    guard depth < JSONParser.maximumDepth else {
      throw error("nesting deeper than \(JSONParser.maximumDepth) levels")
    }
    values += 1
    guard values <= valueLimit else {
      throw error("more than \(valueLimit) values; a report has a few thousand")
    }
    guard index < bytes.count else { throw error("unexpected end of input") }
    switch bytes[index] {
    case UInt8(ascii: "{"): return try object(depth: depth)
    case UInt8(ascii: "["): return try array(depth: depth)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): return try literal("true", .bool(true))
    case UInt8(ascii: "f"): return try literal("false", .bool(false))
    case UInt8(ascii: "n"): return try literal("null", .null)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
    default: throw error("expected a JSON value")
    }
  }

  private mutating func literal(_ text: String, _ node: JSONNode) throws -> JSONNode {
    let expected = Array(text.utf8)
    guard index + expected.count <= bytes.count,
      Array(bytes[index..<index + expected.count]) == expected
    else {
      throw error("expected \(text)")
    }
    index += expected.count
    return node
  }

  private mutating func object(depth: Int) throws -> JSONNode {
    index += 1
    var members: [(String, JSONNode)] = []
    var names = Set<String>()
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
      index += 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
        throw error("expected a member name")
      }
      let start = index
      let name = try string()
      guard names.insert(name).inserted else {
        index = start
        throw error("duplicate member name \"\(name)\"")
      }
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
        throw error("expected ':'")
      }
      index += 1
      skipWhitespace()
      members.append((name, try value(depth: depth + 1)))
      skipWhitespace()
      guard index < bytes.count else { throw error("unexpected end of input in an object") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
      } else if bytes[index] == UInt8(ascii: "}") {
        index += 1
        return .object(members)
      } else {
        throw error("expected ',' or '}'")
      }
    }
  }

  private mutating func array(depth: Int) throws -> JSONNode {
    index += 1
    var elements: [JSONNode] = []
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
      index += 1
      return .array(elements)
    }
    while true {
      skipWhitespace()
      elements.append(try value(depth: depth + 1))
      skipWhitespace()
      guard index < bytes.count else { throw error("unexpected end of input in an array") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
      } else if bytes[index] == UInt8(ascii: "]") {
        index += 1
        return .array(elements)
      } else {
        throw error("expected ',' or ']'")
      }
    }
  }

  private mutating func hex4() throws -> UInt16 {
    guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
    var value: UInt16 = 0
    for _ in 0..<4 {
      let c = bytes[index]
      let digit: UInt16
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt16(c - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt16(c - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt16(c - UInt8(ascii: "A") + 10)
      default: throw error("invalid hex digit in a \\u escape")
      }
      value = value << 4 | digit
      index += 1
    }
    return value
  }

  private mutating func string() throws -> String {
    index += 1
    let start = index
    // Fast path: no escapes — one validation of the byte run.
    while index < bytes.count, bytes[index] != UInt8(ascii: "\""),
      bytes[index] != UInt8(ascii: "\\")
    {
      if bytes[index] < 0x20 { throw error("unescaped control character in a string") }
      index += 1
    }
    guard index < bytes.count else { throw error("unterminated string") }
    if bytes[index] == UInt8(ascii: "\"") {
      defer { index += 1 }
      guard let text = String(validating: bytes[start..<index], as: UTF8.self) else {
        throw error("invalid UTF-8 in a string")
      }
      return text
    }
    // With escapes: collect UTF-8 bytes, validate once at the end.
    var utf8 = Array(bytes[start..<index])
    while true {
      guard index < bytes.count else { throw error("unterminated string") }
      let c = bytes[index]
      if c == UInt8(ascii: "\"") {
        index += 1
        guard let text = String(validating: utf8, as: UTF8.self) else {
          throw error("invalid UTF-8 in a string")
        }
        return text
      }
      if c < 0x20 { throw error("unescaped control character in a string") }
      index += 1
      guard c == UInt8(ascii: "\\") else {
        utf8.append(c)
        continue
      }
      guard index < bytes.count else { throw error("unterminated escape") }
      let escape = bytes[index]
      index += 1
      switch escape {
      case UInt8(ascii: "\""): utf8.append(UInt8(ascii: "\""))
      case UInt8(ascii: "\\"): utf8.append(UInt8(ascii: "\\"))
      case UInt8(ascii: "/"): utf8.append(UInt8(ascii: "/"))
      case UInt8(ascii: "b"): utf8.append(0x08)
      case UInt8(ascii: "f"): utf8.append(0x0C)
      case UInt8(ascii: "n"): utf8.append(0x0A)
      case UInt8(ascii: "r"): utf8.append(0x0D)
      case UInt8(ascii: "t"): utf8.append(0x09)
      case UInt8(ascii: "u"):
        let unit = try hex4()
        var scalar: Unicode.Scalar
        if (0xD800...0xDBFF).contains(unit) {
          guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
            bytes[index + 1] == UInt8(ascii: "u")
          else { throw error("lone high surrogate \\u\(String(unit, radix: 16))") }
          index += 2
          let low = try hex4()
          guard (0xDC00...0xDFFF).contains(low) else {
            throw error("high surrogate not followed by a low one")
          }
          scalar = Unicode.Scalar(0x10000 + (UInt32(unit - 0xD800) << 10) + UInt32(low - 0xDC00))!
        } else if (0xDC00...0xDFFF).contains(unit) {
          throw error("lone low surrogate \\u\(String(unit, radix: 16))")
        } else {
          scalar = Unicode.Scalar(unit)!
        }
        utf8.append(contentsOf: UTF8.encode(scalar)!)
      default:
        throw error("invalid escape \\\(Character(Unicode.Scalar(escape)))")
      }
    }
  }

  private mutating func number() throws -> Double {
    let start = index
    if bytes[index] == UInt8(ascii: "-") { index += 1 }
    func digits(_ parser: inout JSONParser) -> Int {
      let from = parser.index
      while parser.index < parser.bytes.count,
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(parser.bytes[parser.index])
      {
        parser.index += 1
      }
      return parser.index - from
    }
    guard index < bytes.count else { throw error("truncated number") }
    if bytes[index] == UInt8(ascii: "0") {
      index += 1
    } else if digits(&self) == 0 {
      throw error("expected digits")
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      index += 1
      guard digits(&self) > 0 else { throw error("expected digits after '.'") }
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
      index += 1
      if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")
      {
        index += 1
      }
      guard digits(&self) > 0 else { throw error("expected exponent digits") }
    }
    let text = String(decoding: bytes[start..<index], as: UTF8.self)
    guard let value = Double(text), value.isFinite else {
      index = start
      throw error("number \(text) is outside the range of an IEEE-754 double")
    }
    return value
  }
}
