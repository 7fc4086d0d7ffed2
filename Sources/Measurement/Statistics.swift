import Foundation

/// Summary statistics of a set of samples, computed once when a result is made.
public struct Statistics: Codable, Sendable, Equatable {
  public var count: Int
  public var min: Double
  public var median: Double
  public var max: Double
  public var mean: Double
  /// Coefficient of variation: sample standard deviation / mean (0 for one sample).
  public var cv: Double

  /// Returns nil for an empty sample set or one with a non-finite value: statistics of those
  /// would be meaningless, and callers must say so rather than print NaN.
  public init?(_ samples: [Double]) {
    guard !samples.isEmpty, samples.allSatisfy(\.isFinite) else { return nil }
    let sorted = samples.sorted()
    let n = sorted.count
    count = n
    min = sorted[0]
    max = sorted[n - 1]
    median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    let mean = sorted.reduce(0, +) / Double(n)
    self.mean = mean
    if n > 1, mean != 0 {
      let variance = sorted.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
      cv = variance.squareRoot() / abs(mean)
    } else {
      cv = 0
    }
  }

  /// The nearest-rank value at fraction `p` (0...1) of `samples` (p = 0.99: the 99th percentile);
  /// nil for no samples.
  public static func percentile(_ samples: [Double], _ p: Double) -> Double? {
    guard !samples.isEmpty else { return nil }
    let sorted = samples.sorted()
    return sorted[Swift.min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))]
  }

  /// exp(mean(log x)): nil for no values, 0 when any is not positive.
  public static func geometricMean(_ values: [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    guard values.allSatisfy({ $0 > 0 }) else { return 0 }
    return exp(values.map { log($0) }.reduce(0, +) / Double(values.count))
  }
}
