import Communication
import Kernels

extension DistributedLU {
  /// What the recursive panel factorisation works on: W, the replicated top block (jb × jb,
  /// leading dimension jb), this rank's rows of L (mL rows, column-major with leading
  /// dimension ld, in the panel's slot), and the pivot records exchanged per column.
  struct Panel {
    let s: Step
    let w: UnsafeMutablePointer<Double>
    let l: UnsafeMutablePointer<Double>
    let ld: Int
    /// One candidate per process of the column: [value, global row, its jb entries].
    let record: UnsafeMutablePointer<Double>
    let records: UnsafeMutablePointer<Double>
    let saved: UnsafeMutablePointer<Double>
    var pivots: [Int]
    var singular: Int? = nil

    var recordLength: Int { 2 + s.jb }
  }

  /// Factors step `s`'s panel on its process column, in its slot: this rank's rows of L
  /// (column-major, mL × jb) and the top block W are copied out of the row-major A, factored
  /// there (the slot is what the broadcast sends), and W, [L1\U1], is written back to the top
  /// block's rows. Collective over the process column.
  func factorPanel(_ s: Step, slot: PanelSlot) throws {
    let jb = s.jb
    let lc = system.columns.local(of: s.k)
    let w = slot.l1(mL: s.mL, jb: jb)
    let l = slot.l2
    let ldl = max(1, s.mL)
    let t0 = grid.myRow == s.row ? system.rows.local(of: s.k) : 0
    /// Local rows `first ..< first + count` of the panel's columns into `out`, column-major.
    func copyOut(rows first: Int, count: Int, into out: UnsafeMutablePointer<Double>, ld: Int) {
      for i in 0..<count {
        let source = system.row(first + i) + lc
        for c in 0..<jb { out[i + c * ld] = source[c] }
      }
    }
    if grid.myRow == s.row { copyOut(rows: t0, count: jb, into: w, ld: jb) }
    copyOut(rows: s.r0, count: s.mL, into: l, ld: ldl)
    if grid.p > 1 { try grid.column.broadcast(w, count: jb * jb, type: .float64, root: s.row) }
    let length = 2 + jb
    let record = UnsafeMutablePointer<Double>.allocate(capacity: length)
    let records = UnsafeMutablePointer<Double>.allocate(capacity: length * grid.p)
    let saved = UnsafeMutablePointer<Double>.allocate(capacity: jb)
    defer {
      record.deallocate()
      records.deallocate()
      saved.deallocate()
    }
    var panel = Panel(
      s: s, w: w, l: l, ld: ldl, record: record, records: records, saved: saved,
      pivots: [Int](repeating: 0, count: jb))
    try factorColumns(&panel, from: 0, width: jb)
    if grid.myRow == s.row {
      for r in 0..<jb {
        let target = system.row(t0 + r) + lc
        for c in 0..<jb { target[c] = w[r + c * jb] }
      }
    }
    let pivots = slot.pivots(mL: s.mL, jb: jb)
    for j in 0..<jb { pivots[j] = Double(panel.pivots[j]) }
    slot.info(mL: s.mL, jb: jb).pointee = Double(panel.singular ?? -1)
  }

  /// LAPACK dgetrf2's recursion over panel columns [c0, c0 + width): the left half, then
  /// U12 = L11⁻¹·A12 and the Schur complement of the right half (in W and in the local rows of
  /// L), then the right half. Row interchanges are applied across the whole panel width at
  /// once, which is what dgetrf2's later laswp calls add up to.
  func factorColumns(_ panel: inout Panel, from c0: Int, width: Int) throws {
    if width == 1 {
      try pivotColumn(&panel, c0)
      return
    }
    let n1 = width / 2
    let n2 = width - n1
    let jb = panel.s.jb
    let w = panel.w
    try factorColumns(&panel, from: c0, width: n1)
    let right = w + (c0 + n1) * jb
    BLAS.dtrsmLowerUnit(m: n1, n: n2, l: w + c0 + c0 * jb, ldl: jb, b: right + c0, ldb: jb)
    BLAS.dgemm(
      m: jb - c0 - n1, n: n2, k: n1, alpha: -1, a: w + (c0 + n1) + c0 * jb, lda: jb,
      b: right + c0, ldb: jb, beta: 1, c: right + c0 + n1, ldc: jb)
    BLAS.dgemm(
      m: panel.s.mL, n: n2, k: n1, alpha: -1, a: panel.l + c0 * panel.ld, lda: panel.ld,
      b: right + c0, ldb: jb, beta: 1, c: panel.l + (c0 + n1) * panel.ld, ldc: panel.ld)
    try factorColumns(&panel, from: c0 + n1, width: n2)
  }

