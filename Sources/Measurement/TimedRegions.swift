import Synchronization

/// The timed regions of the benchmark running in this process: the intervals whose time gives
/// its figures (every timed repetition, warm-ups apart). An energy meter integrates over exactly
/// these intervals (the EE HPC WG's "core phase"), and takes a reading of its counters just
/// before each region starts and just after it ends, so that a short region is not blurred by the
/// meter's sampling interval.
public enum TimedRegions {
  /// One timed interval, on CLOCK_MONOTONIC. `label` names the result it belongs to when one run
  /// produces several (STREAM's kernels); nil belongs to every result of the run. Warm-ups and
  /// other untimed work are `counted: false` — recorded so the meter's reading count is honest,
  /// never integrated.
  public struct Region: Sendable, Equatable {
    public var label: String?
    public var start: UInt64
    public var end: UInt64
    public var counted: Bool

    public init(label: String?, start: UInt64, end: UInt64, counted: Bool) {
      self.label = label
      self.start = start
      self.end = end
      self.counted = counted
    }

    public var seconds: Double { Double(end &- start) * 1e-9 }
  }

  private struct State {
    var recording = false
    var regions: [Region] = []
    var boundary: (@Sendable () -> Void)? = nil
  }

  private static let state = Mutex(State())

  /// Starts collecting regions; `boundary` is called just before each region starts and just
  /// after it ends (outside the clock readings that time it).
  public static func startRecording(boundary: (@Sendable () -> Void)? = nil) {
    state.withLock {
      $0.recording = true
      $0.regions = []
      $0.boundary = boundary
    }
  }

  /// Stops collecting and returns the regions in the order they ended.
  public static func stopRecording() -> [Region] {
    state.withLock {
      $0.recording = false
      $0.boundary = nil
      let regions = $0.regions
      $0.regions = []
      return regions
    }
  }

  /// The clock reading that starts a region (after the boundary call).
  @inline(__always)
  public static func begin() -> UInt64 {
    if let boundary = state.withLock({ $0.boundary }) { boundary() }
    return MonotonicClock.nanoseconds()
  }

  /// Ends a region that `begin` started; returns its seconds.
  @inline(__always)
  @discardableResult
  public static func end(_ start: UInt64, label: String? = nil, counted: Bool = true) -> Double {
    let end = MonotonicClock.nanoseconds()
    let boundary = state.withLock { state -> (@Sendable () -> Void)? in
      guard state.recording else { return nil }
      state.regions.append(Region(label: label, start: start, end: end, counted: counted))
      return state.boundary
    }
    boundary?()
    return Double(end &- start) * 1e-9
  }

  /// Seconds taken by `body`, recorded as a region.
  @inline(__always)
  public static func time(label: String? = nil, counted: Bool = true, _ body: () throws -> Void)
    rethrows -> Double
  {
    let start = begin()
    try body()
    return end(start, label: label, counted: counted)
  }
}
