import Measurement
import ReportFormat

/// The figures of one center, from one or more node reports: what the standard scores.
///
/// Aggregation (only valid results count): rates and bandwidths of node benchmarks (flop/s,
/// B/s) add up across nodes, each metric and precision on its own — FP64, FP32 and FP16 are
/// never added together. Efficiency is recomputed as ΣRmax / ΣRpeak. Interconnect figures
/// (mpi.*, c2c.*) describe the fabric, not a node: the median across reports. Other ratios
/// (residuals, errors): the worst. Several reports from one host (a quick run and an
/// interconnect run) describe one node: per metric the newest report's value counts, once.
///
/// Accelerators (schema v2 results with a device): each GPU's figure counts on its own and a
/// node's figure is the sum over its GPUs (eight H100s: eight times one's FP16 rate); the
/// same benchmark on the node's CPUs then does not add to it. A fake device's figures (made
/// with Suanli's test libraries) are marked as estimates ("fake-device"), never ranked.
///
/// A job of several nodes (schema v2) contributes each node's node results as that node's, and
/// its job results (distributed HPL, MPI) as the center's own: a job's figure replaces the sum
/// over nodes for the same metric (a center is rated by what its nodes do together), the
/// newest job's figure when there are several.
public struct CenterFigures: Sendable, Equatable {
  public var center: String
  public var nodes: Int
  /// "benchmark.metric" or "benchmark.metric@size" → value.
  public var values: [String: Double]
  /// Keys whose value comes from a measurement that missed the standard's run rules → the
  /// rules missed (an estimate). Empty without a standard with run rules.
  public var estimates: [String: [String]] = [:]
  /// Keys whose value was imported from another tool's log (verified from the log; included
  /// only when asked for) → the tool, e.g. "hpcc 1.5.0f". Shown with that label, never ranked
  /// as a measurement.
  public var imported: [String: String] = [:]
  /// Some figures were measured on accelerators (GPUs): the standard's accelerated tier applies.
  public var accelerated = false

  public static func key(_ benchmark: String, _ metric: String, size: Int?) -> String {
    "\(benchmark).\(metric)" + (size.map { "@\($0)" } ?? "")
  }

  /// One entry per center, in order of first appearance; `standard`'s run rules mark the
  /// figures that are estimates.
  public static func aggregate(
    _ reports: [Report], standard: EvaluationStandard? = nil, includeImported: Bool = false
  ) -> [CenterFigures] {
    var order: [String] = []
    var groups: [String: [Report]] = [:]
    for report in reports {
      if groups[report.center] == nil { order.append(report.center) }
      groups[report.center, default: []].append(report)
    }
    return order.map { center in
      combine(
        center: center, groups[center]!, standard: standard, includeImported: includeImported)
    }
  }

