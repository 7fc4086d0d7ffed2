import Foundation

/// The module graph of `Sources/module-graph.txt` and the check of import lines against it.
struct ModuleGraph {
  /// Modules every file may import.
  static let system: Set<String> = ["Foundation", "Glibc", "Darwin", "Dispatch", "Synchronization"]

  /// Folder → the modules it may import.
  var allowed: [String: Set<String>] = [:]
  /// C module → the files (relative to Sources/) that may import it.
  var gateways: [String: Set<String>] = [:]

  /// Parses the graph file; a malformed line is reported as a problem of the file.
  init(text: String, problems: inout [String]) {
    for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        .trimmingCharacters(in: .whitespaces)
      guard !line.isEmpty else { continue }
      guard let colon = line.firstIndex(of: ":") else {
        problems.append("module-graph.txt:\(index + 1): expected \"<folder>: <modules>\"")
        continue
      }
      let name = line[..<colon].trimmingCharacters(in: .whitespaces)
      let items = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
      if name.hasPrefix("gateway ") {
        gateways[String(name.dropFirst("gateway ".count)), default: []].formUnion(items)
      } else {
        allowed[name] = items
      }
    }
  }

  /// The module a file under Sources/ belongs to: its first folder.
  static func module(of path: String) -> String {
    String(path.split(separator: "/").first ?? "")
  }

  /// Every import that the graph does not allow, as `Sources/<path>:<line>: ...`, plus cycles
  /// among the folders themselves. `files`: paths relative to Sources/ and their text.
  func violations(_ files: [(path: String, text: String)]) -> [String] {
    var found: [String] = []
    var folders = Set<String>()
    for file in files {
      let module = Self.module(of: file.path)
      folders.insert(module)
      guard let allowedHere = allowed[module] else {
        found.append("Sources/\(file.path): folder \(module) is not listed in module-graph.txt")
        continue
      }
      for (index, line) in file.text.split(separator: "\n", omittingEmptySubsequences: false)
        .enumerated()
      {
        guard let imported = Self.importedModule(String(line)), imported != module,
          !Self.system.contains(imported)
        else { continue }
        let place = "Sources/\(file.path):\(index + 1)"
        if let gatewayFiles = gateways[imported] {
          if !gatewayFiles.contains(file.path) {
            found.append(
              "\(place): imports \(imported), which only its gateway file(s) may import: \(gatewayFiles.sorted().joined(separator: ", "))"
            )
          } else if !allowedHere.contains(imported) {
            found.append("\(place): imports \(imported), which \(module) may not import")
          }
        } else if !allowedHere.contains(imported) {
          found.append(
            "\(place): imports \(imported), which \(module) may not import (allowed: \(allowedHere.sorted().joined(separator: " ")))"
          )
        }
      }
    }
    found += cycles(among: folders)
    return found
  }

  /// `import X`, `@testable import X`, `@preconcurrency import X`, `import struct X.Y`.
  static func importedModule(_ line: String) -> String? {
    var words = line.split(separator: " ").map(String.init)
    while let first = words.first, first.hasPrefix("@") { words.removeFirst() }
    guard words.first == "import", words.count >= 2 else { return nil }
    let kinds: Set<String> = [
      "struct", "class", "enum", "protocol", "func", "var", "let", "typealias",
    ]
    let target = kinds.contains(words[1]) && words.count >= 3 ? words[2] : words[1]
    return String(target.split(separator: ".").first ?? "")
  }

  /// Dependencies must point one way: a folder that can reach itself is a cycle.
  func cycles(among folders: Set<String>) -> [String] {
    var found: [String] = []
    for start in allowed.keys.sorted() {
      var stack = Array(allowed[start] ?? [])
      var seen = Set<String>()
      while let next = stack.popLast() {
        if next == start {
          found.append("module-graph.txt: \(start) depends on itself through its imports")
          break
        }
        if seen.insert(next).inserted { stack += allowed[next] ?? [] }
      }
    }
    return found
  }
}
