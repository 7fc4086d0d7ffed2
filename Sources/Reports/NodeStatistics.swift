import Measurement
import ReportFormat

/// The job block's node statistics: each node metric's spread over the nodes of a job and the
/// outlier nodes. Computed when a job's report is assembled, and again by `verify`, which
/// requires the report's own to follow from its node results.
public enum NodeStatistics {
  /// A node worse than the median by more than this fraction is an outlier: 5 % (SuperBench's
  /// default rule), wider where a metric is known to be noisy on shared machines.
  public static func tolerance(id: String, metric: String) -> Double {
    if id.hasPrefix("stream") || id == "hpcg" { return 0.10 }  // memory-bound: noisier
    if id.hasPrefix("c2c") || metric.hasPrefix("latency") { return 0.15 }
    return 0.05
  }

  /// For every rate, bandwidth and latency that two or more nodes measured validly: min,
  /// median, max and CV over the nodes, and the nodes worse than the median by more than the
  /// metric's tolerance.
  public static func compute(_ results: [BenchmarkResult], nodes: [NodeRecord])
    -> [NodeStatistic]
  {
    struct Key: Hashable {
      var id: String
      var metric: String
      var size: Int?
    }
    var values: [Key: [(node: Int, metric: Metric)]] = [:]
    var order: [Key] = []
    // GPU results (a device per result) are per device, not per node: not in these figures.
    for result in results where result.scope == .node && result.status == .ok && result.device == nil {
      guard let node = result.node else { continue }
      for metric in result.metrics where counts(metric) {
        let key = Key(id: result.id, metric: metric.name, size: metric.size)
        if values[key] == nil { order.append(key) }
        values[key, default: []].append((node, metric))
      }
    }
    return order.compactMap { key in
      guard let entries = values[key], entries.count >= 2, let first = entries.first?.metric,
        let statistics = Statistics(entries.map(\.metric.value))
      else { return nil }
      let tolerance = tolerance(id: key.id, metric: key.metric)
      let median = statistics.median
      let outliers = entries.compactMap { entry -> NodeStatistic.Outlier? in
        guard median != 0 else { return nil }
        let ratio = entry.metric.value / median
        let worse =
          first.polarity == .higherIsBetter ? ratio < 1 - tolerance : ratio > 1 + tolerance
        guard worse else { return nil }
        let host = nodes.indices.contains(entry.node) ? nodes[entry.node].hostname : "?"
        return NodeStatistic.Outlier(
          node: entry.node, hostname: host, value: entry.metric.value, ratioToMedian: ratio)
      }
      return NodeStatistic(
        id: key.id, metric: key.metric, size: key.size, unit: first.unit,
        polarity: first.polarity, nodes: entries.count, min: statistics.min, median: median,
        max: statistics.max, cv: statistics.cv, tolerance: tolerance, outliers: outliers)
    }
  }

  /// Rates, bandwidths and latencies: what a slow node shows in.
  static func counts(_ metric: Metric) -> Bool {
    switch metric.unit {
    case .flopsPerSecond, .bytesPerSecond: return !metric.name.hasSuffix("Median")
    case .seconds: return metric.name.hasPrefix("latency")
    default: return false
    }
  }
}
