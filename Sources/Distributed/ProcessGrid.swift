import Communication

/// How ranks are laid on a P×Q grid (HPL_grid_init): row-major puts consecutive ranks in one
/// process row, column-major in one process column.
public enum GridMapping: String, Sendable, CaseIterable {
  case row
  case column
}

/// A P×Q process grid over a communicator of exactly P·Q ranks, with the communicators of this
/// rank's process row (ordered by column) and process column (ordered by row).
public struct ProcessGrid: Sendable {
  public let p: Int
  public let q: Int
  public let mapping: GridMapping
  public let myRow: Int
  public let myColumn: Int
  public let all: Communicator
  /// The Q processes of this rank's process row; rank = process column.
  public let row: Communicator
  /// The P processes of this rank's process column; rank = process row.
  public let column: Communicator

  public init(_ all: Communicator, p: Int, q: Int, mapping: GridMapping) throws {
    precondition(p >= 1 && q >= 1 && p * q == all.size, "the grid must use every rank")
    self.p = p
    self.q = q
    self.mapping = mapping
    self.all = all
    switch mapping {
    case .row:
      myRow = all.rank / q
      myColumn = all.rank % q
    case .column:
      myColumn = all.rank / p
      myRow = all.rank % p
    }
    row = try all.split(color: myRow, key: myColumn)
    column = try all.split(color: myColumn, key: myRow)
  }

  /// HPL's and hpcc's choice for `ranks` ranks: P the largest divisor of `ranks` that is at
  /// most √ranks, Q = ranks / P (so P ≤ Q, as near square as the count allows).
  public static func automaticShape(ranks: Int) -> (p: Int, q: Int) {
    var p = 1
    var candidate = 1
    while candidate * candidate <= ranks {
      if ranks % candidate == 0 { p = candidate }
      candidate += 1
    }
    return (p, ranks / p)
  }
}
