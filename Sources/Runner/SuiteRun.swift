import Benchmarks
import Communication
import Energy
import Files
import Foundation
import Interconnect
import ReportFormat
import Reports
import Signing
import Synchronization
import Topology

/// `suanli run` as one library call: start MPI when launched, read and check the suite, run
/// it (isolated, interruptible, resumable), score it, and have rank 0 write the one signed
/// report — whoever gets there first: the end of the run, a watchdog, or a signal.
public enum SuiteRun {
  public struct Options: Sendable {
    public var suite: String
    public var center: String
    public var output: String? = nil
    public var resultsFolder = "results"
    public var overrides: [String] = []
    public var only: [String]? = nil
    public var keyPath: String? = nil
    public var sign = true
    public var timeLimit: Double? = nil
    public var resume: String? = nil
    public var isolation = true
    public var standard: String? = nil

    public init(suite: String, center: String) {
      self.suite = suite
      self.center = center
    }
  }

  /// Why a run did not start: the CLI's exit codes 2 and 3.
  public enum Failure: Error, CustomStringConvertible {
    case badInput(String)
    case environment(String)
    /// Another rank of the job could not start the run and said why; this one stops quietly.
    case elsewhere(badInput: Bool)

    public var description: String {
      switch self {
      case .badInput(let message), .environment(let message): return message
      case .elsewhere: return "another rank of the job stopped the run"
      }
    }
  }

  public struct Outcome: Sendable {
    public enum Ending: Sendable {
      /// This rank wrote the report at the end of the run.
      case written
      /// A signal had the report written before the run ended (exit 130).
      case writtenEarlier
      /// Not rank 0: the report is rank 0's to write.
      case notRoot
    }

    public var ending: Ending
    public var report: Report?
    public var path: String
    public var signingKey: SigningKey?

    /// Every benchmark ran and nothing is invalid, failed, timed out or crashed (skipped as not
    /// applicable, an MPI benchmark without mpirun, is not a failure).
    public var allValid: Bool {
      guard let report else { return true }
      return report.complete
        && !report.results.contains {
          [.invalid, .failed, .timedOut, .crashed].contains($0.status)
        }
    }
  }

