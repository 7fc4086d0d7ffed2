/// RFC 8785, the JSON Canonicalization Scheme: members sorted by the UTF-16 code units of their
/// names, no insignificant whitespace, minimal string escaping, numbers as ECMAScript's
/// Number.prototype.toString prints them. `pretty` is the same text with indentation (for files
/// people read); both parse back to the same values.
public enum Canonicalizer {
  /// The canonical UTF-8 bytes of `node`.
  public static func canonical(_ node: JSONNode) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(4096)
    write(node, into: &out, indent: nil, level: 0)
    return out
  }

  /// Indented (2 spaces), members in canonical order, a final newline.
  public static func pretty(_ node: JSONNode) -> [UInt8] {
    var out: [UInt8] = []
    write(node, into: &out, indent: 2, level: 0)
    out.append(0x0A)
    return out
  }

  /// Parses `bytes` and returns their canonical form.
  public static func canonicalize(_ bytes: [UInt8]) throws -> [UInt8] {
    canonical(try JSONParser.parse(bytes))
  }

  private static func newline(_ out: inout [UInt8], _ indent: Int?, _ level: Int) {
    guard let indent else { return }
    out.append(0x0A)
    out.append(contentsOf: repeatElement(0x20, count: indent * level))
  }

  private static func write(_ node: JSONNode, into out: inout [UInt8], indent: Int?, level: Int) {
    switch node {
    case .null: out.append(contentsOf: "null".utf8)
    case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
    case .number(let x): out.append(contentsOf: number(x).utf8)
    case .string(let s): string(s, into: &out)
    case .array(let elements):
      out.append(UInt8(ascii: "["))
      for (i, element) in elements.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        newline(&out, indent, level + 1)
        write(element, into: &out, indent: indent, level: level + 1)
      }
      if !elements.isEmpty { newline(&out, indent, level) }
      out.append(UInt8(ascii: "]"))
    case .object(let members):
      out.append(UInt8(ascii: "{"))
      // UTF-16 code-unit order; each name's code units computed once.
      let sorted = members.map { (Array($0.0.utf16), $0) }.sorted {
        $0.0.lexicographicallyPrecedes($1.0)
      }.map(\.1)
      for (i, (name, value)) in sorted.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        newline(&out, indent, level + 1)
        string(name, into: &out)
        out.append(UInt8(ascii: ":"))
        if indent != nil { out.append(0x20) }
        write(value, into: &out, indent: indent, level: level + 1)
      }
      if !members.isEmpty { newline(&out, indent, level) }
      out.append(UInt8(ascii: "}"))
    }
  }

  /// RFC 8785 §3.2.2.2: escape only '"', '\\' and controls below U+0020 (the short forms \b \t
  /// \n \f \r, else \u00xx in lower-case hex); everything else as UTF-8.
  private static func string(_ s: String, into out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for byte in s.utf8 {
      switch byte {
      case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
      case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
      case 0x08: out.append(contentsOf: "\\b".utf8)
      case 0x09: out.append(contentsOf: "\\t".utf8)
      case 0x0A: out.append(contentsOf: "\\n".utf8)
      case 0x0C: out.append(contentsOf: "\\f".utf8)
      case 0x0D: out.append(contentsOf: "\\r".utf8)
      case 0..<0x20:
        let hex = Array("0123456789abcdef".utf8)
        out.append(contentsOf: "\\u00".utf8)
        out.append(hex[Int(byte >> 4)])
        out.append(hex[Int(byte & 0xF)])
      default: out.append(byte)
      }
    }
    out.append(UInt8(ascii: "\""))
  }

  /// ECMAScript Number::toString(x) for a finite double (ECMA-262 §6.1.6.1.20), as RFC 8785
  /// requires. The shortest digits that round-trip, closest to x (what Swift's `description`
  /// prints, and what ECMAScript asks for), placed by these rules, with k digits and the
  /// decimal exponent n such that x = 0.d₁…d_k × 10ⁿ:
  /// k ≤ n ≤ 21 → digits then n−k zeros; 0 < n ≤ 21 → point after n digits;
  /// −6 < n ≤ 0 → "0." then −n zeros then digits; otherwise d₁[.d₂…d_k]e±(n−1).
  /// −0 prints "0". Callers never pass NaN or infinities (the parser refuses them).
  public static func number(_ x: Double) -> String {
    precondition(x.isFinite, "RFC 8785 cannot represent \(x)")
    if x == 0 { return "0" }
    let (digits, n) = shortestDigits(abs(x))
    let k = digits.count
    var text: String
    if k <= n && n <= 21 {
      text = digits + String(repeating: "0", count: n - k)
    } else if 0 < n && n <= 21 {
      text = String(digits.prefix(n)) + "." + String(digits.dropFirst(n))
    } else if -6 < n && n <= 0 {
      text = "0." + String(repeating: "0", count: -n) + digits
    } else {
      let exponent = n - 1
      let mantissa = k == 1 ? digits : String(digits.prefix(1)) + "." + String(digits.dropFirst())
      text = mantissa + "e" + (exponent >= 0 ? "+" : "-") + String(abs(exponent))
    }
    return x < 0 ? "-" + text : text
  }

  /// The shortest round-trip decimal digits of a positive finite x (no leading or trailing
  /// zeros) and n with x = 0.digits × 10ⁿ, read off Swift's shortest round-trip `description`
  /// ("1.2345e-07", "100.0", "5e-324").
  static func shortestDigits(_ x: Double) -> (String, Int) {
    let text = x.description
    let parts = text.split(separator: "e", maxSplits: 1)
    let exponent = parts.count == 2 ? Int(parts[1])! : 0
    let mantissa = parts[0]
    let pointIndex = mantissa.firstIndex(of: ".")
    let integerPart = pointIndex.map { String(mantissa[..<$0]) } ?? String(mantissa)
    let fractionPart = pointIndex.map { String(mantissa[mantissa.index(after: $0)...]) } ?? ""
    var all = integerPart + fractionPart
    // Position of the decimal point within `all`, before stripping zeros.
    var point = integerPart.count + exponent
    while all.hasPrefix("0") {
      all.removeFirst()
      point -= 1
    }
    while all.hasSuffix("0") { all.removeLast() }
    return (all, point)
  }
}
