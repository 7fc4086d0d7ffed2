import Foundation
import Measurement
import ReportFormat
import Synchronization

/// Reads every channel of a node while a benchmark runs: fast channels (sysfs counters) on one
/// thread every `interval`, and at every timed region's start and end (through TimedRegions),
/// slow ones (a BMC) each on a thread of its own at its period. `finish` turns the readings into
/// each result's energy over its own timed regions.
public final class EnergyMeter: Sendable {
  public let channels: [EnergyChannel]
  public let interval: Double
  private let series: Mutex<[EnergySeries]>
  private let stopping = Atomic<Bool>(false)
  private let running = Atomic<Int>(0)

  public init(channels: [EnergyChannel], interval: Double) {
    self.channels = channels
    self.interval = interval
    self.series = Mutex(Array(repeating: EnergySeries(), count: channels.count))
  }

  private var fast: [Int] { channels.indices.filter { channels[$0].period <= interval } }

  /// Takes a first reading of every channel, starts the sampling threads and has TimedRegions
  /// record the benchmark's regions with a reading of the fast channels at each boundary.
  public func start() {
    for index in channels.indices { sample(index) }
    let fast = self.fast
    if !fast.isEmpty {
      loop(every: interval) { [self] in for index in fast { sample(index) } }
    }
    for index in channels.indices where channels[index].period > interval {
      loop(every: channels[index].period) { [self] in sample(index) }
    }
    TimedRegions.startRecording(boundary: { [self] in for index in fast { sample(index) } })
  }

  /// Stops the threads, takes a last reading of every channel and returns the regions.
  public func stop() -> [TimedRegions.Region] {
    let regions = TimedRegions.stopRecording()
    stopping.store(true, ordering: .releasing)
    while running.load(ordering: .acquiring) > 0 { usleep(1_000) }
    for index in channels.indices { sample(index) }
    return regions
  }

  public var readings: [EnergySeries] { series.withLock { $0 } }

  private func loop(every period: Double, _ body: @escaping @Sendable () -> Void) {
    running.add(1, ordering: .relaxed)
    let thread = Thread { [self] in
      defer { running.subtract(1, ordering: .releasing) }
      let step = UInt64(period * 1e9)
      var next = MonotonicClock.nanoseconds() &+ step
      while !stopping.load(ordering: .acquiring) {
        let now = MonotonicClock.nanoseconds()
        if now >= next {
          body()
          next &+= step
          if next < now { next = now &+ step }
        } else {
          // Short sleeps so that stop() returns within a few milliseconds.
          usleep(UInt32(min(5_000, (next - now) / 1_000)))
        }
      }
    }
    thread.stackSize = 1 << 20
    thread.start()
  }

  /// One reading of one channel, stamped with the clock at its middle.
  private func sample(_ index: Int) {
    let before = MonotonicClock.nanoseconds()
    let value: Double
    do {
      value = try channels[index].read()
    } catch {
      series.withLock {
        $0[index].failures += 1
        $0[index].lastFailure = String(describing: error)
      }
      return
    }
    let after = MonotonicClock.nanoseconds()
    let time = before &+ (after &- before) / 2
    series.withLock { all in
      // Two threads may read one channel around the same instant: keep the series in order.
      if let last = all[index].times.last, time <= last { return }
      all[index].times.append(time)
      all[index].values.append(value)
    }
  }
}

