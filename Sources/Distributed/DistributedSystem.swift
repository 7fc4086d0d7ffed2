import Foundation
import Kernels

/// One rank's part of the HPL system [A | b] on a P×Q grid: the local rows (of N) and columns
/// (of N+1, b being global column N) of the block-cyclic distribution, in one anonymous mapping
/// with transparent huge pages requested.
///
/// Stored **row-major** (each local row's columns contiguous, rows a padded `ld` apart), unlike
/// HPL: a step's row interchanges and the exchange of U then move contiguous rows instead of
/// one 8-byte value per cache line and per page, and U's rows in A are already Uᵀ in the
/// column-major view the BLAS calls take. The panel is factored in a column-major copy.
public final class DistributedSystem: @unchecked Sendable {
  public let n: Int
  public let nb: Int
  /// This rank's rows of the N rows (over the P process rows).
  public let rows: BlockCyclic
  /// This rank's columns of the N+1 columns (over the Q process columns).
  public let columns: BlockCyclic
  public let ld: Int
  public let storage: UnsafeMutablePointer<Double>
  private let bytes: Int

  /// Bytes a rank at (row, column) of a P×Q grid needs for its part of the matrix.
  public static func requiredBytes(n: Int, nb: Int, p: Int, q: Int, row: Int, column: Int) -> Int {
    let mp = BlockCyclic(count: n, block: nb, processes: p, process: row).localCount
    let nq = BlockCyclic(count: n + 1, block: nb, processes: q, process: column).localCount
    return leadingDimension(nq) * max(1, mp) * 8
  }

  /// At least the local columns, a multiple of 8, never a multiple of 512 (a 4 KiB stride maps
  /// every column to the same cache sets; HPL also avoids powers of two).
  static func leadingDimension(_ count: Int) -> Int {
    let rounded = max(8, (count + 7) / 8 * 8)
    return rounded % 512 == 0 ? rounded + 8 : rounded
  }

  /// nil when the memory cannot be mapped.
  public init?(n: Int, nb: Int, p: Int, q: Int, row: Int, column: Int) {
    guard n >= 1, nb >= 1 else { return nil }
    self.n = n
    self.nb = nb
    rows = BlockCyclic(count: n, block: nb, processes: p, process: row)
    columns = BlockCyclic(count: n + 1, block: nb, processes: q, process: column)
    ld = Self.leadingDimension(columns.localCount)
    bytes = ld * max(1, rows.localCount) * 8
    let raw = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
    guard let raw, raw != MAP_FAILED else { return nil }
    _ = madvise(raw, bytes, MADV_HUGEPAGE)
    storage = raw.bindMemory(to: Double.self, capacity: bytes / 8)
  }

  public convenience init?(n: Int, nb: Int, grid: ProcessGrid) {
    self.init(n: n, nb: nb, p: grid.p, q: grid.q, row: grid.myRow, column: grid.myColumn)
  }

  deinit { munmap(storage, bytes) }

  public var mp: Int { rows.localCount }
  public var nq: Int { columns.localCount }

  /// Local row `local`: its `nq` columns, contiguous.
  @inline(__always)
  public func row(_ local: Int) -> UnsafeMutablePointer<Double> { storage + local * ld }

  /// The element at local row `row`, local column `column`.
  public subscript(row: Int, column: Int) -> Double {
    get { storage[row * ld + column] }
    set { storage[row * ld + column] = newValue }
  }

  /// Fills the local part from `generator`: the global matrix is the same on every grid. The
  /// generator runs down columns; a worker generates 32 of its columns into a buffer, then
  /// writes them into the rows, 32 contiguous values each.
  public func generate(_ generator: MatrixGenerator, team: ThreadTeam) {
    let rowRanges = rows.globalRanges
    let globalRows = (0..<mp).map { rows.global(of: $0) }
    let group = 32
    team.run { worker in
      let mine = team.chunk(worker, of: nq, alignment: group)
      guard !mine.isEmpty, mp > 0 else { return }
      let buffer = UnsafeMutablePointer<Double>.allocate(capacity: group * mp)
      defer { buffer.deallocate() }
      for start in stride(from: mine.lowerBound, to: mine.upperBound, by: group) {
        let width = min(group, mine.upperBound - start)
        for c in 0..<width {
          let j = columns.global(of: start + c)
          let destination = buffer + c * mp
          switch generator {
          case .hpl(let seed):
            HPLMatrixGenerator(n: n, seed: seed).fill(
              column: j, rows: rowRanges, into: destination)
          case .counter(let seed):
            for (i, g) in globalRows.enumerated() {
              destination[i] = DenseSystem.entry(seed: seed, row: g, column: j)
            }
          }
        }
        for i in 0..<mp {
          let target = row(i) + start
          for c in 0..<width { target[c] = buffer[c * mp + i] }
        }
      }
    }
  }
}
