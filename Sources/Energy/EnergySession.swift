import Measurement
import ReportFormat

/// How a suite measures energy: its `energy:` block.
public struct EnergySettings: Codable, Sendable, Equatable {
  /// The kinds of source to read ("powercap", "hwmon", "ipmi"); nil reads every kind the node
  /// has (auto), an empty list none.
  public var sources: [String]?
  /// Seconds between readings of the fast (sysfs) sources.
  public var interval: Double
  /// "node": only whole-node scopes give energy metrics; a scope's name: only that scope; nil:
  /// the widest scope measured, labelled.
  public var requireScope: String?

  public init(sources: [String]? = nil, interval: Double = 0.1, requireScope: String? = nil) {
    self.sources = sources
    self.interval = interval
    self.requireScope = requireScope
  }

  public static let kinds = EnergyProbe.allKinds
  /// What `requireScope` may name: any whole-node scope, or one scope.
  public static let scopes = [
    "node", "node-bmc", "node-acpi", "cpu-package+dram", "cpu-package", "gpu-board",
  ]
  public static let intervals = 0.001...10.0

  public var kindSet: Set<String> { sources.map(Set.init) ?? EnergyProbe.allKinds }
}

/// A meter around one benchmark run: started before it, finished after it, adding each result's
/// energy and the metrics that follow from it.
public final class EnergySession: Sendable {
  public let meter: EnergyMeter
  public let settings: EnergySettings

  /// Nil when the settings read no source or the node has none (the report's node record says
  /// why).
  public static func start(
    _ settings: EnergySettings, probe: EnergyProbe = .host()
  ) -> EnergySession? {
    guard settings.sources.map({ !$0.isEmpty }) ?? true else { return nil }
    var probe = probe
    probe.kinds = settings.kindSet
    let found = probe.discover()
    guard !found.channels.isEmpty else { return nil }
    let session = EnergySession(
      meter: EnergyMeter(channels: found.channels, interval: settings.interval),
      settings: settings)
    session.meter.start()
    return session
  }

  init(meter: EnergyMeter, settings: EnergySettings) {
    self.meter = meter
    self.settings = settings
  }

  /// Stops the meter; the results with their energy.
  public func finish(_ results: [BenchmarkResult]) -> [BenchmarkResult] {
    let regions = meter.stop()
    let series = meter.readings
    return results.map { result in
      // A result that measured its own energy (a GPU board's, from NVML) keeps it.
      guard result.status == .ok, result.energy == nil,
        let record = meter.energy(for: result.id, regions: regions, series: series)
      else { return result }
      return EnergySession.attach(record, to: result, requireScope: settings.requireScope)
    }
  }

  /// The result with `record` and, from its primary reading, the metrics: energy per timed
  /// repetition (J), average power (W) and work per joule (flop/J or B/J, from the result's
  /// rate or bandwidth, which is the work of one repetition over the best time). A component
  /// scope's metrics carry the scope in their name — "flopsPerJoule(cpu-package)" — so they
  /// never share a column with a node's.
  public static func attach(_ record: EnergyRecord, to result: BenchmarkResult, requireScope: String?)
    -> BenchmarkResult
  {
    var result = result
    result.energy = record
    guard let primary = record.primary else { return result }
    if let requireScope {
      let met = requireScope == "node" ? primary.nodeWide : primary.scope == requireScope
      guard met else {
        result.notes.append(
          "energy: measured over \(primary.scope), but the suite requires \(requireScope == "node" ? "a whole-node scope" : requireScope): no energy metrics"
        )
        return result
      }
    }
    let repetitions = result.repetitions
    guard primary.joules > 0, primary.joules.isFinite, repetitions > 0 else {
      result.notes.append(
        "energy: \(primary.scope) read \(primary.joules) J over the timed regions: not a usable figure"
      )
      return result
    }
    let suffix = primary.nodeWide ? "" : "(\(primary.scope))"
    result.metrics.append(
      Metric(
        name: "energy" + suffix, value: primary.joules / repetitions, unit: .joules,
        polarity: .lowerIsBetter))
    result.metrics.append(
      Metric(
        name: "averagePower" + suffix, value: primary.averageWatts, unit: .watts,
        polarity: .lowerIsBetter))
    if let best = result.samples.min(), best > 0 {
      let work: (rate: Metric, name: String, unit: Unit)? =
        if let rate = result.metric("rate"), rate.unit == .flopsPerSecond {
          (rate, "flopsPerJoule", .flopsPerJoule)
        } else if let bandwidth = result.metric("bandwidth"), bandwidth.unit == .bytesPerSecond {
          (bandwidth, "bytesPerJoule", .bytesPerJoule)
        } else { nil }
      if let work {
        let total = work.rate.value * best * repetitions
        result.metrics.append(
          Metric(
            name: work.name + suffix, value: total / primary.joules, unit: work.unit,
            polarity: .higherIsBetter))
      }
    }
    if !primary.nodeWide {
      result.notes.append(
        "energy: \(primary.scope) only (\(primary.sources.joined(separator: ", "))): measured, not comparable with a node's energy and not scored"
      )
    }
    return result
  }
}
