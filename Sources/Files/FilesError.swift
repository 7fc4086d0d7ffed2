/// Why a file could not be read or written. Read errors carry no path: the caller names the
/// file and what it was for ("suite.yaml: file: is larger than 1 MiB").
public enum FilesError: Error, CustomStringConvertible, Equatable {
  case unreadable(reason: String)
  case tooLarge(limit: Int)
  case unwritable(path: String, reason: String)

  public var description: String {
    switch self {
    case .unreadable(let reason): return "cannot be read: \(reason)"
    case .tooLarge(let limit): return "is larger than \(BoundedFile.describe(bytes: limit))"
    case .unwritable(let path, let reason): return "\(path): \(reason)"
    }
  }
}
