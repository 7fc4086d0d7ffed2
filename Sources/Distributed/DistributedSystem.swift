import Foundation
import Kernels

/// One rank's part of the HPL system [A | b] on a P×Q grid: the local rows (of N) and columns
/// (of N+1, b being global column N) of the block-cyclic distribution, column-major with a
/// padded leading dimension, in one anonymous mapping with transparent huge pages requested.
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
    return leadingDimension(mp) * max(1, nq) * 8
  }

  /// At least the local rows, a multiple of 8, never a multiple of 512 (a 4 KiB stride maps
  /// every column to the same cache sets; HPL also avoids powers of two).
  static func leadingDimension(_ rows: Int) -> Int {
    let rounded = max(8, (rows + 7) / 8 * 8)
    return rounded % 512 == 0 ? rounded + 8 : rounded
  }

  /// nil when the memory cannot be mapped.
  public init?(n: Int, nb: Int, p: Int, q: Int, row: Int, column: Int) {
    guard n >= 1, nb >= 1 else { return nil }
    self.n = n
    self.nb = nb
    rows = BlockCyclic(count: n, block: nb, processes: p, process: row)
    columns = BlockCyclic(count: n + 1, block: nb, processes: q, process: column)
    ld = Self.leadingDimension(rows.localCount)
    bytes = ld * max(1, columns.localCount) * 8
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

  /// Local column `local`.
  @inline(__always)
  public func column(_ local: Int) -> UnsafeMutablePointer<Double> { storage + local * ld }

  /// Fills the local part from `generator`: the global matrix is the same on every grid.
  public func generate(_ generator: MatrixGenerator, team: ThreadTeam) {
    let rowRanges = rows.globalRanges
    let globalRows = (0..<mp).map { rows.global(of: $0) }
    team.run { worker in
      for local in team.chunk(worker, of: nq, alignment: 1) {
        let j = columns.global(of: local)
        let destination = column(local)
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
    }
  }
}
