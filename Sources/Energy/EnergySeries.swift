import Measurement

/// The readings of one channel over a run, in time order (CLOCK_MONOTONIC nanoseconds), and the
/// pure arithmetic that turns them into joules over the timed regions.
public struct EnergySeries: Sendable, Equatable {
  public var times: [UInt64] = []
  /// Joules (a counter, as read) or watts.
  public var values: [Double] = []
  /// Readings that failed (the file vanished, the tool timed out), and the last reason.
  public var failures = 0
  public var lastFailure: String? = nil

  public init(times: [UInt64] = [], values: [Double] = []) {
    self.times = times
    self.values = values
  }

  /// A counter's readings as energy since the first reading: each step is the difference of two
  /// readings, plus `wrap` where the counter went past its range and restarted from 0. A
  /// decrease without a known range is a reset: that step counts as nothing and is reported.
  /// A gap between readings long enough for `maximumWatts` to run through a whole range could
  /// hide a wrap: reported too.
  public static func accumulate(
    _ series: EnergySeries, wrap: Double?, maximumWatts: Double
  ) -> (cumulative: [Double], problems: [String]) {
    var cumulative: [Double] = []
    cumulative.reserveCapacity(series.values.count)
    var problems: [String] = []
    var total = 0.0
    var longestGap = 0.0
    for (index, value) in series.values.enumerated() {
      if index > 0 {
        var step = value - series.values[index - 1]
        if step < 0 {
          if let wrap {
            step += wrap
          } else {
            step = 0
            if problems.count < 3 { problems.append("the counter went back (reset?): one step not counted") }
          }
        }
        total += step
        longestGap = max(longestGap, Double(series.times[index] &- series.times[index - 1]) * 1e-9)
      }
      cumulative.append(total)
    }
    if let wrap, longestGap * maximumWatts > wrap {
      problems.append(
        "a gap of \(Humanize.significant(longestGap, digits: 3)) s between readings: at up to \(Humanize.significant(maximumWatts, digits: 3)) W the counter could have wrapped unseen (range \(Humanize.significant(wrap, digits: 4)) J)"
      )
    }
    return (cumulative, problems)
  }

  /// The value at `time` on the straight line between the readings either side (the first or
  /// last reading outside them).
  static func interpolate(_ times: [UInt64], _ values: [Double], at time: UInt64) -> Double {
    guard let last = times.indices.last else { return 0 }
    if time <= times[0] { return values[0] }
    if time >= times[last] { return values[last] }
    // The first reading after `time`.
    var low = 0
    var high = last
    while high - low > 1 {
      let middle = (low + high) / 2
      if times[middle] <= time { low = middle } else { high = middle }
    }
    let span = Double(times[high] &- times[low])
    guard span > 0 else { return values[high] }
    let fraction = Double(time &- times[low]) / span
    return values[low] + (values[high] - values[low]) * fraction
  }

  /// Joules over `regions` from a counter's cumulative energy: the difference across each
  /// region, with the meter's readings at both of its boundaries.
  public static func counterJoules(
    times: [UInt64], cumulative: [Double], regions: [(start: UInt64, end: UInt64)]
  ) -> Double {
    regions.reduce(0) { sum, region in
      sum + interpolate(times, cumulative, at: region.end)
        - interpolate(times, cumulative, at: region.start)
    }
  }

  /// Joules over `regions` from power readings: the trapezoid rule over the readings inside
  /// each region, with the power at its ends interpolated from the readings either side.
  public static func powerJoules(
    times: [UInt64], watts: [Double], regions: [(start: UInt64, end: UInt64)]
  ) -> Double {
    var joules = 0.0
    for region in regions where region.end > region.start {
      var previousTime = region.start
      var previousWatts = interpolate(times, watts, at: region.start)
      for (index, time) in times.enumerated() where time > region.start && time < region.end {
        joules += 0.5 * (previousWatts + watts[index]) * Double(time - previousTime) * 1e-9
        previousTime = time
        previousWatts = watts[index]
      }
      let endWatts = interpolate(times, watts, at: region.end)
      joules += 0.5 * (previousWatts + endWatts) * Double(region.end - previousTime) * 1e-9
    }
    return joules
  }

  /// Readings strictly inside the regions.
  public static func readingsInside(
    _ times: [UInt64], _ regions: [(start: UInt64, end: UInt64)]
  ) -> Int {
    regions.reduce(0) { count, region in
      count + times.filter { $0 > region.start && $0 < region.end }.count
    }
  }
}
