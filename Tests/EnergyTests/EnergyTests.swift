import Foundation
import Measurement
import ReportFormat
import Synchronization
import XCTest

@testable import Energy

/// The energy meter against fake sources whose energy is known: a RAPL tree on disk (the real
/// reader), counters that a clock drives and that wrap many times during a run, a zone that
/// answers "permission denied", a BMC tool that is a script. Joules integrated must equal what
/// the fake produced.
final class EnergyArithmeticTests: XCTestCase {
  func testACounterThatWrapsIsUnwrappedAndAResetIsReported() {
    let series = EnergySeries(times: [0, 100_000_000, 200_000_000], values: [100, 200, 50])
    let wrapped = EnergySeries.accumulate(series, wrap: 262, maximumWatts: 100)
    XCTAssertEqual(wrapped.cumulative, [0, 100, 212])
    XCTAssertEqual(wrapped.problems, [])
    let reset = EnergySeries.accumulate(series, wrap: nil, maximumWatts: 100)
    XCTAssertEqual(reset.cumulative, [0, 100, 100])
    XCTAssertEqual(reset.problems.count, 1)
    XCTAssertTrue(reset.problems[0].contains("went back"))
  }

  func testAGapLongEnoughToHideAWrapIsFlagged() {
    // 10 s between readings at up to 1 kW is 10 kJ: more than a 5 kJ range.
    let series = EnergySeries(times: [0, 10_000_000_000], values: [1000, 3000])
    let (_, problems) = EnergySeries.accumulate(series, wrap: 5000, maximumWatts: 1000)
    XCTAssertEqual(problems.count, 1)
    XCTAssertTrue(problems[0].contains("could have wrapped unseen"), problems[0])
  }

  func testCounterJoulesAreTheDifferenceAcrossEachRegionInterpolated() {
    // 10 W steady: the counter grows 1 J per 0.1 s.
    let times: [UInt64] = (0...10).map { UInt64($0) * 100_000_000 }
    let cumulative = (0...10).map { Double($0) }
    let regions: [(start: UInt64, end: UInt64)] = [
      (50_000_000, 250_000_000), (600_000_000, 650_000_000),
    ]
    let joules = EnergySeries.counterJoules(
      times: times, cumulative: cumulative, regions: regions)
    XCTAssertEqual(joules, 2.5, accuracy: 1e-12)
  }

  func testPowerReadingsIntegrateByTheTrapezoidRule() {
    // Power rising linearly from 100 W to 200 W over 10 s: 1500 J over the whole, and the
    // trapezoid rule is exact on a straight line, also over a part between readings.
    let times: [UInt64] = (0...10).map { UInt64($0) * 1_000_000_000 }
    let watts = (0...10).map { 100 + 10 * Double($0) }
    XCTAssertEqual(
      EnergySeries.powerJoules(times: times, watts: watts, regions: [(0, 10_000_000_000)]),
      1500, accuracy: 1e-9)
    // 2.5 s to 4.5 s: power 125 W to 145 W, 270 J.
    XCTAssertEqual(
      EnergySeries.powerJoules(
        times: times, watts: watts, regions: [(2_500_000_000, 4_500_000_000)]),
      270, accuracy: 1e-9)
    XCTAssertEqual(EnergySeries.readingsInside(times, [(2_500_000_000, 4_500_000_000)]), 2)
  }
}

/// A sysfs tree in a temporary folder.
final class FakeTree {
  let root: String

  init() throws {
    root = NSTemporaryDirectory() + "suanli-sysfs-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: root) }

  func write(_ path: String, _ text: String) throws {
    let full = root + "/" + path
    try FileManager.default.createDirectory(
      atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: full, atomically: true, encoding: .utf8)
  }

  func zone(_ entry: String, name: String, energy: UInt64, range: UInt64 = 262_143_328_850)
    throws
  {
    try write("class/powercap/\(entry)/name", name + "\n")
    try write("class/powercap/\(entry)/energy_uj", "\(energy)\n")
    try write("class/powercap/\(entry)/max_energy_range_uj", "\(range)\n")
  }
}

/// Answers like the real reader but says "permission denied" for paths containing `denied`.
struct DenyingReader: SysfsReading {
  let denied: String

  func text(_ path: String) throws(SysfsError) -> String {
    if path.contains(denied) && path.hasSuffix("energy_uj") { throw .permissionDenied(path: path) }
    return try Sysfs().text(path)
  }

