import CSuanli
import Foundation
import Measurement

#if canImport(Glibc)
  import Glibc
#endif

/// Why a storage run could not be made, or why its data are wrong. One line each.
public enum StorageError: Error, CustomStringConvertible, Equatable {
  case path(String)
  case memoryFilesystem(String)
  case directRefused(String)
  case space(String)
  case io(String)

  public var description: String {
    switch self {
    case .path(let m), .memoryFilesystem(let m), .directRefused(let m), .space(let m), .io(let m):
      return m
    }
  }
}

/// The filesystem a path lives on, as the report records it.
public struct FilesystemInfo: Sendable, Equatable {
  /// "ext4", "xfs", "tmpfs", ... from statfs's magic number (the mount table's name when known).
  public var type: String
  public var mountPoint: String
  public var options: String
  public var source: String
  public var freeBytes: Int
  public var totalBytes: Int
  /// tmpfs, ramfs: "storage" there is memory.
  public var inMemory: Bool
}

public enum StorageProbe {
  static let magics: [Int: String] = [
    0xEF53: "ext4", 0x5846_5342: "xfs", 0x9123_683E: "btrfs", 0x0102_1994: "tmpfs",
    0x8584_58F6: "ramfs", 0x794C_7630: "overlay", 0x6969: "nfs", 0x0BD0_0BD0: "lustre",
    0x4750_4653: "gpfs", 0x2FC1_2FC1: "zfs", 0x6573_5546: "fuse", 0x0102_1997: "9p",
  ]

  /// statfs and the mount table for `path` (which must exist).
  public static func filesystem(at path: String) throws(StorageError) -> FilesystemInfo {
    let type64 = suanli_statfs_type(path)
    var fs = statvfs()
    guard type64 >= 0, statvfs(path, &fs) == 0 else {
      throw .path("\(path): \(String(cString: strerror(errno)))")
    }
    let magic = Int(type64)
    var type = magics[magic] ?? String(format: "unknown (magic 0x%X)", magic)
    var mountPoint = "?"
    var options = ""
    var source = ""
    // /proc/self/mountinfo: the longest mount point that is a prefix of the real path.
    let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    if let table = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) {
      for line in table.split(separator: "\n") {
        let parts = line.split(separator: " - ", maxSplits: 1)
        guard parts.count == 2 else { continue }
        let left = parts[0].split(separator: " ")
        let right = parts[1].split(separator: " ")
        guard left.count >= 6, right.count >= 2 else { continue }
        let point = String(left[4]).replacingOccurrences(of: "\\040", with: " ")
        let inside = real == point || real.hasPrefix(point == "/" ? "/" : point + "/")
        if inside && point.count >= (mountPoint == "?" ? 0 : mountPoint.count) {
          mountPoint = point
          options = String(left[5]) + (right.count >= 3 ? "," + right[2] : "")
          source = String(right[1])
          if magics[magic] == nil { type = String(right[0]) }
        }
      }
    }
    let block = Int(fs.f_frsize)
    return FilesystemInfo(
      type: type, mountPoint: mountPoint, options: options, source: source,
      freeBytes: Int(fs.f_bavail) * block, totalBytes: Int(fs.f_blocks) * block,
      inMemory: magic == 0x0102_1994 || magic == 0x8584_58F6)
  }
}

/// The content of every block: a 64-byte header (magic, run, stream, block, size) and
/// xorshift64* bytes seeded by (run, stream, block) — incompressible, different in every block,
/// and regenerated to check what is read back.
public enum BlockPattern {
  static let magic: UInt64 = 0x5355_414E_4C49_494F  // "SUANLIIO"

  static func seed(run: UInt64, stream: Int, block: Int) -> UInt64 {
    var x = run &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(stream) &* 0xBF58_476D_1CE4_E5B9
      ^ UInt64(block) &* 0x94D0_49BB_1331_11EB
    x ^= x >> 31
    return x == 0 ? 0x2545_F491_4F6C_DD1D : x
  }

  public static func fill(
    _ buffer: UnsafeMutableRawBufferPointer, run: UInt64, stream: Int, block: Int
  ) {
    let words = buffer.bindMemory(to: UInt64.self)
    words[0] = magic
    words[1] = run
    words[2] = UInt64(stream)
    words[3] = UInt64(block)
    words[4] = UInt64(buffer.count)
    for i in 5..<8 { words[i] = 0 }
    // Four interleaved xorshift64* generators: independent chains the CPU runs side by side
    // (one chain made checking a block cost a tenth of a 4 KiB random read's time on one core).
    let base = seed(run: run, stream: stream, block: block)
    var x0 = base
    var x1 = (base ^ 0x9E37_79B9_7F4A_7C15) | 1
    var x2 = (base ^ 0xBF58_476D_1CE4_E5B9) | 1
    var x3 = (base ^ 0x94D0_49BB_1331_11EB) | 1
    @inline(__always) func step(_ x: inout UInt64) -> UInt64 {
      x ^= x >> 12
      x ^= x << 25
      x ^= x >> 27
      return x &* 0x2545_F491_4F6C_DD1D
    }
    var i = 8
    while i + 4 <= words.count {
      words[i] = step(&x0)
      words[i + 1] = step(&x1)
      words[i + 2] = step(&x2)
      words[i + 3] = step(&x3)
      i += 4
    }
    while i < words.count {
      words[i] = step(&x0)
      i += 1
    }
  }

