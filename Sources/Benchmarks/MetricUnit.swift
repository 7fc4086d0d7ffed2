import Measurement

/// Measurement's unit of a metric (Foundation has a `Unit` too).
typealias MetricUnit = Unit
