import Benchmarks
import Crypto
import Energy
import Files
import Foundation
import ReportFormat
import Standard
import Yams

/// Reads a suite file (YAML) into a `Suite`, checking every field against the registry. Errors
/// name the file, the line and the field.
///
/// ```yaml
/// name: quick
/// description: A minute on one node.
/// timeBudgetSeconds: 60
/// energy: { sources: auto, interval: 0.1 }   # optional: powercap, hwmon, ipmi, or none
/// benchmarks:
///   - id: stream
///     repeats: 10
///     parameters: { elements: 0 }
///   - stream.triad          # shorthand: defaults
///   - { id: gemm.bf16, device: cuda:0, parameters: { n: 8192 } }   # cpu, cuda:N or cuda:*
/// ```
public struct SuiteParser {
  public let registry: BenchmarkRegistry
  /// Refuse suite files above this size before parsing (a suite is a few hundred bytes).
  public static let maximumBytes = 1 << 20

  public init(registry: BenchmarkRegistry = .standard) { self.registry = registry }

  public func load(path: String) throws -> Suite {
    let data: [UInt8]
    do { data = try BoundedFile.read(path, limit: SuiteParser.maximumBytes) } catch {
      let exists = FileManager.default.fileExists(atPath: path)
      throw RunnerError.suite(
        file: path, line: nil, field: "file",
        message: exists ? "\(error)" : "no such suite file (see `suanli list`)")
    }
    guard let text = String(validating: data, as: UTF8.self) else {
      throw RunnerError.suite(file: path, line: nil, field: "file", message: "is not UTF-8 text")
    }
    let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    return try parse(text, file: path, sha256: digest)
  }

  public func parse(_ text: String, file: String, sha256: String) throws -> Suite {
    let root: Node
    do {
      guard let node = try Yams.compose(yaml: text) else {
        throw RunnerError.suite(file: file, line: nil, field: "file", message: "is empty")
      }
      root = node
    } catch let error as YamlError {
      throw RunnerError.suite(
        file: file, line: YAMLField.line(of: error), field: "yaml",
        message: "not valid YAML: \(YAMLField.problem(of: error))")
    }
    guard YAMLExpansion.isBounded(root) else {
      throw RunnerError.suite(
        file: file, line: nil, field: "yaml",
        message:
          "expands to more than \(YAMLExpansion.maximumNodes) nodes through aliases; a suite has a few dozen"
      )
    }
    let top = YAMLField(file: file, path: "", node: root)
    let fields = try top.mapping(allowed: [
      "name", "description", "timeBudgetSeconds", "energy", "benchmarks",
    ])
    guard let nameField = fields["name"] else { throw top.error("missing required key \"name\"") }
    let name = try nameField.string()
    let description = try fields["description"]?.string() ?? ""
    var budget: Double? = nil
    if let field = fields["timeBudgetSeconds"] {
      let value = try field.number()
      guard value > 0, value.isFinite else { throw field.error("expected a number of seconds > 0") }
      budget = value
    }
    guard let list = fields["benchmarks"] else {
      throw top.error("missing required key \"benchmarks\"")
    }
    let items = try list.sequence()
    guard !items.isEmpty else { throw list.error("expected at least one benchmark") }
    let entries = try items.map(entry)
    // Each result id once per suite, or twice in two fixed, different scopes (hpl.fp64 on
    // every node and across the job).
    var producer: [String: [(entry: String, scope: String?)]] = [:]
    for (item, entry) in zip(items, entries) {
      let scope = entry.descriptor.fixedScope?(entry.values)
      for id in entry.descriptor.produces {
        if let earlier = producer[id]?.first(where: {
          $0.scope == nil || scope == nil || $0.scope == scope
        }) {
          throw item.error(
            "\(entry.id) measures \(id), which \(earlier.entry) earlier in the suite measures too (each result id once per suite, or once per scope with parameters.scope node and job)"
          )
        }
        producer[id, default: []].append((entry.id, scope))
      }
    }
    var suite = Suite(
      name: name, description: description, file: file, sha256: sha256,
      timeBudgetSeconds: budget, entries: entries)
    if let field = fields["energy"] { suite.energy = try energy(field) }
    return suite
  }