  func entries(_ path: String) -> [String]? { Sysfs().entries(path) }
}

final class EnergyProbeTests: XCTestCase {
  func testRAPLZonesAreCountedOnceWithDRAMAndTheCoreInsideItsPackage() throws {
    let tree = try FakeTree()
    try tree.zone("intel-rapl:0", name: "package-0", energy: 1_000)
    try tree.zone("intel-rapl:0:0", name: "core", energy: 500)
    try tree.zone("intel-rapl:0:1", name: "dram", energy: 200)
    try tree.zone("intel-rapl:1", name: "package-1", energy: 3_000)
    try tree.zone("intel-rapl-mmio:0", name: "package-0", energy: 1_000)
    try tree.write("class/powercap/intel-rapl/enabled", "1\n")
    let found = EnergyProbe(root: tree.root, kinds: ["powercap"], packages: 2, searchPath: "")
      .discover()
    XCTAssertEqual(
      found.channels.map(\.name),
      ["intel-rapl:0 (package-0)", "intel-rapl:0:1 (dram)", "intel-rapl:1 (package-1)"])
    XCTAssertEqual(found.channels.map(\.role), [.package, .dram, .package])
    XCTAssertEqual(try found.channels[2].read(), 3e-3, accuracy: 1e-15)
    XCTAssertEqual(found.channels[0].measure, .counter(wrap: 262_143.328_850))
    let core = found.records.first { $0.name.hasPrefix("intel-rapl:0:0") }
    XCTAssertEqual(core?.reason?.contains("counted in the package"), true)
    let mmio = found.records.first { $0.name.hasPrefix("intel-rapl-mmio:0") }
    XCTAssertEqual(mmio?.present, false)
    XCTAssertEqual(mmio?.reason?.contains("counted once"), true)
  }

  func testAMissingPackageZoneIsSaid() throws {
    let tree = try FakeTree()
    try tree.zone("intel-rapl:0", name: "package-0", energy: 1_000)
    let found = EnergyProbe(root: tree.root, kinds: ["powercap"], packages: 2, searchPath: "")
      .discover()
    XCTAssertEqual(found.channels.count, 1)
    XCTAssertTrue(
      found.records.contains { $0.reason?.contains("for 1 of the 2 packages") == true },
      "\(found.records)")
  }

  func testAZoneWithoutReadPermissionIsAbsentWithWhatToDo() throws {
    let tree = try FakeTree()
    try tree.zone("intel-rapl:0", name: "package-0", energy: 1_000)
    try tree.zone("intel-rapl:1", name: "package-1", energy: 1_000)
    let probe = EnergyProbe(
      root: tree.root, reader: DenyingReader(denied: "intel-rapl:1"), kinds: ["powercap"],
      searchPath: "")
    let found = probe.discover()
    XCTAssertEqual(found.channels.map(\.name), ["intel-rapl:0 (package-0)"])
    let denied = found.records.first { $0.name.hasPrefix("intel-rapl:1") }
    XCTAssertEqual(denied?.present, false)
    XCTAssertTrue(denied?.reason?.contains("permission denied") == true)
    XCTAssertTrue(denied?.reason?.contains("run as root") == true)
  }

  func testANodeWithNothingReadableSaysWhyForEveryKind() throws {
    let tree = try FakeTree()
    let found = EnergyProbe(root: tree.root, searchPath: tree.root).discover()
    XCTAssertTrue(found.channels.isEmpty)
    XCTAssertEqual(found.records.map(\.kind), ["powercap", "hwmon", "ipmi"])
    XCTAssertTrue(found.records.allSatisfy { !$0.present && $0.reason != nil })
    XCTAssertTrue(found.summary.hasPrefix("no energy source: powercap: no "), found.summary)
    XCTAssertNil(
      EnergySession.start(
        EnergySettings(), probe: EnergyProbe(root: tree.root, searchPath: tree.root)))
  }