  /// The byte offset of the first difference from what `fill` wrote, or nil.
  public static func firstMismatch(
    _ buffer: UnsafeRawBufferPointer, run: UInt64, stream: Int, block: Int,
    scratch: UnsafeMutableRawBufferPointer
  ) -> Int? {
    fill(scratch, run: run, stream: stream, block: block)
    if memcmp(buffer.baseAddress!, scratch.baseAddress!, buffer.count) == 0 { return nil }
    for i in 0..<buffer.count where buffer[i] != scratch[i] { return i }
    return nil
  }
}

/// Sequential large-block IO on `streams` files, one thread each, pread/pwrite at queue depth 1
/// (fio's psync engine), O_DIRECT by default with aligned buffers; writes end with fdatasync
/// inside the timed region.
public final class SequentialIO: @unchecked Sendable {
  public let folder: String
  public let streams: Int
  public let fileSize: Int
  public let blockSize: Int
  public let direct: Bool
  public let run: UInt64
  /// The number of this object's first stream in the folder: in a job, node k's streams are
  /// k·streams ..< (k+1)·streams, so that another node can read and check them.
  public let streamBase: Int

  public init(
    folder: String, streams: Int, fileSize: Int, blockSize: Int, direct: Bool,
    streamBase: Int = 0, run: UInt64? = nil
  ) {
    self.folder = folder
    self.streams = streams
    self.fileSize = fileSize / blockSize * blockSize
    self.blockSize = blockSize
    self.direct = direct
    self.streamBase = streamBase
    self.run = run ?? UInt64.random(in: 1...UInt64.max)
  }

  public var blocks: Int { fileSize / blockSize }
  public var totalBytes: Int { fileSize * streams }

  /// open(2)'s O_DIRECT on this platform.
  static let directFlag = suanli_o_direct()

  func path(_ stream: Int) -> String { "\(folder)/stream-\(streamBase + stream).dat" }

  func open(_ stream: Int, write: Bool) throws(StorageError) -> Int32 {
    let flags =
      (write ? O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY) | O_CLOEXEC
      | (direct ? Self.directFlag : 0)
    let fd = Glibc.open(path(stream), flags, 0o600)
    guard fd >= 0 else {
      let code = errno
      if direct && code == EINVAL {
        throw .directRefused(
          "\(folder): the filesystem refuses O_DIRECT (EINVAL); set direct: false to measure buffered IO with the fsync timed"
        )
      }
      throw .io("\(path(stream)): open: \(String(cString: strerror(code)))")
    }
    return fd
  }

  /// Runs `body` on one thread per stream, all released together; the wall seconds from the
  /// release to the last thread's end.
  func together(_ body: @escaping @Sendable (Int) throws -> Void) throws -> Double {
    try StorageThreads.together(streams, body)
  }

