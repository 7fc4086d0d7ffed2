import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writes a file so that readers see either nothing or the whole file: a temporary file in the
/// same folder, fsync'd, then renamed (or hard-linked, to refuse overwriting) into place.
public enum AtomicFile {
  public static func write(_ bytes: [UInt8], to path: String, overwrite: Bool) throws {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    let temporary = folder + "/.\(url.lastPathComponent).\(getpid()).tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw RunnerError.io(path: path, message: errnoText()) }
    var written = 0
    while written < bytes.count {
      let n = bytes.withUnsafeBytes { raw in
        Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
      }
      if n < 0, errno == EINTR { continue }
      guard n > 0 else {
        let message = errnoText()
        close(fd)
        unlink(temporary)
        throw RunnerError.io(path: path, message: message)
      }
      written += n
    }
    guard fsync(fd) == 0, close(fd) == 0 else {
      let message = errnoText()
      unlink(temporary)
      throw RunnerError.io(path: path, message: message)
    }
    if overwrite {
      guard rename(temporary, path) == 0 else {
        let message = errnoText()
        unlink(temporary)
        throw RunnerError.io(path: path, message: message)
      }
    } else {
      // link() fails with EEXIST instead of replacing: an existing report is never overwritten.
      let status = link(temporary, path)
      let code = errno
      unlink(temporary)
      guard status == 0 else {
        throw RunnerError.io(
          path: path,
          message: code == EEXIST
            ? "already exists; not overwritten" : String(cString: strerror(code)))
      }
    }
    syncFolder(folder)
  }

  /// Creates `folder` (and parents) and proves a file can be created in it, before a long run.
  public static func ensureWritableFolder(_ folder: String) throws {
    do {
      try FileManager.default.createDirectory(
        atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw RunnerError.output(path: folder, message: "cannot create the results folder")
    }
    let probe = folder + "/.suanli-write-test.\(getpid())"
    let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
      throw RunnerError.output(
        path: folder, message: "results folder is not writable: \(errnoText())")
    }
    close(fd)
    unlink(probe)
  }

  private static func syncFolder(_ folder: String) {
    let fd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 {
      fsync(fd)
      close(fd)
    }
  }

  private static func errnoText() -> String { String(cString: strerror(errno)) }
}
