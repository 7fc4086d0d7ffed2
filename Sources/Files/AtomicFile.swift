import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writes a file so that readers see either nothing or the whole file: a temporary file in the
/// same folder, fsync'd, then renamed (or hard-linked, to refuse overwriting) into place, and
/// the folder fsync'd so the new name survives a power cut too.
public enum AtomicFile {
  public static func write(
    _ bytes: [UInt8], to path: String, overwrite: Bool, mode: mode_t = 0o644
  ) throws(FilesError) {
    func failure(_ code: Int32 = errno) -> FilesError {
      .unwritable(path: path, reason: String(cString: strerror(code)))
    }
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    let temporary = folder + "/.\(url.lastPathComponent).\(getpid()).tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
    guard fd >= 0 else { throw failure() }
    var written = 0
    while written < bytes.count {
      let n = bytes.withUnsafeBytes { raw in
        Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
      }
      if n < 0, errno == EINTR { continue }
      guard n > 0 else {
        let error = failure()
        close(fd)
        unlink(temporary)
        throw error
      }
      written += n
    }
    // The umask may have narrowed `mode`; a key must not be wider than asked either.
    guard fchmod(fd, mode) == 0, fsync(fd) == 0, close(fd) == 0 else {
      let error = failure()
      unlink(temporary)
      throw error
    }
    if overwrite {
      guard rename(temporary, path) == 0 else {
        let error = failure()
        unlink(temporary)
        throw error
      }
    } else {
      // link() fails with EEXIST instead of replacing: an existing file is never overwritten.
      let status = link(temporary, path)
      let code = errno
      unlink(temporary)
      guard status == 0 else {
        throw code == EEXIST
          ? FilesError.unwritable(path: path, reason: "already exists; not overwritten")
          : failure(code)
      }
    }
    syncFolder(folder)
  }

  /// Creates `folder` (and parents) and proves a file can be created in it, before a long run.
  public static func ensureWritableFolder(_ folder: String) throws(FilesError) {
    do {
      try FileManager.default.createDirectory(
        atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw .unwritable(path: folder, reason: "cannot create the results folder")
    }
    let probe = folder + "/.suanli-write-test.\(getpid())"
    let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
      throw .unwritable(
        path: folder, reason: "results folder is not writable: \(String(cString: strerror(errno)))")
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
}