  static func alignedBuffer(_ bytes: Int) -> UnsafeMutableRawBufferPointer {
    UnsafeMutableRawBufferPointer(
      start: UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 4096), count: bytes)
  }

  /// Each stream's open file and aligned buffer, made before a timed region so that it times
  /// only the IO (and, for writes, the filling of each block, as fio's refill_buffers does).
  final class Streams: @unchecked Sendable {
    var descriptors: [Int32] = []
    var buffers: [UnsafeMutableRawBufferPointer] = []

    deinit {
      for fd in descriptors { close(fd) }
      for buffer in buffers { buffer.deallocate() }
    }
  }

  /// Opens every stream's file (writes: created and, with `preallocate`, given its extents —
  /// fio's default fallocate=native) and allocates its buffer, untimed.
  func prepare(write: Bool, preallocate: Bool = false) throws -> Streams {
    let prepared = Streams()
    for stream in 0..<streams {
      let fd = try open(stream, write: write)
      prepared.descriptors.append(fd)
      prepared.buffers.append(Self.alignedBuffer(blockSize))
      if write && preallocate {
        let code = posix_fallocate(fd, 0, off_t(fileSize))
        // Filesystems without fallocate (EOPNOTSUPP) are written as they are.
        if code != 0 && code != EOPNOTSUPP && code != EINVAL {
          throw StorageError.io("\(path(stream)): fallocate: \(String(cString: strerror(code)))")
        }
      }
    }
    return prepared
  }

  /// Writes every block of every stream and fdatasyncs each file: the timed wall seconds.
  public func write(preallocate: Bool = true) throws -> Double {
    let prepared = try prepare(write: true, preallocate: preallocate)
    return try together { [self] stream in
      let buffer = prepared.buffers[stream]
      let fd = prepared.descriptors[stream]
      for block in 0..<blocks {
        BlockPattern.fill(buffer, run: run, stream: streamBase + stream, block: block)
        let written = pwrite(fd, buffer.baseAddress, blockSize, off_t(block * blockSize))
        guard written == blockSize else {
          throw StorageError.io(
            "\(path(stream)): write at \(block * blockSize): \(written < 0 ? String(cString: strerror(errno)) : "\(written) of \(blockSize) bytes")"
          )
        }
      }
      guard fdatasync(fd) == 0 else {
        throw StorageError.io("\(path(stream)): fdatasync: \(String(cString: strerror(errno)))")
      }
    }
  }

  /// Reads every block of every stream: the timed wall seconds (the data are checked apart).
  public func read() throws -> Double {
    if !direct { dropCache() }
    let prepared = try prepare(write: false)
    return try together { [self] stream in
      let buffer = prepared.buffers[stream]
      let fd = prepared.descriptors[stream]
      for block in 0..<blocks {
        let got = pread(fd, buffer.baseAddress, blockSize, off_t(block * blockSize))
        guard got == blockSize else {
          throw StorageError.io(
            "\(path(stream)): read at \(block * blockSize): \(got < 0 ? String(cString: strerror(errno)) : "\(got) of \(blockSize) bytes")"
          )
        }
      }
    }
  }

  /// Reads everything back and compares it with what was written: the first wrong block per
  /// stream ("stream 0 block 17 byte 4096"), empty when every byte is right.
  public func verify() throws -> [String] {
    if !direct { dropCache() }
    let found = NSLock()
    nonisolated(unsafe) var wrong: [String] = []
    _ = try together { [self] stream in
      let buffer = Self.alignedBuffer(blockSize)
      let scratch = Self.alignedBuffer(blockSize)
      defer {
        buffer.deallocate()
        scratch.deallocate()
      }
      let fd = try open(stream, write: false)
      defer { close(fd) }
      for block in 0..<blocks {
        let got = pread(fd, buffer.baseAddress, blockSize, off_t(block * blockSize))
        let offset: Int? =
          got == blockSize
          ? BlockPattern.firstMismatch(
            UnsafeRawBufferPointer(buffer), run: run, stream: streamBase + stream, block: block,
            scratch: scratch) : 0
        if let offset {
          found.lock()
          wrong.append(
            "stream \(streamBase + stream) block \(block) (file offset \(block * blockSize + offset)) differs from what was written"
          )
          found.unlock()
          return
        }
      }
    }
    return wrong.sorted()
  }

  /// Buffered runs: the files' clean pages out of the page cache (fio's invalidate), so that a
  /// read reads the device.
  func dropCache() {
    for stream in 0..<streams {
      let fd = Glibc.open(path(stream), O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else { continue }
      _ = fdatasync(fd)
      _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED))
      close(fd)
    }
  }

  /// Durability latency: `count` writes of `size` bytes at increasing offsets, each followed by
  /// fdatasync; the seconds of each write + fdatasync pair.
  public func syncLatencies(count: Int, size: Int) throws -> [Double] {
    let buffer = Self.alignedBuffer(size)
    defer { buffer.deallocate() }
    let fd = try open(0, write: true)
    defer { close(fd) }
    var seconds: [Double] = []
    seconds.reserveCapacity(count)
    for i in 0..<count {
      BlockPattern.fill(buffer, run: run, stream: 0, block: i)
      let begin = MonotonicClock.nanoseconds()
      guard pwrite(fd, buffer.baseAddress, size, off_t(i * size)) == size, fdatasync(fd) == 0
      else { throw StorageError.io("\(path(0)): write + fdatasync: \(String(cString: strerror(errno)))") }
      seconds.append(Double(MonotonicClock.nanoseconds() - begin) * 1e-9)
    }
    return seconds
  }

  public func removeFiles() {
    for stream in 0..<streams { unlink(path(stream)) }
    rmdir(folder)
  }
}

/// Threads released together for IO (one per stream, or one per outstanding request where the
/// queue depth is made of threads).
public enum StorageThreads {
  /// Runs `body(i)` for i in 0..<count, one thread each, all released at once; the wall seconds
  /// from the release to the last thread's end; the first error thrown, if any.
  public static func together(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void)
    throws -> Double
  {
    let start = DispatchSemaphore(value: 0)
    let group = DispatchGroup()
    let failures = NSLock()
    nonisolated(unsafe) var failure: Error? = nil
    for index in 0..<count {
      group.enter()
      let thread = Thread {
        defer { group.leave() }
        start.wait()
        do { try body(index) } catch {
          failures.lock()
          if failure == nil { failure = error }
          failures.unlock()
        }
      }
      thread.stackSize = 1 << 20
      thread.start()
    }
    let begin = MonotonicClock.nanoseconds()
    for _ in 0..<count { start.signal() }
    group.wait()
    let seconds = Double(MonotonicClock.nanoseconds() - begin) * 1e-9
    if let failure { throw failure }
    return seconds
  }

  static func message(_ code: Int32) -> String { String(cString: strerror(code)) }
}
