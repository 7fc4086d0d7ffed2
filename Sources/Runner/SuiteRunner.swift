import Interconnect
import Measurement
import ReportFormat

/// Runs a suite's benchmarks one after the other on a node and collects their results.
public struct SuiteRunner {
  public let node: NodeProfile
  public let progress: @Sendable (String) -> Void
  /// MPI_COMM_WORLD under a launcher. With more than one rank, node benchmarks run on rank 0
  /// only while the others sleep; MPI benchmarks run on every rank together.
  public let communicator: Communicator?

  public init(
    node: NodeProfile, progress: @escaping @Sendable (String) -> Void,
    communicator: Communicator? = nil
  ) {
    self.node = node
    self.progress = progress
    self.communicator = communicator
  }

  var isRoot: Bool { (communicator?.rank ?? 0) == 0 }
  var ranks: Int { communicator?.size ?? 1 }

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
      if !entry.descriptor.usesMPI, !isRoot { continue }
      if entry.descriptor.usesMPI, let communicator, communicator.size > 1 {
        // Rank 0 comes here after its node benchmarks; the others were asleep until now.
        if isRoot { communicator.release() } else { communicator.waitForRelease() }
      }
      var elapsed = Double(MonotonicClock.nanoseconds() - start) * 1e-9
      if entry.descriptor.usesMPI, let communicator {
        // Every rank must take the same decision before a collective benchmark: rank 0's clock.
        elapsed = communicator.maxOverRanks(isRoot ? elapsed : 0)
      }
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
        remainingSeconds: suite.timeBudgetSeconds.map { $0 - elapsed }, communicator: communicator)
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
    if let communicator, communicator.size > 1 {
      if isRoot { communicator.release() } else { communicator.waitForRelease() }
      notes.append(
        "\(communicator.size) MPI ranks (\(communicator.library)): node benchmarks ran on rank 0 only; MPI benchmarks on all ranks"
      )
    }
    MxPBenchmark.addSpeedup(to: &results)
    return Outcome(results: results, complete: complete, notes: notes)
  }
}
