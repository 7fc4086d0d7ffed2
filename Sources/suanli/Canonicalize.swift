import ArgumentParser
import Foundation
import Signing

struct Canonicalize: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Print the RFC 8785 canonical form of a JSON file (what a signature covers, plus the signature member)."
  )

  @Argument(help: "A JSON file.")
  var file: String

  func run() throws {
    guard let data = FileManager.default.contents(atPath: file) else {
      throw fail("\(file): cannot be read", .badInput)
    }
    do {
      let canonical = try Canonicalizer.canonicalize(Array(data))
      FileHandle.standardOutput.write(Data(canonical))
      print("")
    } catch {
      throw fail("\(file): \(error)", .badInput)
    }
  }
}
