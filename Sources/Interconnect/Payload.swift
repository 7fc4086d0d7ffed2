/// Message contents and their check: every byte a benchmark receives must be the byte sent.
public enum Payload {
  /// The byte at `index` of a message of `size` bytes from `rank`: depends on all three so a
  /// message delivered to the wrong place or truncated shows.
  @inline(__always)
  public static func byte(index: Int, size: Int, rank: Int) -> UInt8 {
    UInt8(truncatingIfNeeded: index &* 31 &+ size &* 7 &+ rank &* 101 &+ 13)
  }

  public static func fill(_ buffer: UnsafeMutableRawPointer, size: Int, rank: Int) {
    let bytes = buffer.assumingMemoryBound(to: UInt8.self)
    for i in 0..<size { bytes[i] = byte(index: i, size: size, rank: rank) }
  }

  /// The first byte that is not what `rank` sent, or nil.
  public static func firstMismatch(_ buffer: UnsafeRawPointer, size: Int, rank: Int) -> Int? {
    let bytes = buffer.assumingMemoryBound(to: UInt8.self)
    for i in 0..<size where bytes[i] != byte(index: i, size: size, rank: rank) { return i }
    return nil
  }

  /// Allreduce input of `rank`: whole numbers, so the sum over ranks is exact in any order.
  @inline(__always)
  public static func allreduceInput(index: Int, rank: Int) -> Double {
    Double(rank + 1) * Double(index % 251)
  }

  /// What element `index` of the sum over `ranks` ranks must be.
  @inline(__always)
  public static func allreduceExpected(index: Int, ranks: Int) -> Double {
    Double(ranks * (ranks + 1) / 2) * Double(index % 251)
  }

  /// nccl-tests' bus bandwidth: algbw · 2(n−1)/n, the per-link traffic of a ring allreduce, so
  /// that figures compare across rank counts (equal to algbw·1 at n = 2).
  public static func busBandwidth(algorithmBandwidth: Double, ranks: Int) -> Double {
    guard ranks > 1 else { return 0 }
    return algorithmBandwidth * 2 * Double(ranks - 1) / Double(ranks)
  }

  /// Powers of two from `lower` to `upper` bytes.
  public static func sizes(from lower: Int, to upper: Int) -> [Int] {
    var sizes: [Int] = []
    var size = max(1, lower)
    while size <= upper {
      sizes.append(size)
      size *= 2
    }
    return sizes
  }

  /// OSU's iteration counts: (timed, warm-up) per message size, scaled by `scale`.
  public static func iterations(size: Int, small: (Int, Int), large: (Int, Int), scale: Double) -> (
    Int, Int
  ) {
    let base = size <= 8192 ? small : large
    return (max(2, Int(Double(base.0) * scale)), max(1, Int(Double(base.1) * scale)))
  }
}