  /// One column's pivot: every process offers its largest |entry| below the diagonal (and W its
  /// own), the records are allgathered over the process column, and every process picks the
  /// same winner — the largest |value|, then the lower global row (HPL's rule; W's rows are the
  /// lowest). The winning row is swapped into W's row j across the panel width, the column is
  /// scaled by the pivot.
  func pivotColumn(_ panel: inout Panel, _ j: Int) throws {
    let s = panel.s
    let jb = s.jb
    let w = panel.w
    let l = panel.l
    let ld = panel.ld
    let wi = j + BLAS.idamax(n: jb - j, x: w + j + j * jb)
    var bestValue = w[wi + j * jb]
    var bestRow = s.k + wi
    var bestEntries: UnsafePointer<Double>? = nil
    var localIndex = -1
    if s.mL > 0 { localIndex = BLAS.idamax(n: s.mL, x: l + j * ld) }
    if grid.p > 1 {
      let record = panel.record
      record[0] = localIndex >= 0 ? l[localIndex + j * ld] : 0
      record[1] = localIndex >= 0 ? Double(system.rows.global(of: s.r0 + localIndex)) : -1
      for c in 0..<jb { record[2 + c] = localIndex >= 0 ? l[localIndex + c * ld] : 0 }
      try grid.column.allgather(
        record, count: panel.recordLength, type: .float64, into: panel.records)
      for process in 0..<grid.p {
        let candidate = panel.records + process * panel.recordLength
        let row = Int(candidate[1])
        guard row >= 0 else { continue }
        if abs(candidate[0]) > abs(bestValue)
          || (abs(candidate[0]) == abs(bestValue) && row < bestRow)
        {
          bestValue = candidate[0]
          bestRow = row
          bestEntries = UnsafePointer(candidate + 2)
        }
      }
    } else if localIndex >= 0, abs(l[localIndex + j * ld]) > abs(bestValue) {
      bestValue = l[localIndex + j * ld]
      bestRow = s.k + jb + localIndex
    }
    if bestRow < s.k + jb {
      let other = bestRow - s.k
      if other != j {
        for c in 0..<jb { swap(&w[j + c * jb], &w[other + c * jb]) }
      }
    } else {
      let saved = panel.saved
      for c in 0..<jb { saved[c] = w[j + c * jb] }
      let mine = system.rows.owner(of: bestRow) == grid.myRow
      let li = mine ? system.rows.local(of: bestRow) - s.r0 : 0
      if let bestEntries {
        for c in 0..<jb { w[j + c * jb] = bestEntries[c] }
      } else {
        for c in 0..<jb { w[j + c * jb] = l[li + c * ld] }
      }
      if mine {
        for c in 0..<jb { l[li + c * ld] = saved[c] }
      }
    }
    panel.pivots[j] = bestRow
    let pivot = w[j + j * jb]
    guard pivot != 0 else {
      if panel.singular == nil { panel.singular = s.k + j }
      return
    }
    // Multiply by the reciprocal where it is safe (LAPACK's sfmin test), else divide.
    if abs(pivot) >= Double.leastNormalMagnitude {
      let inverse = 1 / pivot
      for i in (j + 1)..<max(j + 1, jb) { w[i + j * jb] *= inverse }
      for i in 0..<s.mL { l[i + j * ld] *= inverse }
    } else {
      for i in (j + 1)..<max(j + 1, jb) { w[i + j * jb] /= pivot }
      for i in 0..<s.mL { l[i + j * ld] /= pivot }
    }
  }

