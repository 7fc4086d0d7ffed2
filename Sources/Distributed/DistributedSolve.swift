import Communication
import Kernels

/// The back substitution U·x = y on the grid, after the factorisation left y = L⁻¹·P·b in
/// column N. From the last block to the first: the process row owning block J sums its
/// partial results over the process row onto the diagonal block's owner, which solves the
/// NB×NB triangle and broadcasts x_J down its process column; every process of that column then
/// subtracts U(rows above, J)·x_J from its partial results. Latency-bound like HPL_pdtrsv
/// ((N/NB)·(log Q + log P) messages) with N²/(P·Q) flops per rank; x ends where the residual's
/// dgemv needs it, each x_J on every process of column J mod Q.
enum DistributedSolve {
  /// This rank's entries of x: one per local column of A (global columns below N).
  static func solve(_ system: DistributedSystem, grid: ProcessGrid) throws -> [Double] {
    let n = system.n
    let nb = system.nb
    let rows = system.rows
    let columns = system.columns
    var partial = [Double](repeating: 0, count: max(1, system.mp))
    if columns.owner(of: n) == grid.myColumn {
      let b = columns.local(of: n)
      for i in 0..<system.mp { partial[i] = system[i, b] }
    }
    var x = [Double](repeating: 0, count: columns.firstLocal(atOrAfter: n))
    var piece = [Double](repeating: 0, count: nb)
    var block = [Double](repeating: 0, count: nb)
    let blocks = (n + nb - 1) / nb
    for index in stride(from: blocks - 1, through: 0, by: -1) {
      let start = index * nb
      let width = min(nb, n - start)
      let blockRow = index % grid.p
      let blockColumn = index % grid.q
      if grid.myRow == blockRow {
        let lr = rows.local(of: start)
        for i in 0..<width { piece[i] = partial[lr + i] }
        try piece.withUnsafeBytes { input in
          try block.withUnsafeMutableBytes { output in
            try grid.row.reduce(
              input.baseAddress!, output.baseAddress!, count: width, type: .float64,
              operation: .sum, root: blockColumn)
          }
        }
        if grid.myColumn == blockColumn {
          let diagonal = system.row(lr) + columns.local(of: start)
          block.withUnsafeMutableBufferPointer {
            BLAS.dtrsvUpper(
              n: width, u: diagonal, ldu: system.ld, x: $0.baseAddress!, order: .rowMajor)
          }
        }
      }
      guard grid.myColumn == blockColumn else { continue }
      try block.withUnsafeMutableBytes {
        try grid.column.broadcast($0.baseAddress!, count: width, type: .float64, root: blockRow)
      }
      let lc = columns.local(of: start)
      for i in 0..<width { x[lc + i] = block[i] }
      let above = rows.firstLocal(atOrAfter: start)
      block.withUnsafeBufferPointer { xs in
        partial.withUnsafeMutableBufferPointer { ys in
          BLAS.dgemv(
            m: above, n: width, alpha: -1, a: system.storage + lc, lda: system.ld,
            x: xs.baseAddress!, beta: 1, y: ys.baseAddress!, order: .rowMajor)
        }
      }
    }
    return x
  }

  /// The whole solution on every rank (for tests): each process of row 0 adds its entries.
  static func gather(_ x: [Double], _ system: DistributedSystem, grid: ProcessGrid) throws
    -> [Double]
  {
    var full = [Double](repeating: 0, count: system.n)
    if grid.myRow == 0 {
      for (local, value) in x.enumerated() { full[system.columns.global(of: local)] = value }
    }
    return try grid.all.allreduce(full, .sum)
  }
}

/// HPL's residual check across ranks on the regenerated [A | b]:
/// ‖Ax−b‖∞ / (ε(‖A‖∞‖x‖∞+‖b‖∞)N), each norm reduced over the grid (row sums over process rows,
/// maxima over everything). A NaN anywhere makes the residual NaN, which fails the check.
enum DistributedCheck {
  static func check(
    _ system: DistributedSystem, grid: ProcessGrid, x: [Double], team: ThreadTeam
  ) throws -> HPLCheck {
    let n = system.n
    let mp = system.mp
    let columns = system.columns
    let aColumns = columns.firstLocal(atOrAfter: n)
    let ownsB = columns.owner(of: n) == grid.myColumn
    var rowSums = [Double](repeating: 0, count: max(1, mp))
    var residual = [Double](repeating: 0, count: max(1, mp))
    var nans = 0.0
    for i in 0..<mp {
      let row = system.row(i)
      var sum = 0.0
      for local in 0..<aColumns { sum += abs(row[local]) }
      rowSums[i] = sum
    }
    x.withUnsafeBufferPointer { xs in
      residual.withUnsafeMutableBufferPointer { rs in
        BLAS.withThreads(team.size) {
          BLAS.dgemv(
            m: mp, n: aColumns, alpha: 1, a: system.storage, lda: system.ld,
            x: xs.baseAddress ?? UnsafePointer(bitPattern: 8)!, beta: 0, y: rs.baseAddress!,
            order: .rowMajor)
        }
      }
    }
    var normB = 0.0
    if ownsB {
      let local = columns.local(of: n)
      for i in 0..<mp {
        let b = system[i, local]
        residual[i] -= b
        normB = max(normB, abs(b))
        if b.isNaN { nans += 1 }
      }
    }
    let sums = try grid.row.allreduce(Array(rowSums.prefix(mp)), .sum)
    let r = try grid.row.allreduce(Array(residual.prefix(mp)), .sum)
    var normA = 0.0
    var normR = 0.0
    for value in sums { if value.isNaN { nans += 1 } else { normA = max(normA, value) } }
    for value in r { if value.isNaN { nans += 1 } else { normR = max(normR, abs(value)) } }
    var normX = 0.0
    for value in x { if value.isNaN { nans += 1 } else { normX = max(normX, abs(value)) } }
    let maxima = try grid.all.allreduce([normA, normR, normX, normB], .max)
    let anyNaN = try grid.all.allreduce(nans, .sum) > 0
    let scaled =
      anyNaN
      ? Double.nan
      : maxima[1] / (HPL.epsilon * (maxima[0] * maxima[2] + maxima[3]) * Double(n))
    return HPLCheck(
      scaledResidual: scaled, normA: maxima[0], normX: maxima[2], normB: maxima[3],
      normR: anyNaN ? .nan : maxima[1])
  }
}
