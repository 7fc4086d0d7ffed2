import Measurement
import ReportFormat

/// The figures of one center, from one or more node reports: what the standard scores.
///
/// Aggregation (only valid results count): rates and bandwidths of node benchmarks (flop/s,
/// B/s) add up across nodes, each metric and precision on its own — FP64, FP32 and FP16 are
/// never added together. Efficiency is recomputed as ΣRmax / ΣRpeak. Interconnect figures
/// (mpi.*, c2c.*) describe the fabric, not a node: the median across reports. Other ratios
/// (residuals, errors): the worst.
public struct CenterFigures: Sendable, Equatable {
  public var center: String
  public var nodes: Int
  /// "benchmark.metric" or "benchmark.metric@size" → value.
  public var values: [String: Double]

  public static func key(_ benchmark: String, _ metric: String, size: Int?) -> String {
    "\(benchmark).\(metric)" + (size.map { "@\($0)" } ?? "")
  }

  /// One entry per center, in order of first appearance.
  public static func aggregate(_ reports: [Report]) -> [CenterFigures] {
    var order: [String] = []
    var groups: [String: [Report]] = [:]
    for report in reports {
      if groups[report.center] == nil { order.append(report.center) }
      groups[report.center, default: []].append(report)
    }
    return order.map { center in combine(center: center, groups[center]!) }
  }

  static func combine(center: String, _ reports: [Report]) -> CenterFigures {
    var perKey: [String: [(value: Double, metric: Metric, result: BenchmarkResult)]] = [:]
    for report in reports {
      for result in report.results where result.valid {
        for metric in result.metrics {
          perKey[key(result.id, metric.name, size: metric.size), default: []].append(
            (metric.value, metric, result))
        }
      }
    }
    var values: [String: Double] = [:]
    for (name, entries) in perKey {
      let first = entries[0]
      let numbers = entries.map(\.value)
      if first.result.id.hasPrefix("mpi.") || first.result.id.hasPrefix("c2c.") {
        values[name] = median(numbers)
      } else if first.metric.unit == .flopsPerSecond || first.metric.unit == .bytesPerSecond {
        values[name] = numbers.reduce(0, +)
      } else if first.metric.name == "efficiency" {
        // ΣRmax / ΣRpeak, with each node's Rpeak = rate / efficiency.
        let rates = entries.compactMap { entry in entry.result.metric("rate")?.value }
        let peaks = zip(rates, numbers).map { $0 / $1 }
        values[name] =
          rates.count == numbers.count ? rates.reduce(0, +) / peaks.reduce(0, +) : median(numbers)
      } else if first.metric.polarity == .lowerIsBetter {
        values[name] = numbers.max()
      } else {
        values[name] = numbers.min()
      }
    }
    return CenterFigures(
      center: center, nodes: reports.reduce(0) { $0 + max(1, $1.nodes.count) }, values: values)
  }

  static func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
  }
}
