import Benchmarks
import Foundation
import Interconnect
import ReportFormat

/// What `suanli list` shows: the registry's benchmarks and the suites in a folder.
public struct Catalog: Codable, Sendable {
  public struct Benchmark: Codable, Sendable {
    public var id: String
    public var summary: String
    public var validity: String
    public var parameters: [Parameter]
  }

  public struct Parameter: Codable, Sendable {
    public var name: String
    public var defaultValue: JSONValue
    public var expectation: String
    public var help: String
  }

  public struct SuiteInfo: Codable, Sendable {
    public var file: String
    public var name: String
    public var description: String
    public var benchmarks: [String]
  }

  public var benchmarks: [Benchmark]
  public var suites: [SuiteInfo]
  /// Whether this build runs the MPI benchmarks (the package trait MPI).
  public var mpi: Bool = MPIAvailability.compiled
  /// Suite files in the folder that do not load, with the reason.
  public var problems: [String]

  public init(registry: BenchmarkRegistry, suitesFolder: String) {
    benchmarks = registry.descriptors.map { descriptor in
      Benchmark(
        id: descriptor.id, summary: descriptor.summary, validity: descriptor.validity,
        parameters: descriptor.parameters.map {
          Parameter(
            name: $0.name, defaultValue: $0.defaultValue, expectation: $0.expectation, help: $0.help
          )
        })
    }
    let files =
      ((try? FileManager.default.contentsOfDirectory(atPath: suitesFolder)) ?? [])
      .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
    var suites: [SuiteInfo] = []
    var problems: [String] = []
    let parser = SuiteParser(registry: registry)
    for file in files {
      let path = suitesFolder + "/" + file
      do {
        let suite = try parser.load(path: path)
        suites.append(
          SuiteInfo(
            file: path, name: suite.name, description: suite.description,
            benchmarks: suite.entries.map(\.id)))
      } catch {
        problems.append(String(describing: error))
      }
    }
    self.suites = suites
    self.problems = problems
  }
}
