import ArgumentParser
import Foundation
import Reports
import Signing

struct Verify: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Verify reports: signature, key trust, schema version, internal consistency.",
    discussion:
      "Exit 0 only when every report is valid (and signed by a trusted key with --require-trusted)."
  )

  @Argument(help: "Report files.")
  var reports: [String]

  @Option(
    name: .long,
    help: "Folder of trusted public keys (*.pem); default: the config folder's trusted/.")
  var trusted: String?

  @Flag(name: .long, help: "Fail reports signed by keys that are not trusted.")
  var requireTrusted = false

  @Flag(name: .long, help: "Print JSON lines.")
  var json = false

  func validate() throws {
    if reports.isEmpty { throw ValidationError("expected at least one report file") }
  }

  func run() throws {
    let store = TrustStore(folder: trusted ?? KeyFiles.defaultTrustFolder)
    var allGood = true
    for path in reports {
      let (verdict, good) = ReportVerification.verify(
        path: path, trust: store, requireTrusted: requireTrusted)
      allGood = allGood && good
      if json {
        let line = try JSONSerialization.data(
          withJSONObject: ["report": path, "verdict": verdict, "ok": good],
          options: [.sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: line, as: UTF8.self))
      } else {
        print("\(path): " + (good ? Terminal.ok(verdict) : Terminal.bad(verdict)))
      }
    }
    if !allGood { throw ExitStatus.resultsNotValid.code }
  }
}
