import ArgumentParser
import Files
import Foundation
import Reports
import Signing

struct Sign: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Sign existing reports in place (Ed25519 over their RFC 8785 canonical form).")

  @Argument(help: "The reports to sign; they are signed in order, and the first failure stops.")
  var reports: [String]

  @Option(name: .long, help: "Private key (default: the one `suanli keygen` wrote).")
  var key: String?

  func run() throws {
    let signingKey = try loadSigningKey(key)
    for report in reports {
      do {
        let bytes = try ReportVerification.read(report)
        _ = try ReportAudit.decode(bytes)
        try AtomicFile.write(
          try ReportSigner.sign(bytes, with: signingKey), to: report, overwrite: true)
        print("signed \(report) with key \(signingKey.publicKey.keyID)")
      } catch let error as FilesError {
        guard case .unwritable = error else { throw fail("\(report): \(error)", .badInput) }
        throw fail(error, .environment)
      } catch {
        throw fail("\(report): \(error)", .badInput)
      }
    }
  }
}
