/// Why a document could not be parsed, canonicalised, signed or verified. One line each.
public enum SigningError: Error, CustomStringConvertible, Equatable {
  /// Not JSON, or JSON that RFC 8785 cannot represent; `offset` is the byte where it went wrong.
  case json(offset: Int, message: String)
  case key(path: String, message: String)
  case signature(String)
  case io(path: String, message: String)

  public var description: String {
    switch self {
    case .json(let offset, let message): return "byte \(offset): \(message)"
    case .key(let path, let message): return "\(path): \(message)"
    case .signature(let message): return message
    case .io(let path, let message): return "\(path): \(message)"
    }
  }
}
