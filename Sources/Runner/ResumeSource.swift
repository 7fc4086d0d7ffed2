import Files
import ReportFormat
import Reports
import Signing

/// The results a partial report contributes to `suanli run --resume`. They end up in a new
/// report signed with this run's key, so they are taken only from a report that verifies (its
/// statistics follow from its samples) and that this same key signed: otherwise anyone could
/// edit a partial report and have the operator's key vouch for the edit.
public enum ResumeSource {
  public static func results(
    path: String, suiteSHA256: String, signingKey: SigningKey?
  ) throws -> [BenchmarkResult] {
    func refuse(_ message: String) -> RunnerError { .io(path: path, message: message) }
    let bytes: [UInt8]
    do { bytes = try ReportVerification.read(path) } catch { throw refuse("\(error)") }
    let node: JSONNode
    do { node = try JSONParser.parse(bytes) } catch {
      throw refuse("not valid JSON for RFC 8785: \(error)")
    }
    let outcome = ReportVerification.verify(
      bytes: bytes, node: node, trust: TrustStore(names: [:]), requireTrusted: false)
    guard let previous = outcome.report, !outcome.verdict.0.hasPrefix("INVALID") else {
      throw refuse(outcome.verdict.0)
    }
    if let signingKey {
      let mine = signingKey.publicKey.keyID
      switch ReportSigner.verify(node: node, trust: TrustStore(names: [:])) {
      case .valid(let keyID, _) where keyID == mine:
        break
      case .valid(let keyID, _):
        throw refuse(
          "was signed with key \(keyID.prefix(16)), this run signs with \(mine.prefix(16)): only results this key signed are carried over"
        )
      case .unsigned, .invalid:
        throw refuse(
          "is unsigned: results carried into a signed report must have been signed with the same key (or run with --no-sign)"
        )
      }
    }
    guard previous.suite.sha256 == suiteSHA256 else {
      throw refuse(
        "was made from another suite file (sha256 \(previous.suite.sha256.prefix(12)), this one \(suiteSHA256.prefix(12)))"
      )
    }
    return previous.results
  }
}
