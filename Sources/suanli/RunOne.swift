import ArgumentParser
import Energy
import Files
import Foundation
import ReportFormat
import Runner

/// The child side of benchmark isolation: runs one benchmark with the given parameters and
/// writes its results as JSON. Not for people: `suanli run` starts it.
struct RunOne: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "run-one", shouldDisplay: false)

  @Option var id: String
  @Option var parameters: String
  @Option var result: String
  @Option var clockHz: Double?
  @Option var energy: String?

  func run() throws {
    let results: [BenchmarkResult]
    do {
      let settings = try energy.map {
        try JSONDecoder().decode(EnergySettings.self, from: Data($0.utf8))
      }
      results = try IsolatedRun.run(
        id: id, parametersJSON: parameters, clockHertz: clockHz, energy: settings)
    } catch {
      results = [
        .notRun(id: id, status: .failed, parameters: [:], reason: String(describing: error))
      ]
    }
    try AtomicFile.write(Array(try JSONEncoder().encode(results)), to: result, overwrite: true)
  }
}
