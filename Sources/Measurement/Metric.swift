/// One derived figure of a benchmark: a named value with its unit and polarity.
public struct Metric: Codable, Sendable, Equatable {
  public var name: String
  public var value: Double
  public var unit: Unit
  public var polarity: Polarity
  /// The message size (bytes) for a point of a sweep; nil for a single figure.
  public var size: Int?

  public init(name: String, value: Double, unit: Unit, polarity: Polarity, size: Int? = nil) {
    self.name = name
    self.value = value
    self.unit = unit
    self.polarity = polarity
    self.size = size
  }
}
