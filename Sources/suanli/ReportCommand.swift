import ArgumentParser
import Crypto
import Files
import Foundation
import Reports
import Signing
import Visual

struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Draw a report: one self-contained HTML page (inline SVG, no script, no network).",
    discussion:
      "Only a report that verifies is drawn, unless --allow-unverified (then the page says so). The page embeds the report's exact bytes."
  )

  @Argument(help: "The report (JSON).")
  var report: String

  @Flag(name: .long, help: "Write HTML (the page; without it, the run summary is printed).")
  var html = false

  @Option(name: [.short, .customLong("output")], help: "Write the page here (default: stdout).")
  var output: String?

  @Flag(
    name: .long, help: "Draw a report that does not verify (or is unsigned), marked UNVERIFIED.")
  var allowUnverified = false

  @Option(name: .long, help: "Folder of trusted public keys.")
  var trusted: String?

  func run() throws {
    let bytes: [UInt8]
    do { bytes = try ReportVerification.read(report) } catch {
      throw fail("\(report): \(error)", .badInput)
    }
    let node: JSONNode
    do { node = try JSONParser.parse(bytes) } catch {
      throw fail("\(report): not JSON: \(error)", .badInput)
    }
    let outcome = ReportVerification.verify(
      bytes: bytes, node: node, trust: TrustStore(folder: trusted ?? KeyFiles.defaultTrustFolder),
      requireTrusted: false)
    guard let decoded = outcome.report else {
      throw fail("\(report): \(outcome.verdict.0)", .badInput)
    }
    let (verdict, good) = outcome.verdict
    guard html else {
      print(RunView.render(decoded))
      return
    }
    if !good, !allowUnverified {
      throw fail(
        "\(report): \(verdict): not drawn (--allow-unverified draws it, marked UNVERIFIED)",
        .resultsNotValid)
    }
    let sha = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    let page = ReportPage.html(
      decoded,
      source: .init(file: report, bytes: bytes, sha256: sha, verdict: verdict, verified: good))
    guard let output else {
      print(page, terminator: "")
      return
    }
    do { try AtomicFile.write(Array(page.utf8), to: output, overwrite: true) } catch {
      throw fail(error, .environment)
    }
    Terminal.error("wrote \(output)")
  }
}
