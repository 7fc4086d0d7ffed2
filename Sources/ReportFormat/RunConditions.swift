/// What else used the node while a benchmark ran (schema v2): a busy node gives wrong figures —
/// and a wrong measured clock, hence a wrong peak — so a busy run's figures are estimates.
public struct RunConditions: Codable, Sendable, Equatable {
  /// The 1-minute load average just before the benchmark (/proc/loadavg).
  public var loadBefore: Double?
  /// Of the node's CPU time while it ran, the share other processes used (/proc/stat busy
  /// time minus the benchmark process's own CPU time).
  public var otherCPUShare: Double?
  /// Of the node's CPU time, the share a hypervisor gave to other guests (steal).
  public var stealShare: Double?
  /// Wall seconds the shares cover.
  public var seconds: Double
  public var source: String

  public init(
    loadBefore: Double?, otherCPUShare: Double?, stealShare: Double?, seconds: Double,
    source: String
  ) {
    self.loadBefore = loadBefore
    self.otherCPUShare = otherCPUShare
    self.stealShare = stealShare
    self.seconds = seconds
    self.source = source
  }
}