  func testHwmonPrefersEnergyCountersAndNamesThePlatformMeterNodeWide() throws {
    let tree = try FakeTree()
    try tree.write("class/hwmon/hwmon0/name", "acpi_power_meter\n")
    try tree.write("class/hwmon/hwmon0/power1_average", "245000000\n")
    try tree.write("class/hwmon/hwmon0/power1_average_interval", "1000\n")
    try tree.write("class/hwmon/hwmon1/name", "k10temp\n")
    try tree.write("class/hwmon/hwmon1/temp1_input", "45000\n")
    try tree.write("class/hwmon/hwmon2/name", "some_chip\n")
    try tree.write("class/hwmon/hwmon2/energy1_input", "7000000\n")
    try tree.write("class/hwmon/hwmon2/power1_input", "9000000\n")
    let found = EnergyProbe(root: tree.root, kinds: ["hwmon"], searchPath: "").discover()
    XCTAssertEqual(found.channels.count, 2)
    XCTAssertEqual(found.channels[0].role, .node(scope: "node-acpi"))
    XCTAssertEqual(found.channels[0].measure, .power)
    XCTAssertEqual(try found.channels[0].read(), 245, accuracy: 1e-9)
    XCTAssertEqual(found.channels[1].measure, .counter(wrap: nil))
    XCTAssertEqual(try found.channels[1].read(), 7, accuracy: 1e-12)
  }

  func testABMCToolOnThePathIsANodeSourceAndAFailingOneIsAbsentWithItsWords() throws {
    let tree = try FakeTree()
    let tool = tree.root + "/bin/ipmitool"
    try tree.write(
      "bin/ipmitool",
      """
      #!/bin/sh
      cat <<'EOF'
          Instantaneous power reading:                   245 Watts
          Minimum during sampling period:                 80 Watts
          Maximum during sampling period:                310 Watts
          Average power reading over sample period:      230 Watts
          IPMI timestamp:                           Tue Dec  1 10:00:00 2026
          Sampling period:                          00000001 Seconds.
          Power reading state is:                   activated
      EOF

      """)
    chmod(tool, 0o755)
    let found = EnergyProbe(root: tree.root, kinds: ["ipmi"], searchPath: tree.root + "/bin")
      .discover()
    XCTAssertEqual(found.channels.map(\.name), ["ipmitool dcmi power reading"])
    XCTAssertEqual(found.channels.first?.role, .node(scope: "node-bmc"))
    XCTAssertEqual(try found.channels.first?.read(), 245)

    try tree.write(
      "bin/ipmitool", "#!/bin/sh\necho 'Could not open device at /dev/ipmi0: No such file' >&2\nexit 1\n")
    chmod(tool, 0o755)
    let absent = EnergyProbe(root: tree.root, kinds: ["ipmi"], searchPath: tree.root + "/bin")
      .discover()
    XCTAssertTrue(absent.channels.isEmpty)
    XCTAssertEqual(absent.records.first?.present, false)
    XCTAssertTrue(
      absent.records.first?.reason?.contains("Could not open device") == true,
      "\(absent.records)")
  }

  func testDCMIReadingsOfBothTools() throws {
    XCTAssertEqual(
      try DCMIReading.watts(
        from: "Current Power                        : 312 Watts\nPower Measurement : Active\n",
        command: "ipmi-dcmi"), 312)
    XCTAssertThrowsError(
      try DCMIReading.watts(
        from: "Current Power : 0 Watts\nPower Measurement : Not Available\n", command: "ipmi-dcmi"))
    XCTAssertThrowsError(
      try DCMIReading.watts(from: "DCMI request failed because: Invalid command (c1)\n", command: "x"))
    XCTAssertThrowsError(
      try DCMIReading.watts(from: "Instantaneous power reading: lots of Watts\n", command: "x"))
  }
}

/// A counter driven by the clock: `watts` since `origin`, in µJ, wrapping at `range` µJ — what a
/// RAPL zone would show while a package draws steady power.
struct ClockCounter: SysfsReading {
  let origin: UInt64
  let watts: Double
  let range: UInt64

  func text(_ path: String) throws(SysfsError) -> String {
    if path.hasSuffix("max_energy_range_uj") { return "\(range)\n" }
    // The package's power limit: 100 W, so readings 10 ms apart (1.5 J at 1.5 × the limit)
    // cannot miss a wrap of the 2 J range.
    if path.hasSuffix("constraint_0_max_power_uw") { return "100000000\n" }
    if path.hasSuffix("/name") { return "package-0\n" }
    guard path.hasSuffix("energy_uj") else { throw .missing(path: path) }
    let microjoules = watts * Double(MonotonicClock.nanoseconds() - origin) * 1e-3
    return "\(UInt64(microjoules) % range)\n"
  }

