/// HPCG 3.1's problem on one box (one rank's view when the box is the whole grid): the
/// 27-point stencil on an nx × ny × nz grid — 26 on the diagonal, −1 for every neighbour —,
/// b chosen so that the exact solution is all ones, and the coarse levels of the multigrid
/// preconditioner, each the same stencil on the grid halved in every direction (not a Galerkin
/// product), with the injection map from coarse to fine points. Facts from the reference code
/// (GenerateProblem_ref, GenerateCoarseProblem at the hpcg repository's head); the code is
/// Suanli's.
public struct HPCGLevel: Sendable {
  public let nx: Int
  public let ny: Int
  public let nz: Int
  /// Up to 27 entries per row, stored 27 wide: columns and values, the unused slots at the end
  /// of a row (count < 27 on the box's faces).
  public var values: [Double]
  public let columns: [Int32]
  public let counts: [UInt8]
  /// Where each row's diagonal sits among its entries, and its value (the spectral test
  /// scales it).
  public let diagonalSlot: [UInt8]
  public var diagonal: [Double]
  /// Fine-grid row of each coarse point (2ix, 2iy, 2iz); empty on the coarsest level.
  public let coarseToFine: [Int32]

  public static let width = 27

  public var rows: Int { nx * ny * nz }
  public var nonzeros: Int { counts.reduce(0) { $0 + Int($1) } }

  /// The stencil on an nx × ny × nz grid; neighbours in HPCG's order (z, then y, then x, each
  /// from −1 to +1).
  public init(nx: Int, ny: Int, nz: Int) {
    self.nx = nx
    self.ny = ny
    self.nz = nz
    let rows = nx * ny * nz
    var values = [Double](repeating: 0, count: rows * Self.width)
    var columns = [Int32](repeating: 0, count: rows * Self.width)
    var counts = [UInt8](repeating: 0, count: rows)
    var diagonalSlot = [UInt8](repeating: 0, count: rows)
    for iz in 0..<nz {
      for iy in 0..<ny {
        for ix in 0..<nx {
          let row = ix + nx * (iy + ny * iz)
          var count = 0
          for sz in -1...1 where iz + sz >= 0 && iz + sz < nz {
            for sy in -1...1 where iy + sy >= 0 && iy + sy < ny {
              for sx in -1...1 where ix + sx >= 0 && ix + sx < nx {
                let column = (ix + sx) + nx * ((iy + sy) + ny * (iz + sz))
                let slot = row * Self.width + count
                columns[slot] = Int32(column)
                if column == row {
                  values[slot] = 26
                  diagonalSlot[row] = UInt8(count)
                } else {
                  values[slot] = -1
                }
                count += 1
              }
            }
          }
          counts[row] = UInt8(count)
        }
      }
    }
    self.values = values
    self.columns = columns
    self.counts = counts
    self.diagonalSlot = diagonalSlot
    self.diagonal = [Double](repeating: 26, count: rows)
    self.coarseToFine = []
  }

  private init(level: HPCGLevel, coarseToFine: [Int32]) {
    self.nx = level.nx
    self.ny = level.ny
    self.nz = level.nz
    self.values = level.values
    self.columns = level.columns
    self.counts = level.counts
    self.diagonalSlot = level.diagonalSlot
    self.diagonal = level.diagonal
    self.coarseToFine = coarseToFine
  }

  /// This level with the map from the points of the grid halved in every direction.
  func withCoarseMap() -> HPCGLevel {
    let (cx, cy, cz) = (nx / 2, ny / 2, nz / 2)
    var map = [Int32](repeating: 0, count: cx * cy * cz)
    for iz in 0..<cz {
      for iy in 0..<cy {
        for ix in 0..<cx {
          map[ix + cx * (iy + cy * iz)] = Int32(2 * ix + nx * (2 * iy + ny * 2 * iz))
        }
      }
    }
    return HPCGLevel(level: self, coarseToFine: map)
  }

