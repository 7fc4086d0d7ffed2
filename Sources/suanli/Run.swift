import ArgumentParser
import Foundation
import Reports
import Runner

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
    var options = SuiteRun.Options(
      suite: suite,
      center: center ?? ProcessInfo.processInfo.environment["SUANLI_CENTER"] ?? "local")
    options.output = output
    options.resultsFolder = results
    options.overrides = overrides
    options.only = only?.split(separator: ",").map {
      String($0).trimmingCharacters(in: .whitespaces)
    }
    options.keyPath = key
    options.sign = !noSign
    options.timeLimit = timeLimit
    options.resume = resume
    options.isolation = !noIsolation
    options.standard = standard
    let outcome: SuiteRun.Outcome
    do {
      outcome = try SuiteRun.execute(
        options, say: { Terminal.error("suanli: " + $0) }, progress: Terminal.progress,
        loadKey: loadSigningKey)
    } catch SuiteRun.Failure.badInput(let message) {
      throw fail(message, .badInput)
    } catch SuiteRun.Failure.environment(let message) {
      throw fail(message, .environment)
    } catch SuiteRun.Failure.elsewhere(let badInput) {
      // Rank 0 said why; the other ranks end with its status and no second line.
      throw (badInput ? ExitStatus.badInput : ExitStatus.environment).code
    }
    switch outcome.ending {
    case .notRoot: return
    // Stopped by a signal that already had the report written (under a launcher).
    case .writtenEarlier: throw ExitCode(130)
    case .written: break
    }
    try RunView.print(outcome, json: json)
    if !outcome.allValid { throw ExitStatus.resultsNotValid.code }
  }
}
