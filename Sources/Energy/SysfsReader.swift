#if canImport(Glibc)
  import Glibc
#endif

/// Why a sysfs attribute could not be read: the reasons a report states for an absent source.
public enum SysfsError: Error, Equatable, CustomStringConvertible {
  case missing(path: String)
  case permissionDenied(path: String)
  case unreadable(path: String, reason: String)
  case malformed(path: String, text: String)

  public var description: String {
    switch self {
    case .missing(let path): return "\(path): not present"
    case .permissionDenied(let path): return "\(path): permission denied"
    case .unreadable(let path, let reason): return "\(path): \(reason)"
    case .malformed(let path, let text): return "\(path): expected an integer, read \"\(text)\""
    }
  }
}

/// Reads sysfs attributes (small text files) and lists folders. Tests give a fake that answers
/// "permission denied" where CI, running as root, could read anything.
public protocol SysfsReading: Sendable {
  func text(_ path: String) throws(SysfsError) -> String
  /// The names in a folder, sorted; nil when it does not exist or cannot be listed.
  func entries(_ path: String) -> [String]?
}

extension SysfsReading {
  /// An attribute holding one unsigned integer (µJ, µW).
  public func integer(_ path: String) throws(SysfsError) -> UInt64 {
    let text = try text(path).trimmingWhitespace
    guard let value = UInt64(text) else { throw .malformed(path: path, text: String(text.prefix(40))) }
    return value
  }
}

/// The real file system, under a root (`SUANLI_SYSFS_ROOT`, default `/sys`).
public struct Sysfs: SysfsReading {
  public init() {}

  public func text(_ path: String) throws(SysfsError) -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      switch errno {
      case ENOENT, ENOTDIR: throw .missing(path: path)
      case EACCES, EPERM: throw .permissionDenied(path: path)
      default: throw .unreadable(path: path, reason: String(cString: strerror(errno)))
      }
    }
    defer { close(fd) }
    // Attributes are one page at most.
    var buffer = [UInt8](repeating: 0, count: 4096)
    var count = 0
    while count < buffer.count {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
      if n < 0, errno == EINTR { continue }
      guard n >= 0 else {
        if errno == EACCES || errno == EPERM { throw .permissionDenied(path: path) }
        throw .unreadable(path: path, reason: String(cString: strerror(errno)))
      }
      if n == 0 { break }
      count += n
    }
    return String(decoding: buffer[0..<count], as: UTF8.self)
  }

  public func entries(_ path: String) -> [String]? {
    guard let dir = opendir(path) else { return nil }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
  }

  /// `SUANLI_SYSFS_ROOT` when set (tests, a mounted copy of another node's tree), else `/sys`.
  public static func root(environment: [String: String]) -> String {
    let root = environment["SUANLI_SYSFS_ROOT"].flatMap { $0.isEmpty ? nil : $0 } ?? "/sys"
    return root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
  }
}

extension String {
  var trimmingWhitespace: Substring {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
    guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
    let last = lastIndex(where: { !isSpace($0) })!
    return self[first...last]
  }
}