extension EnergyMeter {
  /// The energy over each result's timed regions (those labelled with its id, or unlabelled;
  /// warm-ups excluded), by scope: the widest scope measured is the primary reading.
  public func energy(for resultID: String, regions: [TimedRegions.Region], series: [EnergySeries])
    -> EnergyRecord?
  {
    let mine = regions.filter { $0.counted && ($0.label == nil || $0.label == resultID) }
      .map { (start: $0.start, end: $0.end) }
    guard !mine.isEmpty else { return nil }
    let seconds = mine.reduce(0) { $0 + Double($1.end &- $1.start) * 1e-9 }
    var dropped: [String] = []

    // Each channel's joules, or why it cannot be used.
    struct Part {
      var channel: EnergyChannel
      var joules: Double
      var readings: Int
      var interval: Double
      var method: String
      var notes: [String]
    }
    var parts: [Part] = []
    for (index, channel) in channels.enumerated() {
      let s = series[index]
      guard s.times.count >= 2 else {
        dropped.append(
          "\(channel.sourceLabel): too few readings (\(s.times.count))"
            + (s.lastFailure.map { "; last failure: \($0)" } ?? ""))
        continue
      }
      let inside = EnergySeries.readingsInside(s.times, mine)
      var notes: [String] = []
      if s.failures > 0 {
        notes.append("\(s.failures) readings failed (\(s.lastFailure ?? "?"))")
      }
      let joules: Double
      let method: String
      switch channel.measure {
      case .counter(let wrap):
        let (cumulative, problems) = EnergySeries.accumulate(
          s, wrap: wrap, maximumWatts: channel.maximumWatts)
        notes += problems
        joules = EnergySeries.counterJoules(times: s.times, cumulative: cumulative, regions: mine)
        method = "energy counter, differences across each timed region"
          + (wrap.map { ", wrap-around at \(Humanize.significant($0, digits: 6)) J" } ?? "")
      case .power:
        // EE HPC WG: at least 10 readings in the core phase; a BMC's once-a-second readings
        // only over a core phase of a minute or more.
        if inside < 10 {
          dropped.append(
            "\(channel.sourceLabel): \(inside) power readings inside the timed regions, 10 needed (EE HPC WG)"
          )
          continue
        }
        if channel.isSlowPowerReading && seconds < 60 {
          dropped.append(
            "\(channel.sourceLabel): the timed regions last \(Humanize.significant(seconds, digits: 3)) s; a BMC's readings count over 60 s or more (EE HPC WG level 1)"
          )
          continue
        }
        joules = EnergySeries.powerJoules(times: s.times, watts: s.values, regions: mine)
        method = "power readings, trapezoid rule over each timed region"
      }
      let span = Double(s.times.last! &- s.times.first!) * 1e-9
      parts.append(
        Part(
          channel: channel, joules: joules, readings: inside,
          interval: span / Double(max(1, s.times.count - 1)), method: method, notes: notes))
    }

    var readings: [EnergyReading] = []
    func reading(_ scope: String, nodeWide: Bool, _ chosen: [Part], extra: [String] = [])
      -> EnergyReading
    {
      EnergyReading(
        scope: scope, nodeWide: nodeWide, joules: chosen.reduce(0) { $0 + $1.joules },
        seconds: seconds, sources: chosen.map(\.channel.sourceLabel),
        method: Array(Set(chosen.map(\.method))).sorted().joined(separator: "; "),
        readings: chosen.map(\.readings).min() ?? 0,
        interval: chosen.map(\.interval).max() ?? 0,
        notes: chosen.flatMap(\.notes) + extra)
    }
    // Whole-node scopes, widest first: a BMC, then the platform's ACPI meter.
    for scope in ["node-bmc", "node-acpi"] {
      let chosen = parts.filter { $0.channel.role == .node(scope: scope) }
      if let first = chosen.first { readings.append(reading(scope, nodeWide: true, [first])) }
    }
    let packages = parts.filter { $0.channel.role == .package }
    let drams = parts.filter { $0.channel.role == .dram }
    if !packages.isEmpty {
      readings.append(
        drams.isEmpty
          ? reading("cpu-package", nodeWide: false, packages)
          : reading("cpu-package+dram", nodeWide: false, packages + drams))
    }
    let gpus = parts.filter { $0.channel.role == .gpu }
    if !gpus.isEmpty { readings.append(reading("gpu-board", nodeWide: false, gpus)) }
    for part in parts {
      if case .component(let scope) = part.channel.role {
        readings.append(reading(scope, nodeWide: false, [part]))
      }
    }
    guard !readings.isEmpty || !dropped.isEmpty else { return nil }
    return EnergyRecord(
      primary: readings.first, others: Array(readings.dropFirst()), dropped: dropped)
  }
}
