import ArgumentParser
import Files
import Foundation
import Runner
import Signing

struct Sign: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Sign an existing report in place (Ed25519 over its RFC 8785 canonical form).")

  @Argument(help: "The report to sign.")
  var report: String

  @Option(name: .long, help: "Private key (default: the one `suanli keygen` wrote).")
  var key: String?

  func run() throws {
    do {
      let (signingKey, warnings) = try KeyFiles.loadPrivate(path: key ?? KeyFiles.defaultPrivateKey)
      for warning in warnings { Terminal.error("suanli: warning: \(warning)") }
      let bytes: [UInt8]
      do { bytes = try ReportVerification.read(report) } catch {
        throw SigningError.io(path: report, message: "\(error)")
      }
      _ = try ReportAudit.decode(bytes)
      let signed = try ReportSigner.sign(bytes, with: signingKey)
      try AtomicFile.write(signed, to: report, overwrite: true)
      print("signed \(report) with key \(signingKey.publicKey.keyID)")
    } catch let error as SigningError {
      throw fail("\(report): \(error)", .badInput)
    } catch let error as RunnerError {
      throw fail("\(report): \(error)", .badInput)
    } catch let error as FilesError {
      throw fail(error, .environment)
    }
  }
}
