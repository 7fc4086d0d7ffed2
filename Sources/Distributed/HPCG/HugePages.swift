#if canImport(Glibc)
  import Glibc
#endif

/// Arrays whose pages are asked to be transparent huge pages (`madvise(MADV_HUGEPAGE)`) before
/// they are first touched, so the first touch (by the rank's own thread) faults in 2 MiB pages
/// where the kernel grants them (THP "madvise" mode, Debian's default). The matrix and the
/// vectors of an HPCG box are tens of MiB, streamed every iteration: with 4 KiB pages each
/// stream crosses a page every 4 KiB (STREAM measured ~5 % less that way here).
enum HugePages {
  static let size = 2 << 20

  /// `count` copies of `value`, huge-paged when the array spans whole 2 MiB pages.
  static func array<T>(repeating value: T, count: Int) -> [T] {
    [T](unsafeUninitializedCapacity: count) { buffer, initialized in
      advise(UnsafeMutableRawBufferPointer(buffer))
      if let base = buffer.baseAddress { base.initialize(repeating: value, count: count) }
      initialized = count
    }
  }

  /// Asks for huge pages on the 2 MiB-aligned part of `buffer`; a no-op where that is empty
  /// or the system has no such advice.
  static func advise(_ buffer: UnsafeMutableRawBufferPointer) {
    #if os(Linux)
      guard let base = buffer.baseAddress, buffer.count >= 2 * size else { return }
      let first = (UInt(bitPattern: base) + UInt(size - 1)) & ~UInt(size - 1)
      let last = (UInt(bitPattern: base) + UInt(buffer.count)) & ~UInt(size - 1)
      guard last > first, let start = UnsafeMutableRawPointer(bitPattern: first) else { return }
      _ = madvise(start, Int(last - first), MADV_HUGEPAGE)
    #endif
  }
}
