import Foundation
import Measurement
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Random small-block IO on one file, as fio's randread / randwrite with a random map: every
/// pass visits the file's blocks in a fresh random order (no block twice in a write pass), with
/// `depth` requests outstanding — one thread per request, each a pread or pwrite at a time (the
/// queue depth of fio's psync engine with numjobs = depth, which works on every filesystem and
/// also buffered). O_DIRECT by default.
///
/// Every block carries `BlockPattern` for (run, generation, block), where the generation is the
/// pass that last wrote it (0: the untimed fill), so every read is checked in place and every
/// write pass is checked by reading the whole file back afterwards.
public final class RandomIO: @unchecked Sendable {
  public let folder: String
  public let fileSize: Int
  public let blockSize: Int
  public let direct: Bool
  public let run: UInt64
  /// The pass that last wrote each block.
  private var generation: [UInt32]

  public init(folder: String, fileSize: Int, blockSize: Int, direct: Bool) {
    self.folder = folder
    self.fileSize = max(blockSize, fileSize / blockSize * blockSize)
    self.blockSize = blockSize
    self.direct = direct
    self.run = UInt64.random(in: 1...UInt64.max)
    self.generation = Array(repeating: 0, count: self.fileSize / blockSize)
  }

  public var blocks: Int { fileSize / blockSize }
  public var path: String { "\(folder)/random.dat" }

  /// One timed pass: its wall seconds (from the release of the threads to the last one's end,
  /// the closing fdatasync of a write pass included), the operations done, each one's latency,
  /// and the blocks read that differ from what was written.
  public struct Pass: Sendable {
    public var seconds: Double
    public var operations: Int
    public var latencies: [Double]
    public var wrong: [String]
    /// "kernel AIO" (one thread keeping `depth` requests in flight, as fio's libaio) or
    /// "threads" (one pread/pwrite outstanding per thread, as fio's psync with numjobs), with the
    /// reason when AIO was wanted and refused.
    public var engine: String

    public var operationsPerSecond: Double { Double(operations) / seconds }
  }

  func open(write: Bool, create: Bool = false) throws(StorageError) -> Int32 {
    let flags =
      (write ? O_RDWR : O_RDONLY) | (create ? O_CREAT | O_TRUNC : 0) | O_CLOEXEC
      | (direct ? SequentialIO.directFlag : 0)
    let fd = Glibc.open(path, flags, 0o600)
    guard fd >= 0 else {
      let code = errno
      if direct && code == EINVAL {
        throw .directRefused(
          "\(folder): the filesystem refuses O_DIRECT (EINVAL); set direct: false to measure buffered IO")
      }
      throw .io("\(path): open: \(StorageThreads.message(code))")
    }
    return fd
  }

  /// Writes the whole file sequentially (generation 0) and syncs it, untimed: random writes
  /// then overwrite allocated blocks (fio lays its file out the same way) and reads read data.
  public func fill() throws {
    let fd = try open(write: true, create: true)
    defer { close(fd) }
    let chunkBlocks = max(1, (1 << 20) / blockSize)
    let chunk = SequentialIO.alignedBuffer(chunkBlocks * blockSize)
    defer { chunk.deallocate() }
    var block = 0
    while block < blocks {
      let count = min(chunkBlocks, blocks - block)
      for i in 0..<count {
        BlockPattern.fill(
          UnsafeMutableRawBufferPointer(rebasing: chunk[(i * blockSize)..<((i + 1) * blockSize)]),
          run: run, stream: 0, block: block + i)
      }
      let bytes = count * blockSize
      guard pwrite(fd, chunk.baseAddress, bytes, off_t(block * blockSize)) == bytes else {
        throw StorageError.io("\(path): write at \(block * blockSize): \(StorageThreads.message(errno))")
      }
      block += count
    }
    guard fdatasync(fd) == 0 else {
      throw StorageError.io("\(path): fdatasync: \(StorageThreads.message(errno))")
    }
    for i in generation.indices { generation[i] = 0 }
  }

