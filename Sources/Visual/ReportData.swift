import ReportFormat

/// What the charts read from a report: one valid result per id (the job's own where there is
/// one, else the first node's), its metrics, the first node's peaks. The charts draw the CPUs
/// against the node's Rpeak: a result measured on a GPU (`device`) is not theirs.
struct ReportData {
  let report: Report

  func result(_ id: String) -> BenchmarkResult? {
    let matching = report.results.filter { $0.id == id && $0.status == .ok && $0.device == nil }
    return matching.first { $0.scope == .job } ?? matching.first { ($0.node ?? 0) == 0 }
  }

  func value(_ id: String, _ metric: String) -> Double? { result(id)?.metric(metric)?.value }

  func peak(_ precision: String) -> PeakRecord? {
    report.nodes.first?.rpeak.first { $0.precision == precision }
  }

  func parameter(_ id: String, _ name: String) -> Double? {
    switch result(id)?.parameters[name] {
    case .int(let v)?: return Double(v)
    case .double(let v)?: return v
    default: return nil
    }
  }

  /// The points of a sweep: (message size, value) of `metric`, by size.
  func sweep(_ id: String, _ metric: String) -> [(size: Double, value: Double)] {
    guard let result = result(id) else { return [] }
    return result.metrics.filter { $0.name == metric && $0.size != nil }
      .map { (Double($0.size!), $0.value) }.sorted { $0.size < $1.size }
  }
}
