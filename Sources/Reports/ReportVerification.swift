import Files
import Foundation
import ReportFormat
import Signing

/// `suanli verify` for one file: the one-line verdict and whether it counts as good.
public enum ReportVerification {
  /// Reports larger than this are refused before reading (real reports are ~50 KiB).
  public static let maximumBytes = 64 << 20

  /// A report file's bytes, refused past `maximumBytes` without reading further.
  public static func read(_ path: String) throws(FilesError) -> [UInt8] {
    try BoundedFile.read(path, limit: maximumBytes)
  }

  public static func verify(path: String, trust: TrustStore, requireTrusted: Bool) -> (String, Bool)
  {
    let bytes: [UInt8]
    do { bytes = try read(path) } catch { return ("INVALID: \(error)", false) }
    let node: JSONNode
    do { node = try JSONParser.parse(bytes) } catch {
      return ("INVALID: not valid JSON for RFC 8785: \(error)", false)
    }
    return verify(bytes: bytes, node: node, trust: trust, requireTrusted: requireTrusted).verdict
  }

  public struct Outcome: Sendable {
    public var verdict: (String, Bool)
    /// The decoded report, when it decoded.
    public var report: Report?
  }

  /// Verification of a document already read and parsed (compare reads each file once).
  public static func verify(bytes: [UInt8], node: JSONNode, trust: TrustStore, requireTrusted: Bool)
    -> Outcome
  {
    let signature = ReportSigner.verify(node: node, trust: trust)
    let report: Report
    guard let version = node["schemaVersion"]?.numberValue, version == version.rounded(),
      abs(version) < 1e9
    else {
      return Outcome(
        verdict: ("INVALID: schemaVersion: missing or not an integer", false), report: nil)
    }
    do { report = try ReportAudit.decode(bytes, version: Int(version)) } catch {
      return Outcome(verdict: ("INVALID: \(error)", false), report: nil)
    }
    if case .invalid(let reason) = signature {
      return Outcome(verdict: ("INVALID: \(reason)", false), report: report)
    }
    var problems = ReportAudit.problems(report)
    // The score block must recompute from the report's own metrics, with the standard it names
    // (checked when that standard, by its sha256, is the one at hand).
    if let score = report.score, let standard = Scoring.cachedDefault,
      standard.sha256 == score.standard.sha256,
      Scoring.scored(report, standard: standard).score != score
    {
      problems.append(
        "score block does not recompute from the report's metrics with \(score.standard.id) \(score.standard.version)"
      )
    }
    if let first = problems.first {
      let more = problems.count > 1 ? " (and \(problems.count - 1) more)" : ""
      return Outcome(verdict: ("INVALID: \(first)\(more)", false), report: report)
    }
    let verdict: (String, Bool)
    switch signature {
    case .unsigned: verdict = ("unsigned", false)
    case .valid(let keyID, let name?):
      verdict = ("valid, trusted key \(keyID.prefix(16)) (\(name))", true)
    case .valid(let keyID, nil):
      verdict = ("valid, untrusted key \(keyID.prefix(16))", !requireTrusted)
    case .invalid(let reason): verdict = ("INVALID: \(reason)", false)
    }
    if let imported = report.imported, verdict.1 || signature == .unsigned {
      let source = [imported.tool, imported.toolVersion].compactMap { $0 }.joined(separator: " ")
      let what =
        signature == .unsigned
        ? "" : "; the signature vouches for what the log contained and the checks it passed, not for the figures"
      return Outcome(
        verdict: ("\(verdict.0) (imported from \(source), \(imported.file): not measured by Suanli\(what))", verdict.1),
        report: report)
    }
    // Results made with Suanli's test libraries: the signature is good, the GPU is not real.
    let fakes = report.results.filter { $0.device?.fake == true }
    let fakeNodes = report.nodes.flatMap { $0.accelerators ?? [] }.filter(\.fake)
    if !fakes.isEmpty || !fakeNodes.isEmpty {
      let what =
        fakes.isEmpty
        ? "the node lists \(fakeNodes.count) fake device(s)"
        : "\(fakes.count) result(s) on FAKE devices (\(Set(fakes.map(\.id)).sorted().joined(separator: ", ")))"
      return Outcome(
        verdict: (
          "\(verdict.0) (\(what): made with Suanli's test libraries, not a GPU — never a real measurement)",
          verdict.1
        ), report: report)
    }
    return Outcome(verdict: verdict, report: report)
  }
}