  /// A timed pass at `depth` outstanding requests, for `seconds` or until `limit` operations
  /// (a write pass: at most every block once). Reads check every block against its pattern;
  /// a write pass stamps its blocks with generation `pass`.
  ///
  /// O_DIRECT passes deeper than 1 use kernel AIO where the kernel grants a context (it is
  /// asynchronous only for direct IO), threads otherwise.
  public func pass(write: Bool, depth: Int, seconds: Double, limit: Int, pass: UInt32) throws -> Pass {
    if !write && !direct { dropCache() }
    let fd = try open(write: write)
    defer { close(fd) }
    var order = Array(0..<Int32(blocks))
    order.shuffle()
    let limit = write ? min(limit, blocks) : limit
    var refused = ""
    if direct && depth > 1 {
      switch KernelAIO.open(depth: depth) {
      case .success(let aio):
        do {
          return try asynchronous(
            aio, fd: fd, write: write, seconds: seconds, limit: limit, order: order, pass: pass)
        } catch let refusal as KernelAIORefused {
          refused = " (\(refusal.reason))"
        }
      case .failure(let reason): refused = " (\(reason))"
      }
    }
    let next = Atomic<Int>(0)
    let (run, blockSize, blocks, path) = (self.run, self.blockSize, self.blocks, self.path)
    let buffers = (0..<depth).map { _ in SequentialIO.alignedBuffer(blockSize) }
    let scratches = (0..<depth).map { _ in SequentialIO.alignedBuffer(blockSize) }
    defer { for buffer in buffers + scratches { buffer.deallocate() } }
    let results = Mutex<(latencies: [[UInt64]], wrong: [String])>(
      (Array(repeating: [], count: depth), []))
    let expected = generation
    nonisolated(unsafe) let (orderRef, buffersRef, scratchesRef) = (order, buffers, scratches)
    let deadline = MonotonicClock.nanoseconds() + UInt64(seconds * 1e9)
    var wall = try StorageThreads.together(depth) { worker in
      let buffer = buffersRef[worker]
      let scratch = scratchesRef[worker]
      var latencies: [UInt64] = []
      latencies.reserveCapacity(1 << 14)
      var wrong: [String] = []
      defer {
        results.withLock {
          $0.latencies[worker] = latencies
          $0.wrong += wrong
        }
      }
      while MonotonicClock.nanoseconds() < deadline {
        let index = next.add(1, ordering: .relaxed).oldValue
        if index >= limit { break }
        let block = Int(orderRef[index % blocks])
        let offset = off_t(block * blockSize)
        if write { BlockPattern.fill(buffer, run: run, stream: Int(pass), block: block) }
        let begin = MonotonicClock.nanoseconds()
        let done =
          write
          ? pwrite(fd, buffer.baseAddress, blockSize, offset)
          : pread(fd, buffer.baseAddress, blockSize, offset)
        latencies.append(MonotonicClock.nanoseconds() - begin)
        guard done == blockSize else {
          throw StorageError.io(
            "\(path): \(write ? "write" : "read") at \(offset): \(done < 0 ? StorageThreads.message(errno) : "\(done) of \(blockSize) bytes")"
          )
        }
        if !write,
          let at = BlockPattern.firstMismatch(
            UnsafeRawBufferPointer(buffer), run: run, stream: Int(expected[block]), block: block,
            scratch: scratch)
        {
          if wrong.count < 100 {  // the first ones name the problem; a whole bad disk stays small
            wrong.append("block \(block) (file offset \(Int(offset) + at)) differs from what was written")
          }
        }
      }
    }
    if write {
      let begin = MonotonicClock.nanoseconds()
      guard fdatasync(fd) == 0 else {
        throw StorageError.io("\(path): fdatasync: \(StorageThreads.message(errno))")
      }
      wall += Double(MonotonicClock.nanoseconds() - begin) * 1e-9
    }
    let (latencies, wrong) = results.withLock { ($0.latencies.flatMap { $0 }, $0.wrong) }
    if write {
      for index in 0..<min(latencies.count, limit) { generation[Int(order[index])] = pass }
    }
    return Pass(
      seconds: wall, operations: latencies.count, latencies: latencies.map { Double($0) * 1e-9 },
      wrong: wrong.sorted(), engine: "threads" + refused)
  }