  /// Runs the suite. `say` gets one-line messages for stderr, `progress` progress lines (rank 0
  /// only), `loadKey` turns a key path (nil: the default key) into a signing key.
  public static func execute(
    _ options: Options, say: @escaping @Sendable (String) -> Void,
    progress: @escaping @Sendable (String) -> Void,
    loadKey: (String?) throws -> SigningKey
  ) throws -> Outcome {
    var plan: Suite
    do {
      plan = try SuiteParser().load(path: options.suite)
      try plan.apply(set: options.overrides)
    } catch let error as RunnerError {
      throw Failure.badInput(error.description)
    }
    #if MPI
      // A benchmark that communicates from a worker thread needs MPI_THREAD_SERIALIZED; the
      // others keep MPI_THREAD_SINGLE, the cheapest (OSU's latency is measured that way).
      let threaded = plan.entries.contains { $0.descriptor.communicatesFromThreads }
      let world = MPIWorld.initializeIfLaunched(level: threaded ? .serialized : .single)
      defer { world?.finalize() }
      let communicator: Communicator? = world
    #else
      let communicator: Communicator? = nil
      // Started by a launcher without MPI support: let the launcher's rank 0 do the run alone.
      let environment = ProcessInfo.processInfo.environment
      let launcherRank = ["OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK", "SLURM_PROCID"]
        .lazy.compactMap { environment[$0].flatMap(Int.init) }.first
      if let launcherRank, launcherRank > 0 {
        say("rank \(launcherRank): built without MPI; only rank 0 runs the suite")
        return Outcome(ending: .notRoot, report: nil, path: "", signingKey: nil)
      }
    #endif
    let isRoot = (communicator?.rank ?? 0) == 0
    let progress: @Sendable (String) -> Void = { line in if isRoot { progress(line) } }

    var discovered: NodeProfile
    let cluster: Cluster?
    do {
      if let only = options.only {
        for line in try plan.keepOnly(only) { progress(line) }
      }
      if let communicator, communicator.size > 1 {
        cluster = try Cluster.start(communicator, energy: plan.energy)
        discovered = cluster!.node
      } else {
        cluster = nil
        discovered = try NodeDiscovery.discover(.host)
        discovered.energySources = EnergyProbe.host(
          kinds: plan.energy.kindSet, packages: discovered.machine.packages
        ).discover().records
        discovered.probeAccelerators()
      }
      try SuiteRunner(node: discovered, progress: progress, communicator: communicator, job: cluster?.job)
        .preflight(plan)
    } catch let error as RunnerError {
      throw Failure.badInput(error.description)
    } catch let error as BenchmarkError {
      throw Failure.badInput(error.description)
    } catch let error as TopologyError {
      throw Failure.environment(error.description)
    } catch let error as CommunicationError {
      throw Failure.environment(error.description)
    }
    let node = discovered

    // Rank 0's own checks (the key, the report's path) and the resumed results. In a job, every
    // rank learns whether any of them failed before the benchmarks start: a rank left waiting
    // for one that gave up would wait for ever.
    var signingKey: SigningKey? = nil
    let date = Date()
    let path =
      options.output
      ?? ReportBuilder.defaultPath(
        folder: options.resultsFolder, center: options.center, host: node.hostname,
        suite: plan.name, date: date)
    var kept: [BenchmarkResult] = []
    var setupFailure: Failure? = nil
    do {
      if isRoot, options.sign,
        options.keyPath != nil || FileManager.default.fileExists(atPath: KeyFiles.defaultPrivateKey)
      {
        signingKey = try loadKey(options.keyPath)
      }
      if isRoot { try checkOutput(path) }
      // Resuming: the results already measured, from the same suite file, signed with this key.
      if let resume = options.resume {
        do {
          kept = try ResumeSource.results(
            path: resume, suiteSHA256: plan.sha256, signingKey: signingKey)
          plan.overrides.append("--resume \(resume)")
        } catch {
          throw Failure.badInput(String(describing: error))
        }
      }
    } catch let failure as Failure {
      setupFailure = failure
    } catch {
      setupFailure = .environment(String(describing: error))
    }
    if let communicator, communicator.size > 1 {
      let code: Double
      switch setupFailure {
      case nil: code = 0
      case .badInput?: code = 2
      case .environment?, .elsewhere?: code = 3
      }
      let worst: Double
      do { worst = try communicator.maxOverRanks(code) } catch {
        throw Failure.environment("the ranks could not coordinate: \(error)")
      }
      if setupFailure == nil, worst > 0 { throw Failure.elsewhere(badInput: worst == 2) }
    }
    if let setupFailure { throw setupFailure }

    // Node benchmarks run in child processes (crashes and time limits contained), under an MPI
    // launcher too (rank 0 runs them; the child does not join the MPI job). MPI benchmarks run
    // in the ranks themselves, under their watchdog.
    var isolation: ChildProcessRunner? = nil
    if options.isolation, isRoot || (cluster?.job.isLeader ?? false) {
      let executable =
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        ?? CommandLine.arguments[0]
      isolation = ChildProcessRunner(
        executable: executable, clockHertz: node.clock?.hertz, energy: plan.energy)
    }
    progress("suite \(plan.name): \(plan.entries.count) benchmark(s) on \(node.hostname)")
    progress(Self.energyLine(node.energySources ?? [], settings: plan.energy))
    var runner = SuiteRunner(
      node: node, progress: progress, communicator: communicator, job: cluster?.job)
    runner.isolation = isolation
    runner.energy = plan.energy
    runner.defaultTimeLimit = options.timeLimit
    runner.kept = kept
    // SIGINT/SIGTERM: stop after (or by killing) the running benchmark and write what completed;
    // a second signal exits at once. Under an MPI launcher, which kills the ranks soon after it
    // is signalled, rank 0 writes what completed at once and every rank exits.
    let checkpoint = runner.checkpoint
    let underLauncher = communicator != nil
    let job = cluster?.job
    let hostname = node.hostname
    let announce: @Sendable () -> Void = {
      if isRoot { say("interrupted: writing the report with what completed (again to quit now)") }
    }
    let signals = Interruption(announce: announce) { [isolation] in
      isolation?.interrupt()
      // A rank that died makes the launcher stop the others: name it when it can be told.
      let gone = job?.vanishedRanks(hostname: hostname) ?? []
      let who =
        gone.isEmpty
        ? ""
        : "; "
          + gone.map { "rank \($0.rank) on \(job!.describe(node: $0.node)) is gone" }
          .joined(separator: ", ") + ": the launcher stopped the job"
      if underLauncher,
        checkpoint.report(.skipped, "interrupted (SIGINT/SIGTERM) while it ran\(who)")
      {
        InProcessCleanup.runNow()
        _exit(130)
      }
    }
    runner.shouldStop = { signals.stopped }
    // Rank 0 writes the one report; the other ranks have nothing to say.
    let finished: @Sendable (SuiteRunner.Outcome) -> Report = { [plan, cluster] outcome in
      var report = ReportBuilder.report(
        suite: plan, center: options.center, node: node, outcome: outcome, date: date,
        nodes: cluster?.nodes, job: cluster?.record)
      report.software.mpi = communicator?.library
      return scored(report, standard: options.standard, say: say)
    }
    // One report per run: the first writer (a watchdog or signal thread, or the end of the
    // run) writes it; a later one finds it written and stops.
    let written = Mutex(false)
    // In a job of several ranks, the report as it would stand if the job ended during the
    // running collective benchmark waits beside the report (a launcher that kills the ranks at
    // once leaves no time to write one); it goes once the report is written.
    let partial = partialPath(path)
    runner.onStall = { [signingKey] outcome in
      written.withLock { done in
        guard !done else { return }
        do {
          try ReportBuilder.write(finished(outcome), to: path, key: signingKey)
          done = true
          unlink(partial)
          say("wrote the report with what completed: \(path)")
        } catch {
          say("the report could not be written: \(error)")
        }
      }
    }
    runner.onCheckpoint = { [signingKey] outcome in
      written.withLock { done in
        guard !done else { return }
        if let bytes = try? ReportBuilder.encode(finished(outcome), key: signingKey) {
          try? AtomicFile.write(bytes, to: partial, overwrite: true)
        }
      }
    }
    let outcome = runner.run(plan)
    guard isRoot else { return Outcome(ending: .notRoot, report: nil, path: path, signingKey: nil) }
    let report = finished(outcome)
    let wroteNow = try written.withLock { done -> Bool in
      guard !done else { return false }
      do { try ReportBuilder.write(report, to: path, key: signingKey) } catch {
        throw Failure.environment(String(describing: error))
      }
      done = true
      unlink(partial)
      return true
    }
    return Outcome(
      ending: wroteNow ? .written : .writtenEarlier, report: report, path: path,
      signingKey: signingKey)
  }