  /// Sets the diagonal (HPCG's ReplaceMatrixDiagonal): the value in the row and the copy.
  public mutating func replaceDiagonal(_ new: [Double]) {
    for row in 0..<rows {
      values[row * Self.width + Int(diagonalSlot[row])] = new[row]
    }
    diagonal = new
  }
}

/// The whole problem: the fine level, the coarse levels, b and the exact solution.
public struct HPCGProblem: Sendable {
  /// HPCG's `numberOfMgLevels`: the fine grid and three coarser ones.
  public static let levelCount = 4

  /// Fine first; every level but the last maps its coarse points to its own rows.
  public var levels: [HPCGLevel]
  public var b: [Double]
  public let exact: [Double]

  public var fine: HPCGLevel { levels[0] }

  /// Why a box is refused, or nil: each side a multiple of 8 (three halvings) and at least 16,
  /// and the shortest side at least 0.125 of the longest (HPCG's CheckAspectRatio).
  public static func refusal(nx: Int, ny: Int, nz: Int) -> String? {
    for (name, side) in [("nx", nx), ("ny", ny), ("nz", nz)] where side < 16 || side % 8 != 0 {
      return "\(name) = \(side): expected a multiple of 8 of at least 16 (three halvings for the multigrid levels)"
    }
    let ratio = Double(min(nx, ny, nz)) / Double(max(nx, ny, nz))
    if ratio < 0.125 {
      return "the box \(nx)×\(ny)×\(nz) has aspect ratio \(ratio): expected at least 0.125 (HPCG: the shape should resemble a 3-D cube)"
    }
    return nil
  }

  public init(nx: Int, ny: Int, nz: Int) {
    precondition(Self.refusal(nx: nx, ny: ny, nz: nz) == nil, "checked by the caller")
    var levels: [HPCGLevel] = []
    var (x, y, z) = (nx, ny, nz)
    for level in 0..<Self.levelCount {
      let grid = HPCGLevel(nx: x, ny: y, nz: z)
      levels.append(level < Self.levelCount - 1 ? grid.withCoarseMap() : grid)
      (x, y, z) = (x / 2, y / 2, z / 2)
    }
    self.levels = levels
    let fine = levels[0]
    // b_i = 26 − (entries − 1): A·1 = b.
    b = (0..<fine.rows).map { 26 - Double(Int(fine.counts[$0]) - 1) }
    exact = [Double](repeating: 1, count: fine.rows)
  }

  /// (3·nx − 2)(3·ny − 2)(3·nz − 2): each dimension contributes 3 neighbours per point but 2
  /// fewer at the two faces.
  public static func nonzeros(nx: Int, ny: Int, nz: Int) -> Int {
    (3 * nx - 2) * (3 * ny - 2) * (3 * nz - 2)
  }

  /// HPCG's official flop count (ReportResults) for `sets` sets of `iterations` CG iterations
  /// each, with one pre- and one post-smoothing step: DDOT and WAXPBY 2·rows per call (3 per
  /// iteration, plus one each per set), SpMV 2·nnz (one per iteration, plus one per set), and
  /// per MG level 4·nnz per smoothing step and 2·nnz for its SpMV, 4·nnz on the coarsest level.
  /// Restriction and prolongation are not counted.
  public func officialFlops(iterations: Int, sets: Int) -> Double {
    let n = Double(iterations * sets)
    let rows = Double(fine.rows)
    let nnz = levels.map { Double($0.nonzeros) }
    let ddot = (3 * n + Double(sets)) * 2 * rows
    let waxpby = ddot
    let spmv = (n + Double(sets)) * 2 * nnz[0]
    var mg = 0.0
    for level in 0..<(levels.count - 1) {
      mg += n * 4 * nnz[level] + n * 2 * nnz[level] + n * 4 * nnz[level]
    }
    mg += n * 4 * nnz[levels.count - 1]
    return ddot + waxpby + spmv + mg
  }
}