  /// P > 1: the row interchanges of step `s` for this rank's trailing columns. The pivot
  /// sequence is turned into a permutation of the rows involved; U's rows (the final top jb
  /// rows) come from wherever their source rows live, and the top block's rows that move out go
  /// to the rows they replace. Every process of the column sends the U rows it holds to every
  /// other (each then holds U, stored transposed, nt × jb, and solves it with L1 itself); the
  /// top block's owner sends each displaced row only to the process that owns its new place,
  /// and moves its own displaced rows in place, without a buffer. A is row-major: every row
  /// moved is nt contiguous values.
  func exchangeRows(_ s: Step, slot: PanelSlot) throws {
    let jb = s.jb
    let nt = system.nq - s.trailing
    let rows = system.rows
    let me = grid.myRow
    let column = grid.column
    let pivots = slot.pivots(mL: s.mL, jb: jb)
    var permutation: [Int: Int] = [:]
    for j in 0..<jb {
      let a = s.k + j
      let b = Int(pivots[j])
      guard a != b else { continue }
      let va = permutation[a] ?? a
      let vb = permutation[b] ?? b
      permutation[a] = vb
      permutation[b] = va
    }
    let sources = (0..<jb).map { permutation[s.k + $0] ?? (s.k + $0) }
    // A row below the top block that changes receives a row of the top block (a swap only ever
    // moves a top-block row down), held by the top block's owner.
    let displaced = permutation.keys.filter { $0 >= s.k + jb }.sorted()
    var topRowsOf = [[Int]](repeating: [], count: grid.p)
    for (t, source) in sources.enumerated() { topRowsOf[rows.owner(of: source)].append(t) }
    var displacedOf = [[Int]](repeating: [], count: grid.p)
    for row in displaced { displacedOf[rows.owner(of: row)].append(row) }
    /// Local row `local` from the first trailing column.
    func trailingRow(_ local: Int) -> UnsafeMutablePointer<Double> {
      system.row(local) + s.trailing
    }
    let tag = 200

    // Receives first: U's rows from every other process, displaced rows from the top block's.
    var receiveOffset = 0
    var arrivingU: [(process: Int, offset: Int)] = []
    var requests: [CommunicationRequest] = []
    for process in 0..<grid.p where process != me && !topRowsOf[process].isEmpty {
      let count = topRowsOf[process].count * nt
      requests.append(
        try column.startReceive(
          exchangeIn + receiveOffset, count: count, type: .float64, from: process, tag: tag))
      arrivingU.append((process, receiveOffset))
      receiveOffset += count
    }
    let arrivingDisplaced = exchangeIn + receiveOffset
    if me != s.row, !displacedOf[me].isEmpty {
      requests.append(
        try column.startReceive(
          arrivingDisplaced, count: displacedOf[me].count * nt, type: .float64, from: s.row,
          tag: tag + 1))
    }

    // This process's rows of U, then (on the top block's owner) the displaced rows for each
    // other process, all gathered before any row of A is overwritten.
    var gathered = topRowsOf[me].map { rows.local(of: sources[$0]) }
    var displacedOffset: [Int: Int] = [:]
    if me == s.row {
      for process in 0..<grid.p where process != me && !displacedOf[process].isEmpty {
        displacedOffset[process] = gathered.count * nt
        gathered += displacedOf[process].map { rows.local(of: permutation[$0]!) }
      }
    }
    for (index, local) in gathered.enumerated() {
      (exchangeOut + index * nt).update(from: trailingRow(local), count: nt)
    }
    var sends: [CommunicationRequest] = []
    if !topRowsOf[me].isEmpty {
      for process in 0..<grid.p where process != me {
        sends.append(
          try column.startSend(
            exchangeOut, count: topRowsOf[me].count * nt, type: .float64, to: process, tag: tag))
      }
    }
    for (process, offset) in displacedOffset.sorted(by: { $0.key < $1.key }) {
      sends.append(
        try column.startSend(
          exchangeOut + offset, count: displacedOf[process].count * nt, type: .float64,
          to: process, tag: tag + 1))
    }
    // U is kept transposed (HPL's default): row t of U is column t of Uᵀ, nt contiguous
    // values, so each row is one contiguous copy.
    for (index, t) in topRowsOf[me].enumerated() {
      (u + t * nt).update(from: exchangeOut + index * nt, count: nt)
    }
    if me == s.row {
      // Displaced rows that stay on this process: top-block row to its new place, directly.
      for row in displacedOf[me] {
        trailingRow(rows.local(of: row)).update(
          from: trailingRow(rows.local(of: permutation[row]!)), count: nt)
      }
    }
    for request in requests { try request.wait() }
    for (process, offset) in arrivingU {
      for (index, t) in topRowsOf[process].enumerated() {
        (u + t * nt).update(from: exchangeIn + offset + index * nt, count: nt)
      }
    }
    if me != s.row {
      for (index, row) in displacedOf[me].enumerated() {
        trailingRow(rows.local(of: row)).update(from: arrivingDisplaced + index * nt, count: nt)
      }
    }
    for request in sends { try request.wait() }
  }
}
