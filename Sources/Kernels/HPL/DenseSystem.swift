import Foundation

/// The HPL system [A | b]: an n×(n+1) column-major matrix whose last column is the right-hand
/// side, so that elimination transforms b as it goes (HPL's layout) and L is never needed after
/// the factorisation. One anonymous mapping with transparent huge pages requested.
///
/// Entries are uniform in [-0.5, 0.5) from a counter-based generator: entry (i, j) is a pure
/// function of (seed, i, j), so the original A and b can be regenerated exactly for the
/// residual check without keeping a copy (HPL regenerates too).
public final class DenseSystem: @unchecked Sendable {
  public let n: Int
  /// Column stride, padded so that columns do not all map to the same cache sets.
  public let lda: Int
  public let storage: UnsafeMutablePointer<Double>
  private let bytes: Int

  /// Bytes the system needs: (n+1) columns of lda doubles.
  public static func requiredBytes(n: Int) -> Int { (n + 1) * leadingDimension(n) * 8 }

  static func leadingDimension(_ n: Int) -> Int {
    let rounded = (n + 7) / 8 * 8
    // A stride that is a multiple of 4 KiB makes row traversals hit one cache set: pad it.
    return rounded % 512 == 0 ? rounded + 8 : rounded
  }

  /// Returns nil when the memory cannot be mapped.
  public init?(n: Int) {
    guard n >= 1 else { return nil }
    self.n = n
    lda = DenseSystem.leadingDimension(n)
    bytes = DenseSystem.requiredBytes(n: n)
    let raw = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
    guard let raw, raw != MAP_FAILED else { return nil }
    _ = madvise(raw, bytes, MADV_HUGEPAGE)
    storage = raw.bindMemory(to: Double.self, capacity: bytes / 8)
  }

  deinit { munmap(storage, bytes) }

  /// Column j (0 ..< n+1; column n is b).
  @inline(__always)
  public func column(_ j: Int) -> UnsafeMutablePointer<Double> { storage + j * lda }

  public var rightHandSide: UnsafeMutablePointer<Double> { column(n) }

  /// Entry (i, j) of the generated system, uniform in [-0.5, 0.5): SplitMix64 of a unique
  /// counter, its top 53 bits scaled to [0, 1).
  @inline(__always)
  public static func entry(seed: UInt64, row: Int, column: Int) -> Double {
    var z =
      seed &+ (UInt64(truncatingIfNeeded: column) &<< 32 | UInt64(truncatingIfNeeded: row))
      &* 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    return Double(z >> 11) * 0x1p-53 - 0.5
  }

  /// Fills A and b with Suanli's counter-based generator from `seed`, each worker its own
  /// columns (first touch).
  public func generate(seed: UInt64, team: ThreadTeam) {
    generate(.counter(seed: seed), team: team)
  }

  /// Fills A and b from `generator`, each worker its own columns (first touch).
  public func generate(_ generator: MatrixGenerator, team: ThreadTeam) {
    team.run { worker in
      for j in team.chunk(worker, of: n + 1, alignment: 1) {
        let col = column(j)
        switch generator {
        case .hpl(let seed):
          HPLMatrixGenerator(n: n, seed: seed).fill(column: j, rows: [0..<n], into: col)
        case .counter(let seed):
          for i in 0..<n { col[i] = DenseSystem.entry(seed: seed, row: i, column: j) }
        }
      }
    }
  }
}

/// Where the entries of an HPL system come from.
public enum MatrixGenerator: Sendable, Equatable {
  /// HPL 2.3's generator: the matrix xhpl and hpcc build for the same N and seed.
  case hpl(seed: UInt64)
  /// Suanli's counter-based SplitMix64 (its only generator before cluster mode).
  case counter(seed: UInt64)

  public var name: String {
    switch self {
    case .hpl: return "hpl"
    case .counter: return "counter"
    }
  }
}
