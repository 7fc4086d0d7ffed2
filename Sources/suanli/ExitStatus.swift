import ArgumentParser

/// The CLI's exit codes.
enum ExitStatus: Int32 {
  /// Everything ran and every result is valid.
  case success = 0
  /// The run finished and the report was written, but a result is invalid, failed or skipped.
  case resultsNotValid = 1
  /// Bad input: a suite, a parameter, a file, an option.
  case badInput = 2
  /// The environment failed us: hwloc, an unwritable folder, out of memory.
  case environment = 3

  var code: ExitCode { ExitCode(rawValue) }
}

/// Prints `suanli: <message>` on stderr and exits with `status`.
func fail(_ message: CustomStringConvertible, _ status: ExitStatus) -> ExitCode {
  Terminal.error("suanli: \(message)")
  return status.code
}
