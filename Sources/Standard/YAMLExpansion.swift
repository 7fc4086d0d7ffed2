import Yams

/// Bounds what a small YAML file can expand to. libyaml resolves an alias (`*name`) to a copy
/// of its anchored node, so a file under 1 MB whose lists alias other lists ("billion laughs")
/// describes hundreds of millions of nodes: an 858 KB standard built that way kept `suanli
/// score` busy past 2 minutes and 650 MB. Suites and standards have a few hundred nodes.
public enum YAMLExpansion {
  public static let maximumNodes = 100_000

  /// True when `node`, aliases expanded, has at most `limit` nodes. Counts iteratively and stops
  /// at the limit, so the check itself is bounded.
  public static func isBounded(_ node: Node, limit: Int = maximumNodes) -> Bool {
    var pending = [node]
    var count = 0
    while let next = pending.popLast() {
      count += 1
      if count > limit { return false }
      switch next {
      case .scalar, .alias: break
      case .sequence(let sequence): pending.append(contentsOf: sequence)
      case .mapping(let mapping):
        for (key, value) in mapping {
          pending.append(key)
          pending.append(value)
        }
      }
    }
    return true
  }
}
