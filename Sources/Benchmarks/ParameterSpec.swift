import ReportFormat

/// A benchmark parameter's declaration: its type, range, default and meaning. Suites and
/// `--set` are checked against these before anything runs.
public struct ParameterSpec: Sendable {
  public enum Kind: Sendable {
    case integer(ClosedRange<Int>)
    case number(ClosedRange<Double>)
    case choice([String])
    case flag
    /// Free text that `accepts` must accept; `expectation` says what it looks like.
    case text(expectation: String, accepts: @Sendable (String) -> Bool)
  }

  public var name: String
  public var kind: Kind
  public var defaultValue: JSONValue
  public var help: String

  public init(name: String, kind: Kind, defaultValue: JSONValue, help: String) {
    self.name = name
    self.kind = kind
    self.defaultValue = defaultValue
    self.help = help
  }

  /// "integer 1...1000", "one of copy, triad", ...
  public var expectation: String {
    switch kind {
    case .integer(let range): return "an integer in \(range.lowerBound)...\(range.upperBound)"
    case .number(let range): return "a number in \(range.lowerBound)...\(range.upperBound)"
    case .choice(let options): return "one of " + options.joined(separator: ", ")
    case .flag: return "true or false"
    case .text(let expectation, _): return expectation
    }
  }

  /// Checks a value from YAML or the command line; returns it normalised to the parameter's type
  /// or nil when it does not fit.
  public func accept(_ value: JSONValue) -> JSONValue? {
    switch (kind, value) {
    case (.integer(let range), .int(let v)) where range.contains(v):
      return .int(v)
    case (.integer(let range), .double(let v))
    where v == v.rounded() && v.magnitude < 9e15 && range.contains(Int(v)):
      return .int(Int(v))
    case (.number(let range), .double(let v)) where range.contains(v):
      return .double(v)
    case (.number(let range), .int(let v)) where range.contains(Double(v)):
      return .double(Double(v))
    case (.choice(let options), .string(let v)) where options.contains(v):
      return .string(v)
    case (.flag, .bool(let v)):
      return .bool(v)
    case (.text(_, let accepts), .string(let v)) where accepts(v):
      return .string(v)
    default:
      return nil
    }
  }

  /// Parses a command-line text (`--set id.name=TEXT`) into a value of this parameter's type.
  public func parse(_ text: String) -> JSONValue? {
    switch kind {
    case .integer:
      if let v = Int(text) { return accept(.int(v)) }
      if let v = Double(text) { return accept(.double(v)) }
      return nil
    case .number: return Double(text).flatMap { accept(.double($0)) }
    case .choice, .text: return accept(.string(text))
    case .flag:
      switch text {
      case "true", "yes", "1": return .bool(true)
      case "false", "no", "0": return .bool(false)
      default: return nil
      }
    }
  }
}

/// The effective parameters of one benchmark entry: defaults overlaid by the suite, then by
/// `--set`.
public struct ParameterValues: Sendable, Equatable {
  public private(set) var values: [String: JSONValue]

  public init(_ values: [String: JSONValue]) { self.values = values }

  public subscript(name: String) -> JSONValue? {
    get { values[name] }
    set { values[name] = newValue }
  }

  public func int(_ name: String) -> Int {
    if case .int(let v)? = values[name] { return v }
    return 0
  }

  public func double(_ name: String) -> Double {
    switch values[name] {
    case .double(let v)?: return v
    case .int(let v)?: return Double(v)
    default: return 0
    }
  }

  public func string(_ name: String) -> String {
    if case .string(let v)? = values[name] { return v }
    return ""
  }
}
