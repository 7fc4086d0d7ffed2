/// HPCG 3.1's problem as one rank holds it: the 27-point stencil on its box of the global grid
/// — 26 on the diagonal, −1 for every neighbour (across box faces too) —, b chosen so that the
/// exact solution is all ones, the halo (the neighbours' points its rows touch) and the coarse
/// levels of the multigrid preconditioner, each the same stencil on every box halved (not a
/// Galerkin product), with the injection map from coarse to fine points. Facts from the
/// reference code (GenerateProblem_ref, GenerateCoarseProblem, SetupHalo_ref at the hpcg
/// repository's head); the code is Suanli's.
public struct HPCGLevel: Sendable {
  /// One neighbouring rank: the local rows it needs from this one (sent), and where the
  /// values of its rows that this one needs go (after the local rows), both in the order of
  /// the global index, which each side computes alone.
  public struct Neighbour: Sendable, Equatable {
    public var rank: Int
    public var sendRows: [Int32]
    public var receiveOffset: Int
    public var receiveCount: Int
  }

  public let geometry: HPCGGeometry
  /// Up to 27 entries per row, stored 27 wide, in HPCG's order (z, then y, then x offsets, each
  /// −1...+1); columns are local rows or, from `rows` on, halo entries.
  public var values: [Double]
  public let columns: [Int32]
  public let counts: [UInt8]
  /// Where each row's diagonal sits among its entries, and its value (the spectral test
  /// scales it).
  public let diagonalSlot: [UInt8]
  public var diagonal: [Double]
  public let neighbours: [Neighbour]
  /// Local rows plus halo entries: the length of a vector a kernel reads across boxes.
  public let columnCount: Int
  /// Fine row of each coarse point (2ix, 2iy, 2iz); empty on the coarsest level.
  public var coarseToFine: [Int32] = []

  public static let width = 27

  public var rows: Int { geometry.nx * geometry.ny * geometry.nz }
  /// This rank's entries.
  public var nonzeros: Int { counts.reduce(0) { $0 + Int($1) } }

