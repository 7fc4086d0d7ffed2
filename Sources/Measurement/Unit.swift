/// The unit a metric's value is stored in. Values are always stored in base SI units (bytes per
/// second, flop per second, seconds); prefixes such as GB/s appear only when humanised for display.
public enum Unit: String, Codable, Sendable, CaseIterable {
  case bytesPerSecond = "B/s"
  case flopsPerSecond = "flop/s"
  case seconds = "s"
  case bytes = "B"
  case hertz = "Hz"
  case ratio = "1"
  case joules = "J"
  case watts = "W"
  /// Energy efficiency: flop per joule, the same number as FLOPS per watt (Green500's unit).
  case flopsPerJoule = "flop/J"
  case bytesPerJoule = "B/J"
  /// Random memory updates per second (HPC Challenge's RandomAccess, GUP/s = 1e9 update/s).
  case updatesPerSecond = "update/s"
  /// Storage operations per second: IOPS, metadata operations (create, stat, read, delete).
  case operationsPerSecond = "op/s"

  /// The unit shown after an SI prefix ("B/s" -> "GB/s", "flop/s" -> "Gflop/s").
  public var symbol: String { rawValue }
}

/// `Unit` under a name Foundation does not also use (its `Unit` shadows this one in modules
/// that import both).
public typealias MetricUnit = Unit
