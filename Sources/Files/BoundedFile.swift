#if canImport(Glibc)
  import Glibc
#endif

/// Reads a whole file that someone else may have written, refusing it past a size limit without
/// reading further: a 10 GB "report", a FIFO or a device cannot make Suanli allocate without
/// bound. The limit is checked while reading, so a file that grows after `stat` is caught too.
public enum BoundedFile {
  public static func read(_ path: String, limit: Int) throws(FilesError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else { throw .unreadable(reason: errnoText()) }
    defer { close(fd) }
    var status = stat()
    guard fstat(fd, &status) == 0 else { throw .unreadable(reason: errnoText()) }
    // Regular files only: a FIFO or a device may never end, and a folder is not a file.
    guard status.st_mode & S_IFMT == S_IFREG else {
      throw .unreadable(
        reason: status.st_mode & S_IFMT == S_IFDIR ? "is a folder" : "not a regular file")
    }
    guard Int(status.st_size) <= limit else { throw .tooLarge(limit: limit) }
    var bytes = [UInt8](repeating: 0, count: Int(status.st_size) + 1)
    var count = 0
    while true {
      if count == bytes.count {
        guard count <= limit else { throw .tooLarge(limit: limit) }
        bytes.append(contentsOf: [UInt8](repeating: 0, count: min(bytes.count, limit + 1 - count)))
      }
      let n = bytes.withUnsafeMutableBytes { raw in
        Glibc.read(fd, raw.baseAddress! + count, raw.count - count)
      }
      if n < 0, errno == EINTR { continue }
      guard n >= 0 else { throw .unreadable(reason: errnoText()) }
      if n == 0 { break }
      count += n
    }
    guard count <= limit else { throw .tooLarge(limit: limit) }
    bytes.removeSubrange(count...)
    return bytes
  }

  /// "64 KiB", "1 MiB", "1500 bytes".
  public static func describe(bytes: Int) -> String {
    if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
    if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
    return "\(bytes) bytes"
  }

  private static func errnoText() -> String { String(cString: strerror(errno)) }
}