  /// The pass on one thread with kernel AIO: `depth` slots, each resubmitted by its own
  /// io_submit as soon as its completion is reaped and checked, until the stonewall or the limit.
  /// (Resubmitting a reaped batch in one io_submit held the first requests back while the
  /// others were checked: 0.64× fio's IOPS on a virtio disk; one at a time, as fio: 1.15×.)
  func asynchronous(
    _ aio: KernelAIO, fd: Int32, write: Bool, seconds: Double, limit: Int, order: [Int32],
    pass: UInt32
  ) throws -> Pass {
    let depth = aio.depth
    let buffers = (0..<depth).map { _ in SequentialIO.alignedBuffer(blockSize) }
    let scratch = SequentialIO.alignedBuffer(blockSize)
    defer { for buffer in buffers + [scratch] { buffer.deallocate() } }
    var slotBlock = Array(repeating: 0, count: depth)
    var issuedAt = Array(repeating: UInt64(0), count: depth)
    var latencies: [UInt64] = []
    latencies.reserveCapacity(1 << 20)  // 8 MiB: seconds of requests without a reallocation in the timed loop
    var wrong: [String] = []
    var next = 0
    var inFlight = 0
    let begin = MonotonicClock.nanoseconds()
    let deadline = begin + UInt64(seconds * 1e9)
    func issue(_ slot: Int, now: UInt64) {
      guard now < deadline, next < limit else { return }
      let block = Int(order[next % blocks])
      next += 1
      if write { BlockPattern.fill(buffers[slot], run: run, stream: Int(pass), block: block) }
      slotBlock[slot] = block
      issuedAt[slot] = MonotonicClock.nanoseconds()
      aio.prepare(
        slot: slot, fd: fd, write: write, buffer: buffers[slot].baseAddress!, length: blockSize,
        offset: block * blockSize)
      inFlight += 1
    }
    defer {
      // After an error: the requests still in flight complete before their buffers go.
      while inFlight > 0, let done = try? aio.reap(path) { inFlight -= done.count }
    }
    for slot in 0..<depth { issue(slot, now: begin) }
    if let reason = try aio.submitFirst(path, prepared: inFlight) {
      inFlight = 0  // nothing went out
      throw KernelAIORefused(reason: reason)
    }
    while inFlight > 0 {
      let completions = try aio.reap(path)
      let now = MonotonicClock.nanoseconds()
      for (slot, done) in completions {
        let block = slotBlock[slot]
        inFlight -= 1
        latencies.append(now - issuedAt[slot])
        guard done == blockSize else {
          throw StorageError.io(
            "\(path): \(write ? "write" : "read") at \(block * blockSize): \(done < 0 ? StorageThreads.message(Int32(-done)) : "\(done) of \(blockSize) bytes")"
          )
        }
        if !write,
          let at = BlockPattern.firstMismatch(
            UnsafeRawBufferPointer(buffers[slot]), run: run, stream: Int(generation[block]),
            block: block, scratch: scratch)
        {
          if wrong.count < 100 {
            wrong.append("block \(block) (file offset \(block * blockSize + at)) differs from what was written")
          }
        }
        issue(slot, now: now)
        try aio.submit(path)
      }
    }
    if write {
      guard fdatasync(fd) == 0 else {
        throw StorageError.io("\(path): fdatasync: \(StorageThreads.message(errno))")
      }
      for index in 0..<min(latencies.count, limit) { generation[Int(order[index])] = pass }
    }
    let wall = Double(MonotonicClock.nanoseconds() - begin) * 1e-9
    return Pass(
      seconds: wall, operations: latencies.count, latencies: latencies.map { Double($0) * 1e-9 },
      wrong: wrong, engine: "kernel AIO")
  }

  /// Reads the whole file back and checks every block against the generation that last wrote
  /// it: the first wrong block, or nothing.
  public func verify() throws -> [String] {
    if !direct { dropCache() }
    let fd = try open(write: false)
    defer { close(fd) }
    let chunkBlocks = max(1, (1 << 20) / blockSize)
    let chunk = SequentialIO.alignedBuffer(chunkBlocks * blockSize)
    let scratch = SequentialIO.alignedBuffer(blockSize)
    defer {
      chunk.deallocate()
      scratch.deallocate()
    }
    var block = 0
    while block < blocks {
      let count = min(chunkBlocks, blocks - block)
      let bytes = count * blockSize
      guard pread(fd, chunk.baseAddress, bytes, off_t(block * blockSize)) == bytes else {
        return ["\(path): read at \(block * blockSize): \(StorageThreads.message(errno))"]
      }
      for i in 0..<count {
        let piece = UnsafeRawBufferPointer(rebasing: chunk[(i * blockSize)..<((i + 1) * blockSize)])
        if let at = BlockPattern.firstMismatch(
          piece, run: run, stream: Int(generation[block + i]), block: block + i, scratch: scratch)
        {
          return ["block \(block + i) (file offset \((block + i) * blockSize + at)) differs from what was written"]
        }
      }
      block += count
    }
    return []
  }

  /// Buffered runs: the file's pages out of the page cache, so that reads read the device.
  public func dropCache() {
    let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return }
    _ = fdatasync(fd)
    _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED))
    close(fd)
  }

  public func removeFiles() {
    unlink(path)
    rmdir(folder)
  }
}

/// A filesystem that takes no asynchronous direct IO: the pass runs on threads instead.
struct KernelAIORefused: Error {
  var reason: String
}