  /// The `energy:` block: `sources` (auto, none, or a list of powercap, hwmon, ipmi),
  /// `interval` (seconds between readings of sysfs sources), `requireScope` (node, or a scope).
  private func energy(_ field: YAMLField) throws -> EnergySettings {
    let fields = try field.mapping(allowed: ["sources", "interval", "requireScope"])
    var settings = EnergySettings()
    if let sources = fields["sources"] {
      if case .scalar = sources.node {
        switch try sources.string() {
        case "auto": settings.sources = nil
        case "none": settings.sources = []
        case let kind where EnergySettings.kinds.contains(kind): settings.sources = [kind]
        default:
          throw sources.error(
            "expected auto, none, or a list of \(EnergySettings.kinds.sorted().joined(separator: ", "))")
        }
      } else {
        settings.sources = try sources.sequence().map { item in
          let kind = try item.string()
          guard EnergySettings.kinds.contains(kind) else {
            throw item.error(
              "expected one of \(EnergySettings.kinds.sorted().joined(separator: ", ")), got \"\(kind)\"")
          }
          return kind
        }
      }
    }
    if let interval = fields["interval"] {
      let seconds = try interval.number()
      guard EnergySettings.intervals.contains(seconds) else {
        throw interval.error(
          "expected seconds between \(EnergySettings.intervals.lowerBound) and \(EnergySettings.intervals.upperBound)")
      }
      settings.interval = seconds
    }
    if let scope = fields["requireScope"] {
      let text = try scope.string()
      guard EnergySettings.scopes.contains(text) else {
        throw scope.error(
          "expected one of \(EnergySettings.scopes.joined(separator: ", ")), got \"\(text)\"")
      }
      settings.requireScope = text
    }
    return settings
  }

  private func entry(_ field: YAMLField) throws -> SuiteEntry {
    var idField = field
    var settings: [String: YAMLField] = [:]
    if case .scalar = field.node {
      // Shorthand: "- stream.triad".
    } else {
      settings = try field.mapping(allowed: [
        "id", "repeats", "warmup", "timeLimitSeconds", "parameters", "device",
      ])
      guard let id = settings["id"] else { throw field.error("missing required key \"id\"") }
      idField = id
    }
    let id = try idField.string()
    guard let descriptor = registry.descriptor(id) else {
      throw RunnerError.unknownBenchmark(
        file: idField.file, line: idField.line, field: idField.path, id: id, known: registry.ids)
    }
    var values = descriptor.defaults
    var given: [(String, YAMLField)] = []
    for key in ["repeats", "warmup"] { if let f = settings[key] { given.append((key, f)) } }
    // `device: cuda:0` beside the id is the benchmark's device parameter.
    if let device = settings["device"] {
      guard descriptor.spec("device") != nil else {
        throw device.error("\(id) runs on the node's CPUs only (device: is for gemm.*)")
      }
      given.append(("device", device))
    }
    if let parameters = settings["parameters"] {
      let allowed = descriptor.parameters.map(\.name)
      given += try parameters.mapping(allowed: allowed, owner: "benchmark \(id)").sorted {
        $0.key < $1.key
      }.map { ($0.key, $0.value) }
    }
    for (name, valueField) in given {
      guard let spec = descriptor.spec(name) else {
        throw valueField.error("\(id) has no parameter \"\(name)\"")
      }
      values[name] = try valueField.value(for: spec)
    }
    var entry = SuiteEntry(descriptor: descriptor, values: values, line: field.line)
    if let limit = settings["timeLimitSeconds"] {
      let seconds = try limit.number()
      guard seconds > 0, seconds.isFinite else {
        throw limit.error("expected a number of seconds > 0")
      }
      entry.timeLimitSeconds = seconds
    }
    return entry
  }
}
