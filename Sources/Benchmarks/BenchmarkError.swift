/// Errors of benchmark parameters and resources, found before or while a benchmark runs: each
/// one line naming the benchmark and what was expected.
public enum BenchmarkError: Error, CustomStringConvertible, Equatable {
  case parameter(benchmark: String, parameter: String, message: String)
  case resources(benchmark: String, message: String)

  public var description: String {
    switch self {
    case .parameter(let benchmark, let parameter, let message):
      return "\(benchmark).\(parameter): \(message)"
    case .resources(let benchmark, let message):
      return "\(benchmark): \(message)"
    }
  }
}
