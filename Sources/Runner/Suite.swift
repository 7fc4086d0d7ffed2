import Benchmarks
import Energy
import ReportFormat

/// A suite as it will run: which benchmarks, with which parameters, within which budget.
public struct Suite: Sendable {
  public var name: String
  public var description: String
  public var file: String
  /// sha256 of the suite file's bytes (hex), recorded in every report.
  public var sha256: String
  public var timeBudgetSeconds: Double?
  public var entries: [SuiteEntry]
  /// How energy is measured around each node benchmark (the suite's `energy:` block).
  public var energy = EnergySettings()
  /// `--set` and `--only` arguments applied, verbatim.
  public var overrides: [String] = []
}

public struct SuiteEntry: Sendable {
  public var descriptor: BenchmarkDescriptor
  public var values: ParameterValues
  /// Line of the entry in the suite file, for error messages.
  public var line: Int?
  /// Stop the benchmark (recorded as timedOut) after this many seconds.
  public var timeLimitSeconds: Double? = nil

  public var id: String { descriptor.id }
}

extension Suite {
  /// Applies `--set ID.PARAM=VALUE` overrides: ID must be a benchmark of the suite, PARAM one of
  /// its parameters, VALUE of the parameter's type and range.
  public mutating func apply(set arguments: [String]) throws {
    for argument in arguments {
      guard let equals = argument.firstIndex(of: "=") else {
        throw RunnerError.override(argument: argument, message: "expected ID.PARAM=VALUE")
      }
      let key = argument[..<equals]
      let text = String(argument[argument.index(after: equals)...])
      guard let dot = key.lastIndex(of: ".") else {
        throw RunnerError.override(argument: argument, message: "expected ID.PARAM=VALUE")
      }
      let id = String(key[..<dot])
      let name = String(key[key.index(after: dot)...])
      let matching = entries.indices.filter { entries[$0].id == id }
      guard let first = matching.first else {
        throw RunnerError.override(
          argument: argument,
          message:
            "benchmark \"\(id)\" is not in suite \(name.isEmpty ? file : self.name) (it has: \(entries.map(\.id).joined(separator: ", ")))"
        )
      }
      guard let spec = entries[first].descriptor.spec(name) else {
        let known = entries[first].descriptor.parameters.map(\.name).joined(separator: ", ")
        throw RunnerError.override(
          argument: argument, message: "\(id) has no parameter \"\(name)\" (it has: \(known))")
      }
      guard let value = spec.parse(text) else {
        throw RunnerError.override(
          argument: argument, message: "expected \(spec.expectation), got \"\(text)\"")
      }
      for index in matching { entries[index].values[name] = value }
      overrides.append("--set " + argument)
    }
  }

  /// Keeps only the entries whose ids are listed (`--only a,b`). An id may name a benchmark of
  /// the suite or a result one of them produces (`stream.triad` runs `stream`); anything else
  /// is an error. Returns what it chose for result ids, to tell the user.
  @discardableResult
  public mutating func keepOnly(_ ids: [String]) throws -> [String] {
    var keep: [String] = []
    var said: [String] = []
    for id in ids {
      if entries.contains(where: { $0.id == id }) {
        keep.append(id)
      } else if let producer = entries.first(where: { $0.descriptor.produces.contains(id) }) {
        keep.append(producer.id)
        said.append("--only \(id): \(id) is measured by \(producer.id), which runs whole")
      } else {
        throw RunnerError.override(
          argument: "--only \(ids.joined(separator: ","))",
          message:
            "benchmark \"\(id)\" is not in suite \(name) (it has: \(entries.map(\.id).joined(separator: ", ")))"
        )
      }
    }
    entries = entries.filter { keep.contains($0.id) }
    overrides.append("--only " + ids.joined(separator: ","))
    return said
  }
}
