/// Errors of suites, overrides and runs: each one line naming the file, the field and what was
/// expected.
public enum RunnerError: Error, CustomStringConvertible, Equatable {
  /// `file:line: field: message`.
  case suite(file: String, line: Int?, field: String, message: String)
  case unknownBenchmark(file: String, line: Int?, field: String, id: String, known: [String])
  case override(argument: String, message: String)
  case output(path: String, message: String)
  case io(path: String, message: String)

  public var description: String {
    switch self {
    case .suite(let file, let line, let field, let message):
      return "\(file)\(line.map { ":\($0)" } ?? ""): \(field): \(message)"
    case .unknownBenchmark(let file, let line, let field, let id, let known):
      return
        "\(file)\(line.map { ":\($0)" } ?? ""): \(field): unknown benchmark id \"\(id)\" (known: \(known.joined(separator: ", ")))"
    case .override(let argument, let message):
      return "--set \(argument): \(message)"
    case .output(let path, let message):
      return "\(path): \(message)"
    case .io(let path, let message):
      return "\(path): \(message)"
    }
  }
}
