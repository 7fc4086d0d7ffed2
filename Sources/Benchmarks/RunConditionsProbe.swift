import Foundation
import ReportFormat

/// Measures what else used the node around a benchmark (Linux): the load average before it,
/// and from /proc/stat the busy and steal time of all CPUs minus this process's own CPU time
/// (getrusage, its children included).
public struct RunConditionsProbe: Sendable {
  struct Counters {
    var busyTicks: Double
    var stealTicks: Double
    var totalTicks: Double
  }

  let start: Counters?
  let ownStart: Double
  let startTime: Date
  let load: Double?
  let cpus: Int

  public init() {
    load = Self.loadAverage()
    start = Self.counters()
    ownStart = Self.ownCPUSeconds()
    startTime = Date()
    cpus = max(1, ProcessInfo.processInfo.activeProcessorCount)
  }

  public func finish() -> RunConditions {
    let seconds = Date().timeIntervalSince(startTime)
    guard let start, let end = Self.counters(), seconds > 0 else {
      return RunConditions(
        loadBefore: load, otherCPUShare: nil, stealShare: nil, seconds: seconds,
        source: "/proc/stat unreadable: not measured")
    }
    let hertz = Double(sysconf(Int32(_SC_CLK_TCK)))
    let capacity = seconds * Double(cpus)
    let busy = (end.busyTicks - start.busyTicks) / hertz
    let own = Self.ownCPUSeconds() - ownStart
    let steal = (end.stealTicks - start.stealTicks) / hertz
    return RunConditions(
      loadBefore: load, otherCPUShare: min(1, max(0, (busy - own) / capacity)),
      stealShare: min(1, max(0, steal / capacity)), seconds: seconds,
      source: "/proc/stat (all CPUs) minus getrusage of the benchmark process, \(cpus) CPUs")
  }

  /// The results with the conditions they were measured under.
  public static func attach(_ results: [BenchmarkResult], _ conditions: RunConditions)
    -> [BenchmarkResult]
  {
    results.map { result in
      var result = result
      if result.status == .ok || result.status == .invalid { result.conditions = conditions }
      return result
    }
  }

  /// The "cpu" line of /proc/stat: user nice system idle iowait irq softirq steal (ticks).
  static func counters() -> Counters? {
    guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
      let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") })
    else { return nil }
    let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
    guard fields.count >= 8 else { return nil }
    let busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6]
    return Counters(
      busyTicks: busy, stealTicks: fields[7], totalTicks: fields.prefix(8).reduce(0, +))
  }

  static func loadAverage() -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else {
      return nil
    }
    return text.split(separator: " ").first.flatMap { Double($0) }
  }

  static func ownCPUSeconds() -> Double {
    var total = 0.0
    for who in [RUSAGE_SELF, RUSAGE_CHILDREN] {
      var usage = rusage()
      getrusage(who.rawValue, &usage)
      total +=
        Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
    }
    return total
  }
}
