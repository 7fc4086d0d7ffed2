import ArgumentParser
import Benchmarks
import Foundation
import Reports
import Runner

struct List: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the benchmarks, their parameters and checks, and the suites.")

  @Option(name: .long, help: "Folder of suites.")
  var suites = Scoring.shipped("suites")

  @Flag(name: .long, help: "Print JSON.")
  var json = false

  func run() throws {
    let catalog = Catalog(registry: .standard, suitesFolder: suites)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      print(String(decoding: try encoder.encode(catalog), as: UTF8.self))
      return
    }
    print(Terminal.bold("Benchmarks"))
    for benchmark in catalog.benchmarks {
      print("  \(Terminal.bold(benchmark.id))  \(benchmark.summary)")
      print(Terminal.dim("    check: \(benchmark.validity)"))
      for parameter in benchmark.parameters {
        print(
          "    \(parameter.name) = \(parameter.defaultValue)  (\(parameter.expectation)) \(parameter.help)"
        )
      }
    }
    print("")
    print(Terminal.bold("Suites in \(suites)/"))
    for suite in catalog.suites {
      let ids = suite.benchmarks.joined(separator: ", ")
      print("  \(suite.file)  \(suite.name): \(suite.description) [\(ids)]")
    }
    for problem in catalog.problems { print(Terminal.bad("  \(problem)")) }
  }
}
