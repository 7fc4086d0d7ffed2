/// One thing that can be read for energy: a RAPL zone's counter, a hwmon sensor, a BMC's power
/// reading. A node's meter reads every channel its probe found.
public struct EnergyChannel: Sendable {
  public enum Measure: Sendable, Equatable {
    /// An energy counter in joules that wraps to 0 past `wrap` joules (nil: 64-bit, never wraps
    /// in practice; a decrease is then a reset and is reported).
    case counter(wrap: Double?)
    /// Instantaneous (or short-average) power in watts, integrated over time.
    case power
  }

  /// What part of the node a channel covers: which channels add up to which scope.
  public enum Role: Sendable, Equatable {
    /// A CPU package (RAPL package-N): the packages together are "cpu-package".
    case package
    /// A package's DRAM domain: with the packages, "cpu-package+dram".
    case dram
    /// The whole node, with the scope's name ("node-bmc", "node-acpi").
    case node(scope: String)
    /// A GPU board.
    case gpu
    /// Anything else (RAPL psys, a hwmon chip of unknown scope): reported alone.
    case component(scope: String)
  }

  /// "powercap", "hwmon", "ipmi".
  public var kind: String
  /// "intel-rapl:0 (package-0)", "hwmon3 power1 (acpi_power_meter)", "ipmitool dcmi".
  public var name: String
  public var measure: Measure
  public var role: Role
  /// The shortest sensible interval between readings (s): a sysfs counter as often as the
  /// meter asks (it updates every millisecond), a BMC once a second. Channels slower than the
  /// meter's interval are read on their own thread and not at region boundaries.
  public var period: Double
  /// The most power the channel can plausibly see (W): with the wrap, the longest gap between
  /// readings that cannot hide a whole wrap.
  public var maximumWatts: Double
  /// Joules (counter) or watts (power).
  public var read: @Sendable () throws -> Double

  public init(
    kind: String, name: String, measure: Measure, role: Role, period: Double,
    maximumWatts: Double, read: @escaping @Sendable () throws -> Double
  ) {
    self.kind = kind
    self.name = name
    self.measure = measure
    self.role = role
    self.period = period
    self.maximumWatts = maximumWatts
    self.read = read
  }

  /// The power readings of a BMC-class source (one a second or slower) count only over regions
  /// of at least a minute: the EE HPC WG's level-1 core phase.
  public var isSlowPowerReading: Bool {
    if case .power = measure { return period >= 1 }
    return false
  }

  var sourceLabel: String { "\(kind) \(name)" }
}