  static func combine(
    center: String, _ reports: [Report], standard: EvaluationStandard?, includeImported: Bool
  ) -> CenterFigures {
    typealias Entry = (
      value: Double, metric: Metric, result: BenchmarkResult, createdAt: String, missed: [String]
    )
    // A measured figure beats an imported one for the same metric; otherwise the newest counts.
    func replaces(_ new: Entry, _ old: Entry?) -> Bool {
      guard let old else { return true }
      if (old.result.imported == nil) != (new.result.imported == nil) {
        return new.result.imported == nil
      }
      return new.createdAt >= old.createdAt
    }
    // Several reports of one host describe one node: per host (reports without node records
    // count as hosts of their own) and metric, the newest value.
    var perHost: [String: [String: Entry]] = [:]
    var perJob: [String: Entry] = [:]
    var largestJob = 0
    for (index, report) in reports.enumerated() {
      let reportHost =
        report.nodes.isEmpty
        ? "report #\(index)" : report.nodes.map(\.hostname).sorted().joined(separator: ",")
      let names = report.nodes.map(\.hostname)
      largestJob = max(largestJob, report.nodes.count)
      for result in report.results where result.valid {
        // Imported figures count only when asked for, and only those the log verifies.
        if let imported = result.imported {
          guard includeImported, imported.validity == .verifiedFromLog else { continue }
        }
        var missed = standard?.missedRules(result, in: report) ?? []
        // A fake device's figure (Suanli's test libraries) is never a measurement: it is
        // labelled like an estimate and never ranked as the real thing.
        if result.device?.fake == true { missed.append("fake-device") }
        for metric in result.metrics {
          let name = key(result.id, metric.name, size: metric.size)
          let entry = (metric.value, metric, result, report.createdAt, missed)
          if result.scope == .job {
            if replaces(entry, perJob[name]) { perJob[name] = entry }
            continue
          }
          // A node of a job: its host name, made unique by its index where names repeat.
          var host = reportHost
          if let node = result.node, names.indices.contains(node) {
            host =
              names.filter { $0 == names[node] }.count > 1 ? "\(names[node])#\(node)" : names[node]
          }
          // Each accelerator of a node counts on its own (its figures add up over the node's
          // devices); the host's name with the device's id keeps them apart.
          if let device = result.device { host += "@" + device.id }
          if replaces(entry, perHost[host]?[name]) { perHost[host, default: [:]][name] = entry }
        }
      }
    }
    // Where a node measured a figure on its accelerators, they are its figure: the same
    // benchmark on its CPUs (gemm.fp16 on the host beside the GPUs) does not add to them.
    for host in perHost.keys where !host.contains("@") {
      for name in perHost[host]!.keys
      where perHost.contains(where: { $0.key.hasPrefix(host + "@") && $0.value[name] != nil }) {
        perHost[host]![name] = nil
      }
    }
    var perKey: [String: [Entry]] = [:]
    for host in perHost.keys.sorted() {
      for (name, entry) in perHost[host]! { perKey[name, default: []].append(entry) }
    }
    var values: [String: Double] = [:]
    var estimates: [String: [String]] = [:]
    for (name, entries) in perKey {
      let missed = Set(entries.flatMap(\.missed))
      if !missed.isEmpty { estimates[name] = missed.sorted() }
      let first = entries[0]
      let numbers = entries.map(\.value)
      if first.result.id.hasPrefix("mpi.") || first.result.id.hasPrefix("c2c.") {
        values[name] = median(numbers)
      } else if [.flopsPerJoule, .bytesPerJoule, .watts, .joules].contains(first.metric.unit) {
        // Energy adds up over nodes only where every node that ran the benchmark measured it
        // over the same scope (the metric's name carries the scope); a part of the nodes is no
        // center figure.
        let id = first.result.id
        let ran = (perKey[id + ".rate"] ?? perKey[id + ".bandwidth"])?.count ?? entries.count
        guard entries.count == ran else { continue }
        if first.metric.unit == .watts || first.metric.unit == .joules {
          values[name] = numbers.reduce(0, +)
        } else {
          // Σ work rate / Σ power: each node's power is its rate over its work per joule.
          let rates = entries.compactMap { entry in
            (entry.result.metric("rate") ?? entry.result.metric("bandwidth"))?.value
          }
          guard rates.count == numbers.count else { continue }
          let power = zip(rates, numbers).map { $0 / $1 }.reduce(0, +)
          values[name] = power > 0 ? rates.reduce(0, +) / power : nil
        }
      } else if [.flopsPerSecond, .operationsPerSecond, .bytesPerSecond].contains(first.metric.unit)
        || first.result.id == "io.capacity"
      {
        // Rates add up over nodes, each precision on its own; so does storage capacity.
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
    for (name, entry) in perJob {
      values[name] = entry.value
      estimates[name] = entry.missed.isEmpty ? nil : entry.missed
    }
    let hosts = Set(perHost.keys.map { $0.split(separator: "@").first.map(String.init) ?? $0 })
    var figures = CenterFigures(
      center: center, nodes: max(1, hosts.count, largestJob), values: values)
    figures.estimates = estimates
    figures.accelerated = perHost.keys.contains { $0.contains("@") }
    for entries in perKey.values + perJob.values.map({ [$0] }) {
      for entry in entries {
        if let imported = entry.result.imported {
          let name = key(entry.result.id, entry.metric.name, size: entry.metric.size)
          figures.imported[name] = imported.source
        }
      }
    }
    return figures
  }

  static func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
  }
}
