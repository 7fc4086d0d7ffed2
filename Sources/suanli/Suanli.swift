import ArgumentParser

@main
struct Suanli: ParsableCommand {
  static func main() {
    Terminal.configure()
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      // A bad option or argument is bad input: exit 2, as every other bad input (the README's
      // exit codes), not ArgumentParser's 64.
      if exitCode(for: error) == .validationFailure {
        Terminal.error(fullMessage(for: error))
        exit(withError: ExitStatus.badInput.code)
      }
      exit(withError: error)
    }
  }

  static let configuration = CommandConfiguration(
    commandName: "suanli",
    abstract: "Measure, verify and compare the compute power of a node (算力).",
    version: "0.1.0",
    subcommands: [
      Topo.self, DevicesCommand.self, Run.self, List.self, Score.self, Compare.self, ReportCommand.self, Keygen.self,
      Sign.self, Verify.self, ImportCommand.self,
      Canonicalize.self, RunOne.self,
    ])
}
