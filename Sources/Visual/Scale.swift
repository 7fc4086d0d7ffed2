import Foundation

/// Maps values to pixels: linear or logarithmic (base 10, or 2 for message sizes), with ticks.
struct Scale {
  enum Kind { case linear, log10, log2 }

  let kind: Kind
  let domain: (Double, Double)
  let range: (Double, Double)

  /// A log scale covering `values` (positive ones) rounded out to whole powers.
  static func logCovering(_ values: [Double], base: Kind = .log10, range: (Double, Double)) -> Scale
  {
    let positive = values.filter { $0 > 0 && $0.isFinite }
    let b = base == .log2 ? 2.0 : 10.0
    guard let low = positive.min(), let high = positive.max() else {
      return Scale(kind: base, domain: (1, b), range: range)
    }
    var lower = pow(b, floor(log(low) / log(b)))
    var upper = pow(b, ceil(log(high) / log(b)))
    if upper <= lower { upper = lower * b }
    if lower == upper { lower /= b }
    return Scale(kind: base, domain: (lower, upper), range: range)
  }

  static func linearFromZero(to maximum: Double, range: (Double, Double)) -> Scale {
    Scale(kind: .linear, domain: (0, maximum > 0 ? niceCeiling(maximum) : 1), range: range)
  }

  /// 1, 2 or 5 times a power of ten, at least `value`.
  static func niceCeiling(_ value: Double) -> Double {
    let power = pow(10, floor(log10(value)))
    for step in [1.0, 2, 5, 10] where step * power >= value { return step * power }
    return 10 * power
  }

  private func transform(_ value: Double) -> Double {
    switch kind {
    case .linear: return value
    case .log10: return log10(max(value, .leastNormalMagnitude))
    case .log2: return log2(max(value, .leastNormalMagnitude))
    }
  }

  func callAsFunction(_ value: Double) -> Double {
    let a = transform(domain.0)
    let b = transform(domain.1)
    let t = b == a ? 0 : (transform(value) - a) / (b - a)
    return range.0 + t * (range.1 - range.0)
  }

  func contains(_ value: Double) -> Bool {
    value >= domain.0 * (1 - 1e-12) && value <= domain.1 * (1 + 1e-12)
  }

  /// Tick values: every power for log scales (every other power of 2 past 16 ticks), 5 steps
  /// for linear ones.
  var ticks: [Double] {
    switch kind {
    case .linear:
      let step = domain.1 / 5
      return (0...5).map { Double($0) * step }
    case .log10, .log2:
      let b = kind == .log2 ? 2.0 : 10.0
      let first = Int((log(domain.0) / log(b)).rounded())
      let last = Int((log(domain.1) / log(b)).rounded())
      let stride = kind == .log2 && last - first > 16 ? 2 : 1
      return Swift.stride(from: first, through: last, by: stride).map { pow(b, Double($0)) }
    }
  }
}