  /// Where the partial report of a job waits: `REPORT.partial.json` beside `REPORT.json`.
  /// What the run will measure energy with, or why it measures none.
  static func energyLine(_ sources: [EnergySourceRecord], settings: EnergySettings) -> String {
    if settings.sources == [] { return "energy: not measured (the suite's energy sources: none)" }
    let present = sources.filter { $0.present && $0.reason == nil }
    if present.isEmpty {
      return "energy: no source — "
        + sources.map { "\($0.kind): \($0.reason ?? "absent")" }.joined(separator: "; ")
    }
    return "energy: "
      + present.map { "\($0.kind) \($0.name) [\($0.scope ?? "?")]" }.joined(separator: ", ")
  }

  static func partialPath(_ path: String) -> String {
    (path.hasSuffix(".json") ? String(path.dropLast(5)) : path) + ".partial.json"
  }

  /// The report's folder must be writable and the report itself must not exist yet.
  static func checkOutput(_ path: String) throws {
    do {
      try AtomicFile.ensureWritableFolder(
        URL(fileURLWithPath: path).deletingLastPathComponent().path)
      if FileManager.default.fileExists(atPath: path) {
        throw RunnerError.output(path: path, message: "already exists; not overwritten")
      }
    } catch let error as RunnerError {
      throw Failure.environment(error.description)
    } catch let error as FilesError {
      throw Failure.environment(error.description)
    }
  }

  /// The report scored with the standard asked for, or the default one when it exists.
  static func scored(_ report: Report, standard: String?, say: (String) -> Void) -> Report {
    let path = standard ?? Scoring.defaultStandard
    guard standard != nil || FileManager.default.fileExists(atPath: path) else { return report }
    do {
      return Scoring.scored(
        report,
        standard: try Scoring.load(path, knownBenchmarks: BenchmarkRegistry.standard.resultIDs))
    } catch {
      say("not scored: \(error)")
      var unscored = report
      unscored.notes.append("not scored: \(error)")
      return unscored
    }
  }
}
