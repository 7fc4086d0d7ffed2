/// Where a topology comes from: this machine, an hwloc synthetic description, or an XML export.
public enum TopologySource: Sendable, Equatable, CustomStringConvertible {
  case host
  case synthetic(String)
  case xmlFile(String)

  /// Parses the `--topology` option: `synthetic:"pack:2 core:4"`, a path ending in .xml, or
  /// `host`.
  public init(argument: String) {
    if argument == "host" {
      self = .host
    } else if argument.hasPrefix("synthetic:") {
      var body = String(argument.dropFirst("synthetic:".count))
      if body.count >= 2, body.first == "\"", body.last == "\"" {
        body = String(body.dropFirst().dropLast())
      }
      self = .synthetic(body)
    } else {
      self = .xmlFile(argument)
    }
  }

  public var description: String {
    switch self {
    case .host: return "host"
    case .synthetic(let text): return "synthetic:\"\(text)\""
    case .xmlFile(let path): return path
    }
  }
}
