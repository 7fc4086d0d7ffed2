import Files
import Foundation
import ReportFormat
import Signing

/// Names, encodes and writes reports.
public enum ReportBuilder {
  /// `results/<center>/<host>-<yyyymmddThhmmssZ>-<suite>.json`, every part reduced to
  /// [A-Za-z0-9._-].
  public static func defaultPath(
    folder: String, center: String, host: String, suite: String, date: Date
  )
    -> String
  {
    "\(folder)/\(safe(center))/\(safe(host))-\(compactStamp(date))-\(safe(suite)).json"
  }

  /// The report as written: indented JSON in RFC 8785 member order and number format, signed
  /// when a key is given.
  public static func encode(_ report: Report, key: SigningKey? = nil) throws -> [UInt8] {
    var unsigned = report
    unsigned.signature = nil
    let json = Array(try JSONEncoder().encode(unsigned))
    if let key { return try ReportSigner.sign(json, with: key) }
    return Canonicalizer.pretty(try JSONParser.parse(json))
  }

  public static func write(_ report: Report, to path: String, key: SigningKey? = nil) throws {
    try AtomicFile.write(try encode(report, key: key), to: path, overwrite: false)
  }

  static func safe(_ text: String) -> String {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    let mapped = String(text.map { allowed.contains($0) ? $0 : "_" })
    return mapped.isEmpty || mapped.hasPrefix(".") ? "_" + mapped : mapped
  }

  public static func iso8601(_ date: Date) -> String {
    format(date, "yyyy-MM-dd'T'HH:mm:ss'Z'")
  }

  static func compactStamp(_ date: Date) -> String { format(date, "yyyyMMdd'T'HHmmss'Z'") }

  private static func format(_ date: Date, _ pattern: String) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = pattern
    return formatter.string(from: date)
  }
}
