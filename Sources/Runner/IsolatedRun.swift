import Benchmarks
import Energy
import Foundation
import ReportFormat

/// What `suanli run-one` does in the child: rebuild the entry from its id and parameters, run it.
public enum IsolatedRun {
  public static func run(
    id: String, parametersJSON: String, clockHertz: Double?, energy: EnergySettings? = nil
  ) throws -> [BenchmarkResult] {
    guard let descriptor = BenchmarkRegistry.standard.descriptor(id) else {
      throw BenchmarkError.parameter(benchmark: id, parameter: "id", message: "unknown benchmark")
    }
    let given = try JSONDecoder().decode([String: JSONValue].self, from: Data(parametersJSON.utf8))
    var values = descriptor.defaults
    for (name, value) in given {
      guard let spec = descriptor.spec(name), let accepted = spec.accept(value) else {
        throw BenchmarkError.parameter(
          benchmark: id, parameter: name, message: "not accepted: \(value)")
      }
      values[name] = accepted
    }
    volunteerForTheOOMKiller()
    let node = try NodeDiscovery.discover(.host, clock: clockHertz.map { .given($0) } ?? .automatic)
    // A node benchmark uses the whole node, whatever core a launcher bound its parent to.
    node.topology.bindProcessToAllowedPUs()
    let context = BenchmarkContext(
      node: node,
      progress: { line in FileHandle.standardError.write(Data(("· " + line + "\n").utf8)) })
    return try measured(descriptor, context: context, values: values, energy: energy)
  }

  /// A node benchmark with what else used the node while it ran and, where the node has an
  /// energy source, the energy of its timed regions.
  static func measured(
    _ descriptor: BenchmarkDescriptor, context: BenchmarkContext, values: ParameterValues,
    energy: EnergySettings?
  ) throws -> [BenchmarkResult] {
    let session =
      descriptor.measuresEnergyItself
      ? nil
      : energy.flatMap {
        EnergySession.start($0, probe: .host(packages: context.node.machine.packages))
      }
    let probe = RunConditionsProbe()
    var results: [BenchmarkResult]
    do {
      results = try descriptor.run(context, values)
    } catch {
      _ = session?.finish([])
      throw error
    }
    let conditions = probe.finish()
    if let session { results = session.finish(results) }
    return RunConditionsProbe.attach(results, conditions)
  }

  /// A benchmark that runs the node out of memory must take only itself down: the kernel's
  /// out-of-memory killer picks the highest `oom_score_adj` first, and any process may raise
  /// its own (Linux). The parent, which holds the report, keeps its score.
  static func volunteerForTheOOMKiller() {
    let fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { return }
    _ = "1000".withCString { write(fd, $0, 4) }
    close(fd)
  }
}