  func entries(_ path: String) -> [String]? {
    path.hasSuffix("powercap") ? ["intel-rapl:0"] : nil
  }
}

final class EnergyMeterTests: XCTestCase {
  /// 50 W through a counter that wraps every 100 ms (seven times in the run), read every 10 ms
  /// and at every region's boundaries: the joules over the regions are 50 W × their seconds,
  /// every wrap counted. (The meter flags a gap that could hide a wrap at 150 W: 33 ms here, so
  /// a reading thread delayed by a loaded CI machine is not a failure; a 2 J range flagged 14 ms.)
  func testTheMeterIntegratesExactlyWhatTheFakeProducedAcrossManyWraps() throws {
    let reader = ClockCounter(
      origin: MonotonicClock.nanoseconds(), watts: 50, range: 5_000_000)
    let probe = EnergyProbe(root: "/fake", reader: reader, kinds: ["powercap"], searchPath: "")
    let session = try XCTUnwrap(
      EnergySession.start(EnergySettings(interval: 0.01), probe: probe))
    var samples: [Double] = []
    _ = TimedRegions.time(counted: false) { Thread.sleep(forTimeInterval: 0.05) }
    for _ in 0..<4 {
      samples.append(TimedRegions.time { Thread.sleep(forTimeInterval: 0.15) })
      Thread.sleep(forTimeInterval: 0.03)
    }
    let result = BenchmarkResult(
      id: "gemm.fp64", status: .ok, parameters: [:], samples: samples, sampleUnit: .seconds,
      warmupSamples: [], metrics: [
        Metric(
          name: "rate", value: 1e9 / samples.min()!, unit: .flopsPerSecond,
          polarity: .higherIsBetter)
      ], validation: nil)
    let measured = session.finish([result])[0]
    let record = try XCTUnwrap(measured.energy)
    let primary = try XCTUnwrap(record.primary)
    let seconds = samples.reduce(0, +)
    XCTAssertEqual(primary.scope, "cpu-package")
    XCTAssertFalse(primary.nodeWide)
    XCTAssertEqual(primary.seconds, seconds, accuracy: 1e-3)
    // The counter's integer µJ and the region's clock stamps a few µs apart: 1e-3 relative.
    XCTAssertEqual(primary.joules, 50 * primary.seconds, accuracy: 50 * primary.seconds * 1e-3)
    XCTAssertEqual(primary.notes, [], "no wrap may go unseen at 10 ms")
    XCTAssertGreaterThan(primary.readings, 40)
    // Component scope: the metrics carry it in their names.
    let perJoule = try XCTUnwrap(measured.metric("flopsPerJoule(cpu-package)"))
    XCTAssertEqual(perJoule.value, 4e9 / primary.joules, accuracy: 1e-6 * perJoule.value)
    XCTAssertEqual(measured.metric("averagePower(cpu-package)")?.value ?? 0, 50, accuracy: 0.1)
    XCTAssertNil(measured.metric("flopsPerJoule"))
    XCTAssertTrue(measured.notes.contains { $0.contains("measured, not comparable") })
  }

  func testReadingsTooFarApartForTheRangeAreFlagged() throws {
    // The same counter read every 100 ms: 5 J between readings, a range of 2 J.
    let reader = ClockCounter(
      origin: MonotonicClock.nanoseconds(), watts: 50, range: 2_000_000)
    var probe = EnergyProbe(root: "/fake", reader: reader, kinds: ["powercap"], searchPath: "")
    probe.packages = 1
    let found = probe.discover()
    let channel = try XCTUnwrap(found.channels.first)
    XCTAssertEqual(channel.maximumWatts, 150)
    let meter = EnergyMeter(channels: [channel], interval: 0.1)
    meter.start()
    let start = MonotonicClock.nanoseconds()
    Thread.sleep(forTimeInterval: 0.45)
    let regions = [
      TimedRegions.Region(
        label: nil, start: start, end: MonotonicClock.nanoseconds(), counted: true)
    ]
    _ = meter.stop()
    let record = try XCTUnwrap(
      meter.energy(for: "x", regions: regions, series: meter.readings))
    XCTAssertTrue(
      record.primary?.notes.contains { $0.contains("could have wrapped unseen") } == true,
      "\(record)")
  }

