import Measurement
import ReportFormat

/// Runs a suite's benchmarks one after the other on a node and collects their results.
public struct SuiteRunner {
  public let node: NodeProfile
  public let progress: @Sendable (String) -> Void

  public init(node: NodeProfile, progress: @escaping @Sendable (String) -> Void) {
    self.node = node
    self.progress = progress
  }

  /// Checks every entry's resources before the first benchmark runs, so an impossible size
  /// fails at once rather than after an hour.
  public func preflight(_ suite: Suite) throws {
    for entry in suite.entries { try entry.descriptor.preflight(node, entry.values) }
  }

  public struct Outcome: Sendable {
    public var results: [BenchmarkResult]
    public var complete: Bool
    public var notes: [String]
  }

  public func run(_ suite: Suite) -> Outcome {
    let start = MonotonicClock.nanoseconds()
    var results: [BenchmarkResult] = []
    var notes: [String] = []
    var complete = true
    for (index, entry) in suite.entries.enumerated() {
      let elapsed = Double(MonotonicClock.nanoseconds() - start) * 1e-9
      if let budget = suite.timeBudgetSeconds, elapsed > budget {
        let reason =
          "skipped: the suite's time budget of \(budget) s was used up after \(Int(elapsed)) s"
        results.append(
          .notRun(id: entry.id, status: .skipped, parameters: entry.values.values, reason: reason))
        complete = false
        continue
      }
      progress("[\(index + 1)/\(suite.entries.count)] \(entry.id)")
      let context = BenchmarkContext(
        node: node, progress: progress,
        remainingSeconds: suite.timeBudgetSeconds.map { $0 - elapsed })
      do {
        results += try entry.descriptor.run(context, entry.values)
      } catch {
        results.append(
          .notRun(
            id: entry.id, status: .failed, parameters: entry.values.values,
            reason: String(describing: error)))
        notes.append("\(entry.id) failed: \(error)")
      }
    }
    MxPBenchmark.addSpeedup(to: &results)
    return Outcome(results: results, complete: complete, notes: notes)
  }
}
