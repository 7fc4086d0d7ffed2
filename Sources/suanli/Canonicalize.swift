import ArgumentParser
import Foundation
import Reports
import Signing

struct Canonicalize: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Print the RFC 8785 canonical form of a JSON file (what a signature covers, plus the signature member)."
  )

  @Argument(help: "A JSON file.")
  var file: String

  func run() throws {
    let bytes: [UInt8]
    do { bytes = try ReportVerification.read(file) } catch {
      throw fail("\(file): \(error)", .badInput)
    }
    do {
      let canonical = try Canonicalizer.canonicalize(bytes)
      FileHandle.standardOutput.write(Data(canonical))
      print("")
    } catch {
      throw fail("\(file): \(error)", .badInput)
    }
  }
}
