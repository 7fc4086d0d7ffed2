/// Errors of reading a report: one line naming the file (or "report") and the field.
public enum ReportError: Error, CustomStringConvertible, Equatable {
  case io(path: String, message: String)

  public var description: String {
    switch self {
    case .io(let path, let message): return "\(path): \(message)"
    }
  }
}
