import CSuanli

#if canImport(Glibc)
  import Glibc
#endif

/// Linux kernel AIO for one thread (CSuanli's io_setup / io_submit / io_getevents): `depth`
/// slots, each one request in flight at most. Errors come back as StorageError.
final class KernelAIO {
  private let context: OpaquePointer
  let depth: Int
  private var slots: [Int32]
  private var results: [Int64]

  /// Nil with the kernel's reason where it grants no context (ENOSYS in a sandbox, EAGAIN
  /// past /proc/sys/fs/aio-max-nr).
  static func open(depth: Int) -> Result<KernelAIO, StorageError> {
    var code: Int32 = 0
    guard let context = suanli_aio_open(Int32(depth), &code) else {
      return .failure(.io("kernel AIO refused: \(StorageThreads.message(-code))"))
    }
    return .success(KernelAIO(context: context, depth: depth))
  }

  private init(context: OpaquePointer, depth: Int) {
    self.context = context
    self.depth = depth
    self.slots = Array(repeating: 0, count: depth)
    self.results = Array(repeating: 0, count: depth)
  }

  deinit { suanli_aio_close(context) }

  /// Prepares slot `slot`; submitted by the next `submit()`.
  func prepare(
    slot: Int, fd: Int32, write: Bool, buffer: UnsafeMutableRawPointer, length: Int, offset: Int
  ) {
    suanli_aio_prepare(
      context, Int32(slot), fd, write ? 1 : 0, buffer, UInt(length), Int64(offset))
  }

  func submit(_ path: String) throws(StorageError) {
    let code = suanli_aio_flush(context)
    guard code == 0 else { throw .io("\(path): io_submit: \(StorageThreads.message(-code))") }
  }

  /// The first submission of a pass: where the filesystem takes no asynchronous direct IO
  /// (EINVAL, EOPNOTSUPP) and nothing went out, the reason, for the caller to use threads.
  func submitFirst(_ path: String, prepared: Int) throws(StorageError) -> String? {
    let code = suanli_aio_flush(context)
    if code == 0 { return nil }
    if (-code == EINVAL || -code == EOPNOTSUPP) && Int(suanli_aio_pending(context)) == prepared {
      return "kernel AIO refused by the filesystem: io_submit: \(StorageThreads.message(-code))"
    }
    throw .io("\(path): io_submit: \(StorageThreads.message(-code))")
  }

  /// Waits for at least one completion: (slot, bytes done or -errno) of each.
  func reap(_ path: String) throws(StorageError) -> [(slot: Int, result: Int)] {
    let count = Int(suanli_aio_reap(context, 1, Int32(depth), &slots, &results))
    guard count >= 0 else {
      throw .io("\(path): io_getevents: \(StorageThreads.message(Int32(-count)))")
    }
    return (0..<count).map { (Int(slots[$0]), Int(results[$0])) }
  }
}
