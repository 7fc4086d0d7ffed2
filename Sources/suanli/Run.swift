import ArgumentParser
import Files
import Foundation
import Interconnect
import ReportFormat
import Runner
import Signing
import Synchronization
import Topology

struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a suite on this node and write a report.",
    discussion: """
      Writes results/<center>/<host>-<UTC time>-<suite>.json (or --output) atomically and prints \
      its path last on stdout. Progress goes to stderr.
      """)

  @Argument(help: "The suite file (YAML), e.g. suites/quick.yaml.")
  var suite: String

  @Option(
    name: .long,
    help: "The computing center this node belongs to (default: $SUANLI_CENTER or \"local\").")
  var center: String?

  @Option(name: .long, help: "Write the report to this file instead of the results folder.")
  var output: String?

  @Option(name: .long, help: "Results folder.")
  var results = "results"

  @Option(
    name: .customLong("set"),
    help: ArgumentHelp("Override a parameter, repeatable.", valueName: "ID.PARAM=VALUE"))
  var overrides: [String] = []

  @Option(
    name: .long, help: ArgumentHelp("Run only these benchmarks of the suite.", valueName: "ID,..."))
  var only: String?

  @Flag(name: .long, help: "Print the report as JSON on stdout (the path goes to stderr).")
  var json = false

  @Option(
    name: .long,
    help: "Sign with this private key (default: the one `suanli keygen` wrote, if any).")
  var key: String?

  @Flag(name: .long, help: "Do not sign the report.")
  var noSign = false

  @Option(
    name: .long,
    help:
      "Stop any benchmark after this many seconds (recorded as timedOut); a suite entry's timeLimitSeconds wins."
  )
  var timeLimit: Double?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Complete a partial report: re-run only what it lacks, write a new report.",
      valueName: "REPORT"))
  var resume: String?

  @Flag(
    name: .long,
    help:
      "Run benchmarks in this process instead of one child process each (no crash or time-limit containment)."
  )
  var noIsolation = false

  @Option(
    name: .long,
    help:
      "Score the report against this standard (default: \(Scoring.defaultStandard) when present).")
  var standard: String?

  func validate() throws {
    if let timeLimit, !(timeLimit > 0) {
      throw ValidationError("--time-limit: expected seconds > 0, got \(timeLimit)")
    }
    if let center, center.trimmingCharacters(in: .whitespaces).isEmpty {
      throw ValidationError("--center: expected a non-empty name")
    }
  }

  func run() throws {
    #if MPI
      let world = MPIWorld.initializeIfLaunched()
      defer { world?.finalize() }
      let communicator: Communicator? = world
    #else
      let communicator: Communicator? = nil
      // Started by a launcher without MPI support: let the launcher's rank 0 do the run alone.
      let environment = ProcessInfo.processInfo.environment
      let launcherRank = ["OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK", "SLURM_PROCID"]
        .lazy.compactMap { environment[$0].flatMap(Int.init) }.first
      if let launcherRank, launcherRank > 0 {
        Terminal.error(
          "suanli: rank \(launcherRank): built without MPI; only rank 0 runs the suite")
        return
      }
    #endif
    let isRoot = (communicator?.rank ?? 0) == 0
    let progress: @Sendable (String) -> Void = { line in if isRoot { Terminal.progress(line) } }
    let centerName = center ?? ProcessInfo.processInfo.environment["SUANLI_CENTER"] ?? "local"
    var plan: Suite
    let node: NodeProfile
    do {
      plan = try SuiteParser().load(path: suite)
      try plan.apply(set: overrides)
      if let only {
        try plan.keepOnly(
          only.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
      }
      node = try NodeDiscovery.discover(.host)
      try SuiteRunner(node: node, progress: progress).preflight(plan)
    } catch let error as RunnerError {
      throw fail(error, .badInput)
    } catch let error as TopologyError {
      throw fail(error, .environment)
    }

    var signingKey: SigningKey? = nil
    if isRoot, !noSign,
      key != nil || FileManager.default.fileExists(atPath: KeyFiles.defaultPrivateKey)
    {
      signingKey = try loadSigningKey(key)
    }

    let date = Date()
    let path =
      output
      ?? ReportBuilder.defaultPath(
        folder: results, center: centerName, host: node.hostname, suite: plan.name, date: date)
    if isRoot {
      do {
        try AtomicFile.ensureWritableFolder(
          URL(fileURLWithPath: path).deletingLastPathComponent().path)
        if FileManager.default.fileExists(atPath: path) {
          throw RunnerError.output(path: path, message: "already exists; not overwritten")
        }
      } catch let error as RunnerError {
        throw fail(error, .environment)
      } catch let error as FilesError {
        throw fail(error, .environment)
      }
    }

    // Resuming: the results already measured, from the same suite file, signed with this key.
    var kept: [BenchmarkResult] = []
    if let resume {
      do {
        kept = try ResumeSource.results(
          path: resume, suiteSHA256: plan.sha256, signingKey: signingKey)
        plan.overrides.append("--resume \(resume)")
      } catch {
        throw fail(String(describing: error), .badInput)
      }
    }

    // Node benchmarks run in child processes (crashes and time limits contained), under an MPI
    // launcher too (rank 0 runs them; the child does not join the MPI job). MPI benchmarks run
    // in the ranks themselves, under their watchdog.
    var isolation: ChildProcessRunner? = nil
    if !noIsolation, isRoot {
      let executable =
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        ?? CommandLine.arguments[0]
      isolation = ChildProcessRunner(executable: executable, clockHertz: node.clock?.hertz)
    }
    progress("suite \(plan.name): \(plan.entries.count) benchmark(s) on \(node.hostname)")
    var runner = SuiteRunner(node: node, progress: progress, communicator: communicator)
    runner.isolation = isolation
    runner.defaultTimeLimit = timeLimit
    runner.kept = kept
    // SIGINT/SIGTERM: stop after (or by killing) the running benchmark and write what completed;
    // a second signal exits at once. Under an MPI launcher, which kills the ranks soon after it
    // is signalled, rank 0 writes what completed at once and every rank exits.
    let checkpoint = runner.checkpoint
    let underLauncher = communicator != nil
    let signals = Interruption(announce: isRoot) { [isolation] in
      isolation?.interrupt()
      if underLauncher,
        checkpoint.report(.skipped, "interrupted (SIGINT/SIGTERM) while it ran")
      {
        _exit(130)
      }
    }
    runner.shouldStop = { signals.stopped }
    // Rank 0 writes the one report; the other ranks have nothing to say.
    let finished: @Sendable (SuiteRunner.Outcome) -> Report = { [plan, standard] outcome in
      var report = ReportBuilder.report(
        suite: plan, center: centerName, node: node, outcome: outcome, date: date)
      report.software.mpi = communicator?.library
      let standardPath = standard ?? Scoring.defaultStandard
      if standard != nil || FileManager.default.fileExists(atPath: standardPath) {
        do {
          report = Scoring.scored(report, standard: try Scoring.load(standardPath))
        } catch {
          Terminal.error("suanli: not scored: \(error)")
          report.notes.append("not scored: \(error)")
        }
      }
      return report
    }
    // A collective benchmark that never returns (a rank died or hangs): the report is written
    // with what completed before the watchdog aborts the job.
    // One report per run: the first writer (a watchdog or signal thread, or the end of the
    // run) writes it; a later one finds it written and stops.
    let written = Mutex(false)
    runner.onStall = { [signingKey] outcome in
      written.withLock { done in
        guard !done else { return }
        do {
          try ReportBuilder.write(finished(outcome), to: path, key: signingKey)
          done = true
          Terminal.error("suanli: wrote the report with what completed: \(path)")
        } catch {
          Terminal.error("suanli: the report could not be written: \(error)")
        }
      }
    }
    let outcome = runner.run(plan)
    guard isRoot else { return }
    let report = finished(outcome)
    let wroteNow = try written.withLock { done -> Bool in
      guard !done else { return false }
      do { try ReportBuilder.write(report, to: path, key: signingKey) } catch {
        throw fail(String(describing: error), .environment)
      }
      done = true
      return true
    }
    // Stopped by a signal that already had the report written (under a launcher): nothing to add.
    guard wroteNow else { throw ExitCode(130) }
    if json {
      print(
        String(decoding: try ReportBuilder.encode(report, key: signingKey), as: UTF8.self),
        terminator: "")
      Terminal.error(path)
    } else {
      print(RunView.render(report))
      if let score = report.score {
        print(
          ScoreView.render(center: report.center, score).split(separator: "\n").prefix(12).joined(
            separator: "\n"))
      }
      print(
        signingKey.map { "signed with key \($0.publicKey.keyID.prefix(16))" }
          ?? "unsigned (no key: `suanli keygen`)")
      print(path)
    }
    // Skipped as not applicable (an MPI benchmark without mpirun) is not a failure; an invalid
    // or failed result, or a run cut short by its budget, is.
    if !report.complete
      || report.results.contains(where: {
        [.invalid, .failed, .timedOut, .crashed].contains($0.status)
      })
    {
      throw ExitStatus.resultsNotValid.code
    }
  }
}
