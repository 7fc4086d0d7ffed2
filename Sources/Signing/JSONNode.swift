/// A JSON value as RFC 8785 sees it: numbers are IEEE-754 doubles, object members keep their
/// order of appearance (the canonical form sorts them), names are unique.
public enum JSONNode: Equatable, Sendable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONNode])
  case object([(String, JSONNode)])

  public static func == (a: JSONNode, b: JSONNode) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.number(let x), .number(let y)): return x == y
    case (.string(let x), .string(let y)): return x == y
    case (.array(let x), .array(let y)): return x == y
    case (.object(let x), .object(let y)):
      return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: return false
    }
  }

  /// The member `name` of an object.
  public subscript(name: String) -> JSONNode? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.0 == name }?.1
  }

  /// This object without the member `name` (unchanged if not an object).
  public func removing(_ name: String) -> JSONNode {
    guard case .object(let members) = self else { return self }
    return .object(members.filter { $0.0 != name })
  }

  /// This object with member `name` set to `value` (replacing it if present).
  public func setting(_ name: String, to value: JSONNode) -> JSONNode {
    guard case .object(let members) = self else { return self }
    return .object(members.filter { $0.0 != name } + [(name, value)])
  }

  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  public var numberValue: Double? {
    if case .number(let n) = self { return n }
    return nil
  }
}
