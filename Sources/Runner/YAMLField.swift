import Benchmarks
import ReportFormat
import Yams

/// A YAML node with the place it came from (file, dotted path, line), so every error can say
/// `suite.yaml:12: benchmarks[1].parameters.elements: expected ...`.
struct YAMLField {
  let file: String
  let path: String
  let node: Node

  var line: Int? { node.mark?.line }

  func error(_ message: String) -> RunnerError {
    RunnerError.suite(
      file: file, line: line, field: path.isEmpty ? "(top level)" : path, message: message)
  }

  private func child(_ key: String, _ node: Node) -> YAMLField {
    YAMLField(file: file, path: path.isEmpty ? key : "\(path).\(key)", node: node)
  }

  /// The mapping's fields; unknown or duplicated keys are errors.
  func mapping(allowed: [String], owner: String? = nil) throws -> [String: YAMLField] {
    guard case .mapping(let mapping) = node else { throw error("expected a mapping (key: value)") }
    var result: [String: YAMLField] = [:]
    for (keyNode, valueNode) in mapping {
      guard case .scalar(let scalar) = keyNode else { throw error("keys must be plain names") }
      let key = scalar.string
      guard allowed.contains(key) else {
        throw child(key, valueNode).error(
          "unknown key\(owner.map { " for \($0)" } ?? "") (expected one of: \(allowed.joined(separator: ", ")))"
        )
      }
      guard result[key] == nil else { throw child(key, valueNode).error("duplicated key") }
      result[key] = child(key, valueNode)
    }
    return result
  }

  func sequence() throws -> [YAMLField] {
    guard case .sequence(let sequence) = node else { throw error("expected a list") }
    return sequence.enumerated().map {
      YAMLField(file: file, path: "\(path)[\($0.offset)]", node: $0.element)
    }
  }

  func string() throws -> String {
    guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
      throw error("expected a non-empty string")
    }
    return scalar.string
  }

  func number() throws -> Double {
    guard case .scalar = node, let value = node.float ?? node.int.map(Double.init) else {
      throw error("expected a number, got \(shown)")
    }
    return value
  }

  /// The value converted to the parameter's type and checked against its range.
  func value(for spec: ParameterSpec) throws -> JSONValue {
    guard case .scalar(let scalar) = node else {
      throw error("expected \(spec.expectation), got a \(kindName)")
    }
    let candidate: JSONValue?
    switch spec.kind {
    case .integer:
      candidate = node.int.map(JSONValue.int) ?? node.float.map(JSONValue.double)
    case .number:
      candidate = node.float.map(JSONValue.double) ?? node.int.map(JSONValue.int)
    case .flag:
      candidate = node.bool.map(JSONValue.bool)
    case .choice, .text:
      candidate = .string(scalar.string)
    }
    guard let candidate, let accepted = spec.accept(candidate) else {
      throw error("expected \(spec.expectation), got \(shown)")
    }
    return accepted
  }

  private var kindName: String {
    switch node {
    case .mapping: return "mapping"
    case .sequence: return "list"
    case .scalar: return "scalar"
    case .alias: return "alias"
    }
  }

  private var shown: String {
    if case .scalar(let scalar) = node { return "\"\(scalar.string)\"" }
    return "a \(kindName)"
  }

  static func line(of error: YamlError) -> Int? {
    switch error {
    case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
      return mark.line
    default:
      return nil
    }
  }

  static func problem(of error: YamlError) -> String {
    switch error {
    case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
      .composer(let context, let problem, _, _):
      return [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(
        separator: " ")
    case .reader(let problem, _, _, _):
      return problem
    case .duplicatedKeysInMapping(let duplicates, _):
      return "duplicated keys: \(duplicates.joined(separator: ", "))"
    default:
      return String(describing: error).split(separator: "\n").first.map(String.init) ?? "error"
    }
  }
}
