import Foundation
import Measurement
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Metadata operations in IO500's two shapes (mdtest's easy and hard): `streams` threads each
/// create up to `files` files — easy: empty files, a folder per stream; hard: 3901-byte files,
/// all streams in one shared folder — then stat them, read them (hard), and delete them. Every
/// phase is checked: each stat names a regular file of the size written, each read returns the
/// bytes written, the folder lists exactly the files created, and is empty after the deletes.
/// As mdtest, no fsync: this is the filesystem's metadata path, not its durability.
public final class MetadataIO: @unchecked Sendable {
  public enum Shape: String, Sendable {
    case easy, hard
  }

  /// mdtest-hard's file size in IO500: not a multiple of any block size.
  public static let hardFileBytes = 3901

  public let folder: String
  public let streams: Int
  public let files: Int
  public let shape: Shape
  public let run: UInt64
  /// Files each stream created (the create phase may stop at its stonewall).
  public private(set) var created: [Int]

  public init(folder: String, streams: Int, files: Int, shape: Shape) {
    self.folder = folder
    self.streams = streams
    self.files = files
    self.shape = shape
    self.run = UInt64.random(in: 1...UInt64.max)
    self.created = Array(repeating: 0, count: streams)
  }

  public var bytesPerFile: Int { shape == .hard ? Self.hardFileBytes : 0 }

  public struct Phase: Sendable {
    public var name: String
    public var seconds: Double
    public var operations: Int
    public var wrong: [String]

    public var rate: Double { Double(operations) / seconds }
  }

  var folders: [String] {
    shape == .easy ? (0..<streams).map { "\(folder)/d\($0)" } : ["\(folder)/shared"]
  }

  func path(_ stream: Int, _ index: Int) -> String {
    shape == .easy ? "\(folder)/d\(stream)/f\(index)" : "\(folder)/shared/f\(stream).\(index)"
  }

  /// The folders the files go in (untimed).
  public func prepare() throws {
    for path in folders where mkdir(path, 0o700) != 0 {
      throw StorageError.io("\(path): mkdir: \(StorageThreads.message(errno))")
    }
  }

  /// The bytes of file (stream, index): the block pattern's first 3901 bytes (hard), nothing (easy).
  func content(_ stream: Int, _ index: Int, into buffer: UnsafeMutableRawBufferPointer) {
    BlockPattern.fill(buffer, run: run, stream: stream, block: index)
  }

  static func buffer() -> UnsafeMutableRawBufferPointer {
    SequentialIO.alignedBuffer((hardFileBytes + 7) / 8 * 8)
  }

  /// Creates files until each stream has `files` or `seconds` have passed (IO500's stonewall).
  public func create(seconds: Double) throws -> Phase {
    let deadline = MonotonicClock.nanoseconds() + UInt64(seconds * 1e9)
    let counts = Mutex(Array(repeating: 0, count: streams))
    let wall = try StorageThreads.together(streams) { [self] stream in
      let buffer = Self.buffer()
      defer { buffer.deallocate() }
      var index = 0
      defer { counts.withLock { $0[stream] = index } }
      while index < files && MonotonicClock.nanoseconds() < deadline {
        let name = path(stream, index)
        let fd = Glibc.open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StorageError.io("\(name): create: \(StorageThreads.message(errno))") }
        if shape == .hard {
          content(stream, index, into: buffer)
          let written = Glibc.write(fd, buffer.baseAddress, Self.hardFileBytes)
          guard written == Self.hardFileBytes else {
            close(fd)
            throw StorageError.io("\(name): write: \(written < 0 ? StorageThreads.message(errno) : "\(written) of \(Self.hardFileBytes) bytes")")
          }
        }
        guard close(fd) == 0 else { throw StorageError.io("\(name): close: \(StorageThreads.message(errno))") }
        index += 1
      }
    }
    created = counts.withLock { $0 }
    return Phase(name: "create", seconds: wall, operations: created.reduce(0, +), wrong: [])
  }

  /// Stats every file created: a regular file of the size written, or it is wrong.
  public func stat() throws -> Phase {
    try each("stat") { [self] stream, index, _, _ in
      var info = Glibc.stat()
      let name = path(stream, index)
      guard lstat(name, &info) == 0 else { return "\(name): stat: \(StorageThreads.message(errno))" }
      guard (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) == bytesPerFile else {
        return "\(name): stat says \(info.st_size) bytes, expected a regular file of \(bytesPerFile)"
      }
      return nil
    }
  }

  /// Reads every file created (hard) and compares it with what was written.
  public func read() throws -> Phase {
    try each("read") { [self] stream, index, buffer, scratch in
      let name = path(stream, index)
      let fd = Glibc.open(name, O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else { return "\(name): open: \(StorageThreads.message(errno))" }
      defer { close(fd) }
      let got = Glibc.read(fd, buffer.baseAddress, buffer.count)
      content(stream, index, into: scratch)
      guard got == bytesPerFile, memcmp(buffer.baseAddress!, scratch.baseAddress!, bytesPerFile) == 0
      else { return "\(name): read back \(got) bytes that differ from the \(bytesPerFile) written" }
      return nil
    }
  }

  /// Deletes every file created. Before: each folder lists exactly the files created; after:
  /// each is empty. Either failing is a wrong result.
  public func delete() throws -> Phase {
    let before = listingProblems(expected: shape == .easy ? created : [created.reduce(0, +)])
    var phase = try each("delete") { [self] stream, index, _, _ in
      let name = path(stream, index)
      return unlink(name) == 0 ? nil : "\(name): unlink: \(StorageThreads.message(errno))"
    }
    phase.wrong = before + phase.wrong + listingProblems(expected: folders.map { _ in 0 })
    return phase
  }

  func listingProblems(expected: [Int]) -> [String] {
    zip(folders, expected).compactMap { path, count in
      let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
      return names.count == count ? nil : "\(path) lists \(names.count) files, expected \(count)"
    }
  }

  /// One operation on every created file, a thread per stream: the wall seconds and the
  /// problems found (the first few per stream).
  func each(
    _ name: String,
    _ operation: @escaping @Sendable (Int, Int, UnsafeMutableRawBufferPointer, UnsafeMutableRawBufferPointer) -> String?
  ) throws -> Phase {
    let problems = Mutex<[String]>([])
    let created = self.created
    let wall = try StorageThreads.together(streams) { stream in
      let buffer = SequentialIO.alignedBuffer(4096)
      let scratch = Self.buffer()
      defer {
        buffer.deallocate()
        scratch.deallocate()
      }
      var found: [String] = []
      for index in 0..<created[stream] {
        if let problem = operation(stream, index, buffer, scratch), found.count < 3 {
          found.append(problem)
        }
      }
      problems.withLock { $0 += found }
    }
    return Phase(
      name: name, seconds: wall, operations: created.reduce(0, +), wrong: problems.withLock { $0 }.sorted())
  }

  /// Every file and folder this run made, whatever phase it stopped in (the run's folder is
  /// its own: made with mkdir, never an existing one).
  public func removeAll() {
    try? FileManager.default.removeItem(atPath: folder)
  }
}
