/// Formats values with SI prefixes for terminals: 2.25e10 B/s -> "22.5 GB/s".
public enum Humanize {
  private static let prefixes: [(Double, String)] = [
    (1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1, ""),
  ]
  private static let subPrefixes: [(Double, String)] = [(1e-3, "m"), (1e-6, "µ"), (1e-9, "n")]

  /// Three significant digits with an SI prefix. Sub-unit prefixes only for seconds.
  public static func format(_ value: Double, unit: Unit, digits: Int = 3) -> String {
    guard value.isFinite else { return "n/a" }
    let symbol =
      unit == .flopsPerSecond ? "FLOPS" : unit == .flopsPerJoule ? "FLOPS/W" : unit.symbol
    if unit == .ratio { return significant(value, digits: digits) }
    let magnitude = abs(value)
    if magnitude == 0 { return "0 \(symbol)" }
    if unit == .seconds || unit == .joules || unit == .watts, magnitude < 1 {
      for (scale, prefix) in subPrefixes where magnitude >= scale {
        return "\(significant(value / scale, digits: digits)) \(prefix)\(symbol)"
      }
      return "\(significant(value / 1e-9, digits: digits)) n\(symbol)"
    }
    let base: Double = unit == .bytes ? 1024 : 1000
    if unit == .bytes {
      let binary: [(Double, String)] = [
        (base * base * base * base, "TiB"), (base * base * base, "GiB"), (base * base, "MiB"),
        (base, "KiB"),
      ]
      for (scale, name) in binary where magnitude >= scale {
        return "\(significant(value / scale, digits: digits)) \(name)"
      }
      return "\(Int(value)) B"
    }
    for (scale, prefix) in prefixes where magnitude >= scale {
      return "\(significant(value / scale, digits: digits)) \(prefix)\(symbol)"
    }
    return "\(significant(value, digits: digits)) \(symbol)"
  }

  /// `value` rounded to `digits` significant digits, without exponent notation.
  public static func significant(_ value: Double, digits: Int) -> String {
    guard value.isFinite else { return "n/a" }
    if value == 0 { return "0" }
    let magnitude = Int((abs(value)).log10Floor)
    let decimals = Swift.max(0, digits - 1 - magnitude)
    return fixed(value, decimals: decimals)
  }

  /// Fixed-point formatting with `decimals` digits after the point (no Foundation needed).
  public static func fixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return "n/a" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (abs(value) * scale).rounded()
    let negative = value < 0 && rounded != 0
    let integer = rounded / scale
    let whole = integer.rounded(.down)
    var text = String(Int64(whole))
    if decimals > 0 {
      var fraction = String(Int64(rounded - whole * scale))
      while fraction.count < decimals { fraction = "0" + fraction }
      text += "." + fraction
    }
    return negative ? "-" + text : text
  }
}

extension Double {
  fileprivate var log10Floor: Double {
    var exponent = 0.0
    var v = self
    while v >= 10 {
      v /= 10
      exponent += 1
    }
    while v < 1 {
      v *= 10
      exponent -= 1
    }
    return exponent
  }
}
