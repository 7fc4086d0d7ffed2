import Benchmarks
import Communication
import Measurement
import ReportFormat
import Synchronization

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

  /// Runs node benchmarks in child processes (crashes and time limits contained); nil runs
  /// them in this process.
  public var isolation: ChildProcessRunner? = nil
  /// The time limit of entries that set none.
  public var defaultTimeLimit: Double? = nil
  /// Checked before each benchmark: true stops the run (interrupted), the rest is skipped.
  public var shouldStop: @Sendable () -> Bool = { false }
  /// Results already measured (a report being resumed): entries whose every result is here
  /// and ran (ok or invalid) are not run again.
  public var kept: [BenchmarkResult] = []
  /// Rank 0's last word when the run cannot go on — a collective benchmark stalled and the job
  /// is about to be aborted, or an MPI job is being stopped by its launcher: the outcome so far
  /// (called from a watchdog or signal thread; the main thread may be stuck in MPI).
  public var onStall: (@Sendable (Outcome) -> Void)? = nil
  /// The report of the run as it stands, for a signal handler that cannot wait for the running
  /// benchmark (under an MPI launcher, which kills the ranks soon after Ctrl-C).
  public let checkpoint = Checkpoint()

  public final class Checkpoint: Sendable {
    private let current = Mutex<(@Sendable (ResultStatus, String) -> Void)?>(nil)

    func set(_ report: (@Sendable (ResultStatus, String) -> Void)?) {
      current.withLock { $0 = report }
    }

    /// Has the outcome so far written, the running benchmark with `status` and `reason`, the
    /// rest not run. False when no benchmark is running (before the first, after the last).
    public func report(_ status: ResultStatus, _ reason: String) -> Bool {
      guard let report = current.withLock({ $0 }) else { return false }
      report(status, reason)
      return true
    }
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
    let done = Dictionary(
      kept.filter { $0.status == .ok || $0.status == .invalid }.map { ($0.id, $0) },
      uniquingKeysWith: { a, _ in a })
    var interrupted = false
    // Set when the ranks could not coordinate (a peer failed): no collective runs after it.
    var coordinationFailure: String? = nil
    for (index, entry) in suite.entries.enumerated() {
      if entry.descriptor.produces.allSatisfy({ done[$0] != nil }) {
        results += entry.descriptor.produces.compactMap { done[$0] }
        continue
      }
      if !entry.descriptor.usesMPI, !isRoot { continue }
      if let coordinationFailure, entry.descriptor.usesMPI {
        results += entry.descriptor.produces.map {
          .notRun(
            id: $0, status: .skipped, parameters: entry.values.values,
            reason: "not run: the ranks could not coordinate: \(coordinationFailure)")
        }
        complete = false
        continue
      }
      if interrupted || (!entry.descriptor.usesMPI && shouldStop()) {
        interrupted = true
        results += entry.descriptor.produces.map {
          .notRun(
            id: $0, status: .skipped, parameters: entry.values.values,
            reason: "interrupted (SIGINT/SIGTERM) before it ran")
        }
        complete = false
        continue
      }
      var elapsed = Double(MonotonicClock.nanoseconds() - start) * 1e-9
      if entry.descriptor.usesMPI, let communicator {
        do {
          // Rank 0 comes here after its node benchmarks; the others were asleep until now.
          if communicator.size > 1 {
            if isRoot { try communicator.release() } else { try communicator.waitForRelease() }
          }
          // Every rank must take the same decision before a collective benchmark: rank 0's clock.
          elapsed = try communicator.maxOverRanks(isRoot ? elapsed : 0)
        } catch {
          results += entry.descriptor.produces.map {
            .notRun(
              id: $0, status: .failed, parameters: entry.values.values,
              reason: "the ranks could not coordinate: \(error)")
          }
          notes.append("\(entry.id) failed: \(error)")
          complete = false
          coordinationFailure = String(describing: error)
          continue
        }
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
      let report = stallReport(suite, at: index, completed: results, notes: notes)
      checkpoint.set(report)
      defer { checkpoint.set(nil) }
      let context = BenchmarkContext(
        node: node, progress: progress,
        remainingSeconds: suite.timeBudgetSeconds.map { $0 - elapsed }, communicator: communicator,
        stalled: { reason in report(.timedOut, reason) })
      if let isolation, !entry.descriptor.usesMPI {
        let produced = isolation.run(entry, timeLimit: entry.timeLimitSeconds ?? defaultTimeLimit)
        for result in produced
        where result.status == .timedOut || result.status == .crashed || result.status == .failed {
          notes.append("\(result.id): \(result.status.rawValue): \(result.notes.first ?? "")")
        }
        if produced.contains(where: { $0.status == .skipped }) { complete = false }
        results += produced
        continue
      }
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
    if let communicator, communicator.size > 1, coordinationFailure == nil {
      do {
        if isRoot { try communicator.release() } else { try communicator.waitForRelease() }
      } catch {
        notes.append("the ranks could not meet at the end of the run: \(error)")
      }
      notes.append(
        "\(communicator.size) MPI ranks (\(communicator.library)): node benchmarks ran on rank 0 only; MPI benchmarks on all ranks"
      )
    }
    DerivedFigures.add(to: &results)
    return Outcome(results: results, complete: complete, notes: notes)
  }

  /// The outcome rank 0 reports if entry `index` never returns: what completed before it, it
  /// with `status` (timedOut, or skipped when interrupted), the rest not run.
  func stallReport(
    _ suite: Suite, at index: Int, completed: [BenchmarkResult], notes: [String]
  ) -> @Sendable (ResultStatus, String) -> Void {
    guard isRoot, let onStall else { return { _, _ in } }
    return { status, reason in
      let stalled = suite.entries[index]
      var results = completed
      results += stalled.descriptor.produces.map {
        .notRun(id: $0, status: status, parameters: stalled.values.values, reason: reason)
      }
      for later in suite.entries[(index + 1)...] {
        results += later.descriptor.produces.map {
          .notRun(
            id: $0, status: .skipped, parameters: later.values.values,
            reason: "not run: the MPI job was stopped during \(stalled.id)")
        }
      }
      DerivedFigures.add(to: &results)
      onStall(Outcome(results: results, complete: false, notes: notes + [reason]))
    }
  }
}
