import Foundation
import ReportFormat

/// What `suanli run-one` does in the child: rebuild the entry from its id and parameters, run it.
public enum IsolatedRun {
  public static func run(id: String, parametersJSON: String, clockHertz: Double?) throws
    -> [BenchmarkResult]
  {
    guard let descriptor = BenchmarkRegistry.standard.descriptor(id) else {
      throw RunnerError.parameter(benchmark: id, parameter: "id", message: "unknown benchmark")
    }
    let given = try JSONDecoder().decode([String: JSONValue].self, from: Data(parametersJSON.utf8))
    var values = descriptor.defaults
    for (name, value) in given {
      guard let spec = descriptor.spec(name), let accepted = spec.accept(value) else {
        throw RunnerError.parameter(
          benchmark: id, parameter: name, message: "not accepted: \(value)")
      }
      values[name] = accepted
    }
    let node = try NodeDiscovery.discover(.host, clock: clockHertz.map { .given($0) } ?? .automatic)
    let context = BenchmarkContext(
      node: node,
      progress: { line in FileHandle.standardError.write(Data(("· " + line + "\n").utf8)) })
    return try descriptor.run(context, values)
  }
}