  public init(_ g: HPCGGeometry) {
    geometry = g
    let (nx, ny, nz) = (g.nx, g.ny, g.nz)
    let rows = nx * ny * nz
    // The halo: for each neighbouring rank, the points of its box within one step of this box,
    // in (z, y, x) order — its own row order, and the order it sends them in.
    var haloIndex: [Int: Int32] = [:]  // global index → local column
    var neighbours: [Neighbour] = []
    var offset = rows
    func range(_ mine: Int, _ theirs: Int, _ side: Int) -> Range<Int> {
      // Their box's points (their local coordinate) within one step of my box.
      theirs < mine ? (side - 1)..<side : theirs > mine ? 0..<1 : 0..<side
    }
    for dz in -1...1 {
      for dy in -1...1 {
        for dx in -1...1 where !(dx == 0 && dy == 0 && dz == 0) {
          let (px, py, pz) = (g.ipx + dx, g.ipy + dy, g.ipz + dz)
          guard px >= 0, px < g.npx, py >= 0, py < g.npy, pz >= 0, pz < g.npz else { continue }
          var count = 0
          for z in range(g.ipz, pz, nz) {
            for y in range(g.ipy, py, ny) {
              for x in range(g.ipx, px, nx) {
                let global = (px * nx + x) + g.gnx * ((py * ny + y) + g.gny * (pz * nz + z))
                haloIndex[global] = Int32(offset + count)
                count += 1
              }
            }
          }
          // What they need of mine: my points within one step of their box, same order.
          var send: [Int32] = []
          for z in range(pz, g.ipz, nz) {
            for y in range(py, g.ipy, ny) {
              for x in range(px, g.ipx, nx) { send.append(Int32(x + nx * (y + ny * z))) }
            }
          }
          neighbours.append(
            Neighbour(
              rank: g.rank(px: px, py: py, pz: pz), sendRows: send, receiveOffset: offset,
              receiveCount: count))
          offset += count
        }
      }
    }
    var values = [Double](repeating: 0, count: rows * Self.width)
    var columns = [Int32](repeating: 0, count: rows * Self.width)
    var counts = [UInt8](repeating: 0, count: rows)
    var diagonalSlot = [UInt8](repeating: 0, count: rows)
    for iz in 0..<nz {
      for iy in 0..<ny {
        for ix in 0..<nx {
          let row = ix + nx * (iy + ny * iz)
          let (gx, gy, gz) = (g.ipx * nx + ix, g.ipy * ny + iy, g.ipz * nz + iz)
          var count = 0
          for sz in -1...1 where gz + sz >= 0 && gz + sz < g.gnz {
            for sy in -1...1 where gy + sy >= 0 && gy + sy < g.gny {
              for sx in -1...1 where gx + sx >= 0 && gx + sx < g.gnx {
                let (x, y, z) = (ix + sx, iy + sy, iz + sz)
                let local = x >= 0 && x < nx && y >= 0 && y < ny && z >= 0 && z < nz
                let column =
                  local
                  ? Int32(x + nx * (y + ny * z))
                  : haloIndex[(gx + sx) + g.gnx * ((gy + sy) + g.gny * (gz + sz))]!
                let slot = row * Self.width + count
                columns[slot] = column
                if sx == 0 && sy == 0 && sz == 0 {
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
    self.neighbours = neighbours
    self.columnCount = offset
  }

  /// The map from the points of every box halved to this level's rows.
  mutating func mapCoarsePoints() {
    let (nx, ny) = (geometry.nx, geometry.ny)
    let (cx, cy, cz) = (geometry.nx / 2, geometry.ny / 2, geometry.nz / 2)
    var map = [Int32](repeating: 0, count: cx * cy * cz)
    for iz in 0..<cz {
      for iy in 0..<cy {
        for ix in 0..<cx {
          map[ix + cx * (iy + cy * iz)] = Int32(2 * ix + nx * (2 * iy + ny * 2 * iz))
        }
      }
    }
    coarseToFine = map
  }

  /// Sets the diagonal (HPCG's ReplaceMatrixDiagonal): the value in the row and the copy.
  public mutating func replaceDiagonal(_ new: [Double]) {
    for row in 0..<rows {
      values[row * Self.width + Int(diagonalSlot[row])] = new[row]
    }
    diagonal = new
  }

  /// The global index of local row `row` (HPCG's localToGlobalMap).
  public func globalIndex(_ row: Int) -> Int {
    let g = geometry
    let (ix, iy, iz) = (row % g.nx, (row / g.nx) % g.ny, row / (g.nx * g.ny))
    return (g.ipx * g.nx + ix) + g.gnx * ((g.ipy * g.ny + iy) + g.gny * (g.ipz * g.nz + iz))
  }
}

/// One rank's whole problem: its fine level, the coarse levels, b and the exact solution.
public struct HPCGProblem: Sendable {
  /// HPCG's `numberOfMgLevels`: the fine grid and three coarser ones.
  public static let levelCount = 4

  /// Fine first; every level but the last maps its coarse points to its own rows.
  public var levels: [HPCGLevel]
  public var b: [Double]
  public let exact: [Double]

  public var fine: HPCGLevel { levels[0] }
  public var geometry: HPCGGeometry { levels[0].geometry }

  /// Why a box is refused, or nil: each side a multiple of 8 (three halvings) of at least 16,
  /// and the shortest side at least 0.125 of the longest (HPCG's CheckAspectRatio; the process
  /// grid is checked the same way by the caller).
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

  public init(_ geometry: HPCGGeometry) {
    precondition(
      Self.refusal(nx: geometry.nx, ny: geometry.ny, nz: geometry.nz) == nil, "checked by the caller")
    var levels: [HPCGLevel] = []
    var g = geometry
    for index in 0..<Self.levelCount {
      var level = HPCGLevel(g)
      if index < Self.levelCount - 1 { level.mapCoarsePoints() }
      levels.append(level)
      g = g.coarser
    }
    self.levels = levels
    let fine = levels[0]
    // b_i = 26 − (entries − 1): A·1 = b.
    var b = [Double](repeating: 0, count: fine.rows)
    for row in b.indices { b[row] = 26 - Double(Int(fine.counts[row]) - 1) }
    self.b = b
    exact = [Double](repeating: 1, count: fine.rows)
  }

  /// (3·gx − 2)(3·gy − 2)(3·gz − 2) over the global grid: each dimension contributes 3
  /// neighbours per point but 2 fewer at its two faces.
  public static func nonzeros(gx: Int, gy: Int, gz: Int) -> Int {
    (3 * gx - 2) * (3 * gy - 2) * (3 * gz - 2)
  }

  /// HPCG's official flop count (ReportResults) for `sets` sets of `iterations` CG iterations,
  /// one pre- and one post-smoothing step, from the global rows and nonzeros of each level:
  /// DDOT and WAXPBY 2·rows per call (3 per iteration, plus one each per set), SpMV 2·nnz (one per
  /// iteration, plus one per set), and per MG level 4·nnz per smoothing step and 2·nnz for its
  /// SpMV, 4·nnz on the coarsest. Restriction and prolongation are not counted.
  public func officialFlops(iterations: Int, sets: Int) -> Double {
    HPCGModel(
      geometry: geometry, sets: sets, iterations: iterations, referenceIterations: iterations
    ).flops
  }
}
