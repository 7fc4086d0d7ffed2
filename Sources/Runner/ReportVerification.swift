import Foundation
import ReportFormat
import Signing

/// `suanli verify` for one file: the one-line verdict and whether it counts as good.
public enum ReportVerification {
  /// Reports larger than this are refused before reading (real reports are ~100 KiB).
  public static let maximumBytes = 64 << 20

  public static func verify(path: String, trust: TrustStore, requireTrusted: Bool) -> (String, Bool)
  {
    var status = stat()
    guard stat(path, &status) == 0 else { return ("INVALID: cannot be read", false) }
    guard Int(status.st_size) <= maximumBytes else {
      return ("INVALID: \(status.st_size) bytes; reports are limited to \(maximumBytes)", false)
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      return ("INVALID: cannot be read", false)
    }
    let bytes = Array(data)
    let signature = ReportSigner.verify(bytes, trust: trust)
    if case .invalid(let reason) = signature { return ("INVALID: \(reason)", false) }
    let report: ReportFormat.Report
    do { report = try ReportAudit.decode(bytes) } catch { return ("INVALID: \(error)", false) }
    var problems = ReportAudit.problems(report)
    // The score block must recompute from the report's own metrics, with the standard it names
    // (checked when that standard, by its sha256, is the one at hand).
    if let score = report.score, let standard = try? Scoring.load(Scoring.defaultStandard),
      standard.sha256 == score.standard.sha256,
      Scoring.scored(report, standard: standard).score != score
    {
      problems.append(
        "score block does not recompute from the report's metrics with \(score.standard.id) \(score.standard.version)"
      )
    }
    if let first = problems.first {
      return (
        "INVALID: \(first)\(problems.count > 1 ? " (and \(problems.count - 1) more)" : "")", false
      )
    }
    switch signature {
    case .unsigned:
      return ("unsigned", false)
    case .valid(let keyID, let name?):
      return ("valid, trusted key \(keyID.prefix(16)) (\(name))", true)
    case .valid(let keyID, nil):
      return ("valid, untrusted key \(keyID.prefix(16))", !requireTrusted)
    case .invalid(let reason):
      return ("INVALID: \(reason)", false)
    }
  }
}