  func testABMCReadingCountsOnlyOverAMinuteAndTenReadings() throws {
    let bmc = EnergyChannel(
      kind: "ipmi", name: "ipmitool dcmi power reading", measure: .power,
      role: .node(scope: "node-bmc"), period: 1, maximumWatts: 1e5, read: { 300 })
    let meter = EnergyMeter(channels: [bmc], interval: 0.1)
    let second: UInt64 = 1_000_000_000
    // Readings every second for 100 s at 300 W.
    let series = [
      EnergySeries(times: (0...100).map { UInt64($0) * second }, values: Array(repeating: 300, count: 101))
    ]
    let long = try XCTUnwrap(
      meter.energy(
        for: "hpl.fp64", regions: [.init(label: nil, start: 5 * second, end: 95 * second, counted: true)],
        series: series))
    XCTAssertEqual(long.primary?.scope, "node-bmc")
    XCTAssertEqual(long.primary?.nodeWide, true)
    XCTAssertEqual(long.primary?.joules ?? 0, 300 * 90, accuracy: 1e-6)
    let short = try XCTUnwrap(
      meter.energy(
        for: "hpl.fp64", regions: [.init(label: nil, start: 5 * second, end: 35 * second, counted: true)],
        series: series))
    XCTAssertNil(short.primary)
    XCTAssertTrue(short.dropped[0].contains("60 s"), short.dropped[0])
  }

  func testAWholeNodeScopeIsPrimaryAndItsMetricsCarryNoSuffix() {
    let record = EnergyRecord(
      primary: EnergyReading(
        scope: "node-bmc", nodeWide: true, joules: 1000, seconds: 4, sources: ["ipmi x"],
        method: "m", readings: 20, interval: 0.2),
      others: [], dropped: [])
    let result = BenchmarkResult(
      id: "hpl.fp64", status: .ok, parameters: [:], samples: [2, 2], sampleUnit: .seconds,
      warmupSamples: [], metrics: [
        Metric(name: "rate", value: 5e10, unit: .flopsPerSecond, polarity: .higherIsBetter)
      ], validation: nil)
    let measured = EnergySession.attach(record, to: result, requireScope: nil)
    XCTAssertEqual(measured.metric("energy")?.value, 500)
    XCTAssertEqual(measured.metric("averagePower")?.value, 250)
    // 2 runs × 1e11 flop over 1000 J.
    XCTAssertEqual(measured.metric("flopsPerJoule")?.value, 2e8)
    let refused = EnergySession.attach(
      EnergyRecord(
        primary: EnergyReading(
          scope: "cpu-package", nodeWide: false, joules: 1000, seconds: 4, sources: [],
          method: "m", readings: 20, interval: 0.1), others: [], dropped: []),
      to: result, requireScope: "node")
    XCTAssertNil(refused.metric("energy(cpu-package)"))
    XCTAssertNotNil(refused.energy)
  }

  func testOnlyTheResultsOwnRegionsCount() throws {
    let channel = EnergyChannel(
      kind: "powercap", name: "z", measure: .counter(wrap: nil), role: .package, period: 0.1,
      maximumWatts: 1000, read: { 0 })
    let meter = EnergyMeter(channels: [channel], interval: 0.1)
    // 1 J per ms: regions of 10 ms labelled stream.copy and 20 ms labelled stream.triad.
    let ms: UInt64 = 1_000_000
    let series = [
      EnergySeries(times: (0...100).map { UInt64($0) * ms }, values: (0...100).map(Double.init))
    ]
    let regions: [TimedRegions.Region] = [
      .init(label: "stream.copy", start: 0, end: 10 * ms, counted: false),
      .init(label: "stream.copy", start: 10 * ms, end: 20 * ms, counted: true),
      .init(label: "stream.triad", start: 20 * ms, end: 40 * ms, counted: true),
    ]
    let copy = try XCTUnwrap(meter.energy(for: "stream.copy", regions: regions, series: series))
    XCTAssertEqual(copy.primary?.joules ?? 0, 10, accuracy: 1e-9)
    let triad = try XCTUnwrap(meter.energy(for: "stream.triad", regions: regions, series: series))
    XCTAssertEqual(triad.primary?.joules ?? 0, 20, accuracy: 1e-9)
    XCTAssertNil(meter.energy(for: "gemm.fp64", regions: regions, series: series))
  }
}
