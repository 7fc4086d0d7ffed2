/// The energy of a result's timed regions (schema v2): what was measured, over what scope, from
/// which sources, and how — so a reader can tell a CPU package's joules from a node's.
public struct EnergyRecord: Codable, Sendable, Equatable {
  /// The reading the result's metrics (energy, averagePower, flopsPerJoule) come from: the
  /// widest scope measured; nil when no reading could be used (see `dropped`).
  public var primary: EnergyReading?
  /// Narrower scopes measured at the same time (a CPU package beside the node's BMC).
  public var others: [EnergyReading]
  /// Readings that could not be used, and why (a BMC source over a region shorter than 60 s).
  public var dropped: [String]

  public init(primary: EnergyReading?, others: [EnergyReading], dropped: [String]) {
    self.primary = primary
    self.others = others
    self.dropped = dropped
  }
}

/// One scope's energy over a result's timed regions.
public struct EnergyReading: Codable, Sendable, Equatable {
  /// "node-bmc", "node-acpi", "cpu-package+dram", "cpu-package", "gpu-board", "component".
  public var scope: String
  /// Whole-node scopes (a BMC, a platform power meter) are comparable between nodes and scored
  /// in 能效; component scopes are "measured, not comparable".
  public var nodeWide: Bool
  public var joules: Double
  /// Seconds of timed regions the joules cover.
  public var seconds: Double
  public var averageWatts: Double
  /// The zones or sensors summed, e.g. "powercap intel-rapl:0 (package-0)".
  public var sources: [String]
  /// "energy counters, differences with wrap-around" or "power readings, trapezoid integral".
  public var method: String
  /// Readings taken inside the regions (besides the ones at their boundaries) and the interval
  /// between readings, in seconds.
  public var readings: Int
  public var interval: Double
  public var notes: [String]

  public init(
    scope: String, nodeWide: Bool, joules: Double, seconds: Double, sources: [String],
    method: String, readings: Int, interval: Double, notes: [String] = []
  ) {
    self.scope = scope
    self.nodeWide = nodeWide
    self.joules = joules
    self.seconds = seconds
    self.averageWatts = seconds > 0 ? joules / seconds : 0
    self.sources = sources
    self.method = method
    self.readings = readings
    self.interval = interval
    self.notes = notes
  }
}

/// One energy source a node was probed for (schema v2): present with its scope, or absent with
/// the reason ("no /sys/class/powercap", "permission denied: run as root or ...").
public struct EnergySourceRecord: Codable, Sendable, Equatable {
  /// "powercap", "hwmon", "ipmi".
  public var kind: String
  /// The zone, chip or tool: "intel-rapl:0 (package-0)", "hwmon2 (acpi_power_meter)".
  public var name: String
  public var present: Bool
  public var scope: String?
  public var reason: String?

  public init(kind: String, name: String, present: Bool, scope: String?, reason: String?) {
    self.kind = kind
    self.name = name
    self.present = present
    self.scope = scope
    self.reason = reason
  }
}
