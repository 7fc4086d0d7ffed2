/// Whether a larger value of a metric is better (bandwidth, rate) or worse (latency, residual).
public enum Polarity: String, Codable, Sendable, CaseIterable {
  case higherIsBetter
  case lowerIsBetter
}
