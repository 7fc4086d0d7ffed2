import Energy
import Foundation
import Measurement
import ReportFormat

/// `energy.idle`: the node's power while nothing runs, over a stated time — the context every
/// other energy figure needs (Green500 does not subtract it; a reader can see the dynamic part).
/// On a node without an energy source it is skipped with the reasons, never zero.
public enum EnergyIdleBenchmark {
  public static let id = "energy.idle"

  public static func descriptor() -> BenchmarkDescriptor {
    var descriptor = BenchmarkDescriptor(
      id: id, summary: "the node's idle power over a stated window, from every energy source",
      validity:
        "readings inside the window from every source (counters with wrap-around, at least 10 power readings, a BMC over 60 s or more); the window's other CPU use recorded",
      parameters: [
        ParameterSpec(
          name: "seconds", kind: .number(1...3600), defaultValue: .double(30),
          help: "length of the idle window"),
        ParameterSpec(
          name: "interval", kind: .number(0.01...10), defaultValue: .double(0.1),
          help: "seconds between readings of sysfs sources"),
      ],
      preflight: { _, _ in },
      run: { context, values in [run(context: context, values: values)] })
    descriptor.skipsWhereAbsent = true
    descriptor.measuresEnergyItself = true
    return descriptor
  }

  static func run(context: BenchmarkContext, values: ParameterValues) -> BenchmarkResult {
    let seconds = values.double("seconds")
    let found = EnergyProbe.host(packages: context.node.machine.packages).discover()
    guard !found.channels.isEmpty else {
      return .notRun(
        id: id, status: .skipped, parameters: values.values,
        reason: "skipped: " + found.summary)
    }
    let meter = EnergyMeter(channels: found.channels, interval: values.double("interval"))
    meter.start()
    context.progress("energy.idle: \(Humanize.significant(seconds, digits: 3)) s idle")
    let start = TimedRegions.begin()
    Thread.sleep(forTimeInterval: seconds)
    let elapsed = TimedRegions.end(start)
    let regions = meter.stop()
    let record = meter.energy(for: id, regions: regions, series: meter.readings)
    let primary = record?.primary
    let problems = (primary?.notes ?? []).filter { $0.contains("wrapped unseen") || $0.contains("went back") }
    let passed = primary != nil && problems.isEmpty
    let validation = Validation(
      check: "every source read through the window; counters monotonic after wrap-around",
      passed: passed, value: nil, bound: nil,
      detail: passed
        ? "\(primary!.scope): \(primary!.readings) readings inside the window"
        : (problems.first ?? record?.dropped.first ?? "no usable reading"))
    var metrics: [Metric] = []
    var notes: [String] = []
    if passed, let primary {
      let suffix = primary.nodeWide ? "" : "(\(primary.scope))"
      metrics.append(
        Metric(
          name: "averagePower" + suffix, value: primary.averageWatts, unit: .watts,
          polarity: .lowerIsBetter))
      if !primary.nodeWide {
        notes.append("\(primary.scope) only: measured, not comparable with a node's power")
      }
    }
    var result = BenchmarkResult(
      id: id, status: passed ? .ok : .invalid, parameters: values.values, samples: [elapsed],
      sampleUnit: .seconds, warmupSamples: [], metrics: metrics, validation: validation,
      summary: primary.map {
        "idle power \(Humanize.format($0.averageWatts, unit: .watts)) over \(Humanize.significant(elapsed, digits: 3)) s (\($0.scope))"
      }, notes: notes)
    result.energy = record
    return result
  }
}
