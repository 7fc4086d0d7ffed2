import Benchmarks
import Communication
import Energy
import Foundation
import Measurement
import ReportFormat
import Synchronization

/// Runs a suite's benchmarks one after the other on a node and collects their results.
public struct SuiteRunner {
  public let node: NodeProfile
  public let progress: @Sendable (String) -> Void
  /// MPI_COMM_WORLD under a launcher. With more than one rank, node benchmarks run on every
  /// node's leader at once while the other ranks sleep; collective benchmarks (MPI, distributed
  /// HPL) run on every rank together.
  public let communicator: Communicator?
  /// The job's layout (nodes, leaders) when there are several ranks.
  public let job: JobLayout?

  public init(
    node: NodeProfile, progress: @escaping @Sendable (String) -> Void,
    communicator: Communicator? = nil, job: JobLayout? = nil
  ) {
    self.node = node
    self.progress = progress
    self.communicator = communicator
    self.job = job
  }

  /// Runs node benchmarks in child processes (crashes and time limits contained); nil runs
  /// them in this process.
  public var isolation: ChildProcessRunner? = nil
  /// How energy is measured around node benchmarks run in this process (nil: not at all).
  public var energy: EnergySettings? = nil
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
  /// Rank 0 of a job of several ranks, before each collective benchmark: the outcome as it
  /// would stand if the job ended during it (to be kept beside the report until it is written).
  public var onCheckpoint: (@Sendable (Outcome) -> Void)? = nil
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
    for entry in suite.entries {
      if entry.descriptor.isCollective(entry.values, ranks: ranks) {
        try entry.descriptor.collectivePreflight?(
          node, entry.values, ranks, job?.node.size ?? 1)
      } else {
        try entry.descriptor.preflight(node, entry.values)
      }
    }
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
    // By id and device (gemm.fp16 may have run on the CPU and on cuda:0).
    func key(_ id: String, _ parameters: [String: JSONValue]) -> String {
      if case .string(let device)? = parameters["device"], device != "cpu" {
        return id + "@" + device
      }
      return id
    }
    let done = Dictionary(
      kept.filter { $0.status == .ok || $0.status == .invalid }.map {
        (key($0.id, $0.parameters), $0)
      },
      uniquingKeysWith: { a, _ in a })
    var interrupted = false
    // Set when the ranks could not coordinate (a peer failed): no collective runs after it.
    var coordinationFailure: String? = nil
    let leads = isRoot || (job?.isLeader ?? false)
    for (index, entry) in suite.entries.enumerated() {
      let keys = entry.descriptor.produces.map { key($0, entry.values.values) }
      if keys.allSatisfy({ done[$0] != nil }) {
        results += keys.compactMap { done[$0] }
        continue
      }
      let collective = entry.descriptor.isCollective(entry.values, ranks: ranks)
      func skip(_ status: ResultStatus, _ reason: String) {
        results += entry.descriptor.produces.map {
          .notRun(id: $0, status: status, parameters: entry.values.values, reason: reason)
        }
        complete = false
      }
      if !collective {
        // Node benchmarks: every node's leader at once; the other ranks sleep until the next
        // collective entry.
        guard leads else { continue }
        var decision = 0
        if isRoot {
          let elapsed = Double(MonotonicClock.nanoseconds() - start) * 1e-9
          if interrupted || shouldStop() {
            decision = 1
          } else if let budget = suite.timeBudgetSeconds, elapsed > budget {
            decision = 2
          }
        }
        if let leaders = job?.leaders, leaders.size > 1 {
          var shared = [decision]
          do { try leaders.broadcast(&shared, root: 0) } catch {
            coordinationFailure = String(describing: error)
            skip(.failed, "the node leaders could not coordinate: \(error)")
            continue
          }
          decision = shared[0]
        }
        if decision == 1 {
          interrupted = true
          if isRoot { skip(.skipped, "interrupted (SIGINT/SIGTERM) before it ran") }
          continue
        }
        if decision == 2 {
          if let budget = suite.timeBudgetSeconds, isRoot {
            let elapsed = Double(MonotonicClock.nanoseconds() - start) * 1e-9
            skip(
              .skipped,
              "skipped: the suite's time budget of \(budget) s was used up after \(Int(elapsed)) s")
          }
          continue
        }
        let elapsed = Double(MonotonicClock.nanoseconds() - start) * 1e-9
        progress("[\(index + 1)/\(suite.entries.count)] \(entry.id)")
        let report = stallReport(suite, at: index, completed: results, notes: notes)
        checkpoint.set(report)
        defer { checkpoint.set(nil) }
        let context = BenchmarkContext(
          node: node, progress: progress,
          remainingSeconds: suite.timeBudgetSeconds.map { $0 - elapsed }, communicator: nil,
          job: nil, stalled: { reason in report(.timedOut, reason) })
        var produced = runNodeBenchmark(entry, context: context)
        // A skip is a gap in the run, unless the benchmark says the node lacks what it measures.
        let absent = entry.descriptor.skipsWhereAbsent && !(isolation?.wasInterrupted ?? false)
        if !absent, produced.contains(where: { $0.status == .skipped }) { complete = false }
        if let job, job.nodeCount > 1 {
          produced = gatherNodeResults(produced, entry: entry, job: job, report: report)
        }
        for result in produced
        where result.status == .timedOut || result.status == .crashed || result.status == .failed {
          let place = result.node.map { "node \($0) " } ?? ""
          notes.append(
            "\(result.id): \(place)\(result.status.rawValue): \(result.notes.first ?? "")")
        }
        results += produced
        continue
      }
      if let coordinationFailure {
        skip(.skipped, "not run: the ranks could not coordinate: \(coordinationFailure)")
        continue
      }
      if interrupted {
        skip(.skipped, "interrupted (SIGINT/SIGTERM) before it ran")
        continue
      }
      var elapsed = Double(MonotonicClock.nanoseconds() - start) * 1e-9
      if let communicator {
        do {
          // The leaders come here after their node benchmarks; the other ranks of each node
          // were asleep until now.
          if let job, job.node.size > 1 {
            if job.isLeader { try job.node.release() } else { try job.node.waitForRelease() }
          }
          // Every rank must take the same decision before a collective benchmark: rank 0's clock.
          elapsed = try communicator.maxOverRanks(isRoot ? elapsed : 0)
        } catch {
          skip(.failed, "the ranks could not coordinate: \(error)")
          notes.append("\(entry.id) failed: \(error)")
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
      let watch = guardCollective(
        suite, at: index, completed: results, notes: notes, report: report)
      defer { watch?.cancel() }
      let context = BenchmarkContext(
        node: node, progress: progress,
        remainingSeconds: suite.timeBudgetSeconds.map { $0 - elapsed }, communicator: communicator,
        job: job, stalled: { reason in report(.timedOut, reason) })
      var produced: [BenchmarkResult]
      do {
        produced = try InProcessCleanup.during(entry) { try entry.descriptor.run(context, entry.values) }
      } catch {
        produced = [
          .notRun(
            id: entry.id, status: .failed, parameters: entry.values.values,
            reason: String(describing: error))
        ]
        notes.append("\(entry.id) failed: \(error)")
      }
      if ranks > 1 {
        for i in produced.indices { produced[i].scope = .job }
      }
      results += produced
    }
    if let communicator, communicator.size > 1, coordinationFailure == nil {
      do {
        if let job, job.node.size > 1 {
          if job.isLeader { try job.node.release() } else { try job.node.waitForRelease() }
        }
      } catch {
        notes.append("the ranks could not meet at the end of the run: \(error)")
      }
      if let job, job.nodeCount > 1 {
        notes.append(
          "\(communicator.size) MPI ranks on \(job.nodeCount) nodes (\(communicator.library)): node benchmarks ran on every node's leader at once; collective benchmarks on all ranks"
        )
      } else {
        notes.append(
          "\(communicator.size) MPI ranks (\(communicator.library)): node benchmarks ran on rank 0 only; MPI benchmarks on all ranks"
        )
      }
    }
    DerivedFigures.add(to: &results)
    return Outcome(results: results, complete: complete, notes: notes)
  }

  /// One node benchmark on this rank: in a child process when isolated, else here.
  func runNodeBenchmark(_ entry: SuiteEntry, context: BenchmarkContext) -> [BenchmarkResult] {
    if let isolation {
      return isolation.run(entry, timeLimit: entry.timeLimitSeconds ?? defaultTimeLimit)
    }
    do {
      return try InProcessCleanup.during(entry) {
        try IsolatedRun.measured(
          entry.descriptor, context: context, values: entry.values, energy: energy)
      }
    } catch {
      return [
        .notRun(
          id: entry.id, status: .failed, parameters: entry.values.values,
          reason: String(describing: error))
      ]
    }
  }

  /// Rank 0 collects every node leader's results of one node benchmark, each marked with its
  /// node; the other leaders return nothing. A leader that never answers is named by the
  /// watchdog, which has the report written with what completed.
  func gatherNodeResults(
    _ mine: [BenchmarkResult], entry: SuiteEntry, job: JobLayout,
    report: @escaping @Sendable (ResultStatus, String) -> Void
  ) -> [BenchmarkResult] {
    guard let leaders = job.leaders else { return [] }
    let encoded = (try? JSONEncoder().encode(mine)).map(Array.init) ?? []
    let waitingFor = Atomic<Int>(0)
    let limit = (entry.timeLimitSeconds ?? defaultTimeLimit ?? 3600) + 60
    let watchdog = Watchdog(seconds: limit) { [job] in
      let node = waitingFor.load(ordering: .relaxed)
      let reason =
        "\(entry.id): \(job.describe(node: node)) sent no result within \(Int(limit)) s: it died or hangs; the MPI job was aborted"
      if leaders.rank == 0 { report(.timedOut, reason) }
      job.world.abort(reason)
    }
    defer { watchdog.cancel() }
    let pieces: [[UInt8]]
    do {
      pieces = try leaders.gatherBytes(encoded) { waitingFor.store($0, ordering: .relaxed) }
    } catch {
      return mine.map {
        var r = $0
        r.notes.append("results of other nodes lost: \(error)")
        return r
      }
    }
    guard leaders.rank == 0 else { return [] }
    var all: [BenchmarkResult] = []
    for (node, bytes) in pieces.enumerated() {
      var decoded =
        (try? JSONDecoder().decode([BenchmarkResult].self, from: Data(bytes)))
        ?? entry.descriptor.produces.map {
          .notRun(
            id: $0, status: .failed, parameters: entry.values.values,
            reason: "\(job.describe(node: node)) sent results that do not decode")
        }
      for i in decoded.indices {
        decoded[i].scope = .node
        decoded[i].node = node
      }
      all += decoded
    }
    return all
  }

  /// The outcome rank 0 reports if entry `index` never returns: what completed before it, it
  /// with `status` (timedOut, or skipped when interrupted), the rest not run.
  func stallReport(
    _ suite: Suite, at index: Int, completed: [BenchmarkResult], notes: [String]
  ) -> @Sendable (ResultStatus, String) -> Void {
    guard isRoot, let onStall else { return { _, _ in } }
    return { status, reason in
      onStall(Self.stopped(suite, at: index, completed: completed, notes: notes, status, reason))
    }
  }

  static func stopped(
    _ suite: Suite, at index: Int, completed: [BenchmarkResult], notes: [String],
    _ status: ResultStatus, _ reason: String
  ) -> Outcome {
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
    return Outcome(results: results, complete: false, notes: notes + [reason])
  }

  /// Rank 0, before a collective benchmark of a job of several ranks: the report as it would
  /// stand if the job ended during it (written beside the report, so that a job its launcher
  /// kills at once still leaves a signed partial report), and a watch on the ranks of this
  /// host: one whose process is gone is named in the report at once, before the launcher
  /// stops the job.
  func guardCollective(
    _ suite: Suite, at index: Int, completed: [BenchmarkResult], notes: [String],
    report: @escaping @Sendable (ResultStatus, String) -> Void
  ) -> Watch? {
    guard isRoot, let job, ranks > 1 else { return nil }
    let entry = suite.entries[index]
    onCheckpoint?(
      Self.stopped(
        suite, at: index, completed: completed, notes: notes, .skipped,
        "the job ended while \(entry.id) ran (a rank died or was killed, or the launcher stopped the job; its message names the rank)"
      ))
    let hostname = node.hostname
    return Watch(every: 0.2) {
      let gone = job.vanishedRanks(hostname: hostname)
      guard let first = gone.first else { return false }
      report(
        .failed,
        "rank \(first.rank) on \(job.describe(node: first.node)) died while \(entry.id) ran (its process is gone); the launcher stops the job"
      )
      return true
    }
  }
}

/// Calls `check` every `interval` seconds on a background queue until it returns true or the
/// watch is cancelled.
final class Watch: @unchecked Sendable {
  private let timer: any DispatchSourceTimer

  init(every interval: Double, _ check: @escaping @Sendable () -> Bool) {
    timer = DispatchSource.makeTimerSource(queue: .global())
    timer.schedule(deadline: .now() + interval, repeating: interval)
    let timer = self.timer
    timer.setEventHandler { if check() { timer.cancel() } }
    timer.resume()
  }

  func cancel() { timer.cancel() }
}
