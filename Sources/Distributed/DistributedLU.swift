import Communication
import Foundation
import Kernels
import Measurement
import Synchronization

/// Options of the distributed factorisation, in HPL's terms.
public struct DistributedLUOptions: Sendable, Equatable {
  /// Look-ahead depth: 0, or 1 (the next panel is factored and sent while the rest of the
  /// trailing matrix is updated).
  public var depth: Int
  public var broadcast: PanelBroadcast

  public init(depth: Int = 1, broadcast: PanelBroadcast = .ringModified) {
    self.depth = depth
    self.broadcast = broadcast
  }
}

/// Where one rank's factorisation time went (wall seconds of this rank).
public struct DistributedLUTimes: Sendable, Equatable, Codable {
  /// Panel factorisation, its pivot exchanges included.
  public var panel = 0.0
  /// Waiting at the end of a step for the next panel to arrive (and to be passed on).
  public var broadcastWait = 0.0
  /// Row interchanges and the gathering of U across the process column.
  public var swap = 0.0
  /// Triangular solve and GEMM of the trailing update (busy time per worker, averaged).
  public var update = 0.0

  public init() {}
}

/// HPL 2.3's right-looking LU with partial pivoting on a P×Q grid, over a `Communicator`:
///
/// - panels of NB columns are copied out of the row-major A into a column-major buffer and
///   factored there by their process column with a recursive (LAPACK dgetrf2) scheme (L is
///   not needed in A afterwards: the solve uses U and the transformed b); the NB×NB top block
///   is replicated on every process of the column (HPL's L1), and each column's pivot is
///   chosen from every process's candidate by one allgather (largest |value|, then the lower
///   global row: the same winner on every rank);
/// - the panel (its rows of L, L1, the pivots, a singularity flag) travels along process rows
///   (`PanelBroadcast`);
/// - each step's U block row reaches every process of a column and each displaced row the
///   process that owns its new place, point to point (`exchangeRows`), whole contiguous rows
///   of the row-major A; U is solved with L1 redundantly; the trailing matrix is updated in
///   column chunks by the rank's thread team, OpenBLAS single-threaded in each worker;
/// - with look-ahead depth 1, worker 0 of the next panel's process column updates those columns
///   first, factors the panel and sends it while the other workers update the rest; worker 0
///   then joins them and, between chunks, receives and forwards the broadcast (HPL probes the
///   same way). Only one thread at a time communicates.
///
/// Column N (b) receives every row operation, so afterwards it holds L⁻¹·P·b, as in HPL.
public final class DistributedLU: @unchecked Sendable {
  let system: DistributedSystem
  let grid: ProcessGrid
  let team: ThreadTeam
  let options: DistributedLUOptions
  let slots: [PanelSlot]
  /// U of a step, transposed (trailing local columns × jb), and the exchange buffers, for P > 1.
  let u: UnsafeMutablePointer<Double>
  let exchangeOut: UnsafeMutablePointer<Double>
  let exchangeIn: UnsafeMutablePointer<Double>
  public private(set) var times = DistributedLUTimes()
  /// The first global column whose pivot was exactly zero (A is singular), on every rank.
  public private(set) var singularColumn: Int? = nil
  private let busy: Mutex<[Double]>

  var nb: Int { system.nb }
  var n: Int { system.n }

  public init(
    system: DistributedSystem, grid: ProcessGrid, team: ThreadTeam, options: DistributedLUOptions
  ) {
    self.system = system
    self.grid = grid
    self.team = team
    self.options = options
    slots = [PanelSlot(rows: system.mp, nb: system.nb), PanelSlot(rows: system.mp, nb: system.nb)]
    let uCount = max(1, system.nb * system.nq)
    u = .allocate(capacity: uCount)
    exchangeOut = .allocate(capacity: 2 * uCount)
    exchangeIn = .allocate(capacity: 2 * uCount + system.nb * system.nq)
    busy = Mutex([Double](repeating: 0, count: team.size))
  }

  deinit {
    u.deallocate()
    exchangeOut.deallocate()
    exchangeIn.deallocate()
  }

  /// The shape of step `k`: its panel width, the owners of its panel, and this rank's rows of L.
  struct Step {
    let k: Int
    let jb: Int
    /// The process column holding the panel, and the process row holding its top block.
    let column: Int
    let row: Int
    /// This rank's first local row below the top block, and how many rows of L it holds.
    let r0: Int
    let mL: Int
    /// This rank's first local trailing column (global column k + jb or later).
    let trailing: Int
  }

  func step(_ k: Int) -> Step {
    let jb = min(nb, n - k)
    let r0 = system.rows.firstLocal(atOrAfter: k + jb)
    return Step(
      k: k, jb: jb, column: (k / nb) % grid.q, row: (k / nb) % grid.p, r0: r0,
      mL: system.mp - r0, trailing: system.columns.firstLocal(atOrAfter: k + jb))
  }

  /// Factors the first N columns of [A | b]. Collective over the grid.
  public func factor() throws {
    try BLAS.withThreads(1) {
      if options.depth == 0 {
        try factorWithoutLookAhead()
      } else {
        try factorWithLookAhead()
      }
    }
    let busyTimes = busy.withLock { $0 }
    times.update = busyTimes.reduce(0, +) / Double(team.size)
  }

  /// Depth 0: factor, broadcast, update, one step after the other.
  private func factorWithoutLookAhead() throws {
    var k = 0
    var index = 0
    while k < n {
      let s = step(k)
      let slot = slots[index % 2]
      let transfer = try panelTransfer(s, slot: slot, tag: 100 + index % 2)
      try transfer.post()
      if grid.myColumn == s.column {
        try timed(\.panel) { try factorPanel(s, slot: slot) }
        try transfer.send()
      }
      try timed(\.broadcastWait) { try transfer.finish() }
      try absorb(s, slot: slot)
      try update(s, slot: slot, lookAhead: nil)
      k += s.jb
      index += 1
    }
  }

  /// Depth 1: the next panel is factored and sent during this step's update.
  private func factorWithLookAhead() throws {
    var s = step(0)
    var index = 0
    let first = try panelTransfer(s, slot: slots[0], tag: 100)
    try first.post()
    if grid.myColumn == s.column {
      try timed(\.panel) { try factorPanel(s, slot: slots[0]) }
      try first.send()
    }
    try timed(\.broadcastWait) { try first.finish() }
    try absorb(s, slot: slots[0])
    while s.k < n {
      let slot = slots[index % 2]
      let nextK = s.k + s.jb
      var lookAhead: LookAhead? = nil
      if nextK < n {
        let next = step(nextK)
        let nextSlot = slots[(index + 1) % 2]
        let transfer = try panelTransfer(next, slot: nextSlot, tag: 100 + (index + 1) % 2)
        try transfer.post()
        lookAhead = LookAhead(step: next, slot: nextSlot, transfer: transfer)
      }
      try update(s, slot: slot, lookAhead: lookAhead)
      guard let lookAhead else { break }
      try timed(\.broadcastWait) { try lookAhead.transfer.finish() }
      try absorb(lookAhead.step, slot: lookAhead.slot)
      s = lookAhead.step
      index += 1
    }
  }

  /// The next panel, factored by worker 0 of its process column during this step's update.
  struct LookAhead {
    let step: Step
    let slot: PanelSlot
    let transfer: PanelTransfer
  }

  private func panelTransfer(_ s: Step, slot: PanelSlot, tag: Int) throws -> PanelTransfer {
    PanelTransfer(
      grid.row, root: s.column, kind: options.broadcast, buffer: slot.buffer,
      count: slot.count(mL: s.mL, jb: s.jb), tag: tag)
  }

  /// Notes the panel's singularity flag (every rank receives every panel), where its rows of L
  /// are to be read and, for P = 1, the pivots as laswp numbers them.
  private func absorb(_ s: Step, slot: PanelSlot) throws {
    slot.lower = (UnsafePointer(slot.l2), max(1, s.mL))
    if grid.p == 1 {
      let pivots = slot.pivots(mL: s.mL, jb: s.jb)
      slot.swaps = (0..<s.jb).map { Int32(Int(pivots[$0]) - s.k + 1) }
    }
    let flag = slot.info(mL: s.mL, jb: s.jb).pointee
    if flag >= 0 {
      let column = Int(flag)
      singularColumn = min(singularColumn ?? column, column)
    }
  }

  /// The trailing update of step `s`: row interchanges and U (exchanged across the process
  /// column when P > 1), then U = L1⁻¹·U and A22 −= L2·U in column chunks. With a look-ahead,
  /// worker 0 of the next panel's column first updates the next panel's columns, factors the
  /// panel and sends it; every worker 0 progresses the broadcast between its chunks.
  private func update(_ s: Step, slot: PanelSlot, lookAhead: LookAhead?) throws {
    let nq = system.nq
    guard s.trailing < nq || lookAhead != nil else { return }
    if grid.p > 1, s.trailing < nq {
      try timed(\.swap) { try exchangeRows(s, slot: slot) }
    }
    var firstChunkColumn = s.trailing
    var ownsNextPanel = false
    if let lookAhead, grid.myColumn == lookAhead.step.column {
      ownsNextPanel = true
      firstChunkColumn = min(nq, s.trailing + lookAhead.step.jb)
    }
    let width = nq - firstChunkColumn
    // Chunks balance the team's workers and let worker 0 progress the broadcast between them;
    // one worker with no broadcast to progress (Q = 1) updates in one piece.
    let pieces = team.size > 1 ? 8 * team.size : (grid.q > 1 ? 4 : 1)
    let chunkWidth = max(64, (width / pieces + 15) / 16 * 16)
    let chunks = width > 0 ? (width + chunkWidth - 1) / chunkWidth : 0
    let claimed = Atomic<Int>(0)
    let failure = Mutex<Error?>(nil)
    let panelSeconds = Mutex(0.0)
    team.run { worker in
      var seconds = 0.0
      do {
        if worker == 0, ownsNextPanel, let lookAhead {
          seconds += measure {
            updateChunk(s, slot: slot, columns: s.trailing..<firstChunkColumn)
          }
          let start = MonotonicClock.nanoseconds()
          try factorPanel(lookAhead.step, slot: lookAhead.slot)
          try lookAhead.transfer.send()
          panelSeconds.withLock { $0 += elapsed(since: start) }
        }
        while true {
          if worker == 0, let lookAhead { try lookAhead.transfer.progress() }
          let chunk = claimed.add(1, ordering: .relaxed).oldValue
          guard chunk < chunks else { break }
          let lower = firstChunkColumn + chunk * chunkWidth
          let upper = min(nq, lower + chunkWidth)
          seconds += measure { updateChunk(s, slot: slot, columns: lower..<upper) }
        }
      } catch {
        failure.withLock { if $0 == nil { $0 = error } }
      }
      busy.withLock { $0[worker] += seconds }
    }
    times.panel += panelSeconds.withLock { $0 }
    if let error = failure.withLock({ $0 }) { throw error }
  }

  /// U = L1⁻¹·U and A22 −= L2·U for the local columns `columns` (and, when P = 1, their row
  /// interchanges first: all rows are local). A is row-major, so in the column-major view the
  /// BLAS calls take, U's rows are Uᵀ (columns × jb) and A22 is A22ᵀ: Uᵀ = Uᵀ·L1⁻ᵀ, then
  /// A22ᵀ −= Uᵀ·L2ᵀ.
  func updateChunk(_ s: Step, slot: PanelSlot, columns: Range<Int>) {
    guard !columns.isEmpty else { return }
    let ld = system.ld
    let c0 = columns.lowerBound
    let count = columns.count
    let l1 = slot.l1(mL: s.mL, jb: s.jb)
    let (l2, l2ld) = slot.lower
    let top: UnsafeMutablePointer<Double>
    let topLD: Int
    if grid.p == 1 {
      // LAPACK's laswp order on rows k ..< k+jb (pivots 1-based, relative to row k): each
      // interchange swaps two contiguous pieces of rows.
      for j in 0..<s.jb {
        let other = Int(slot.swaps[j]) - 1
        guard other != j else { continue }
        let a = system.row(s.k + j) + c0
        let b = system.row(s.k + other) + c0
        for c in 0..<count { swap(&a[c], &b[c]) }
      }
      top = system.row(s.k) + c0
      topLD = ld
    } else {
      // The exchanged U, nt × jb with leading dimension nt.
      topLD = system.nq - s.trailing
      top = u + (c0 - s.trailing)
    }
    BLAS.dtrsmRightLowerTransposedUnit(m: count, n: s.jb, l: l1, ldl: s.jb, b: top, ldb: topLD)
    if grid.p > 1, grid.myRow == s.row {
      // U into its rows of A (row t of U is column t of Uᵀ: contiguous on both sides).
      let t0 = system.rows.local(of: s.k)
      for t in 0..<s.jb { (system.row(t0 + t) + c0).update(from: top + t * topLD, count: count) }
    }
    BLAS.dgemmNT(
      m: count, n: s.mL, k: s.jb, alpha: -1, a: top, lda: topLD, b: l2, ldb: l2ld, beta: 1,
      c: system.row(s.r0) + c0, ldc: ld)
  }

  private func timed(
    _ phase: WritableKeyPath<DistributedLUTimes, Double>, _ body: () throws -> Void
  )
    rethrows
  {
    let start = MonotonicClock.nanoseconds()
    defer { times[keyPath: phase] += elapsed(since: start) }
    try body()
  }
}

@inline(__always)
func elapsed(since start: UInt64) -> Double {
  Double(MonotonicClock.nanoseconds() &- start) * 1e-9
}

@inline(__always)
func measure(_ body: () -> Void) -> Double {
  let start = MonotonicClock.nanoseconds()
  body()
  return elapsed(since: start)
}

/// A panel as it travels: this process row's rows of L (mL × jb, contiguous), the replicated
/// top block L1 (jb × jb), the jb pivots (global rows) and a singularity flag (the first
/// zero-pivot column, or −1), one message.
final class PanelSlot: @unchecked Sendable {
  let buffer: UnsafeMutablePointer<Double>
  let capacity: Int
  /// Where this step's rows of L are read from and their leading dimension: the buffer, where
  /// the panel's own process column factored them and the others received them.
  var lower: (UnsafePointer<Double>, Int) = (UnsafePointer(bitPattern: 8)!, 1)
  /// P = 1: the step's pivots as laswp wants them, 1-based and relative to the panel's top row.
  var swaps: [Int32] = []

  init(rows: Int, nb: Int) {
    capacity = rows * nb + nb * nb + nb + 1
    buffer = .allocate(capacity: capacity)
    buffer.initialize(repeating: 0, count: capacity)
  }

  deinit { buffer.deallocate() }

  var l2: UnsafeMutablePointer<Double> { buffer }
  func l1(mL: Int, jb: Int) -> UnsafeMutablePointer<Double> { buffer + mL * jb }
  func pivots(mL: Int, jb: Int) -> UnsafeMutablePointer<Double> { buffer + mL * jb + jb * jb }
  func info(mL: Int, jb: Int) -> UnsafeMutablePointer<Double> { pivots(mL: mL, jb: jb) + jb }
  func count(mL: Int, jb: Int) -> Int { mL * jb + jb * jb + jb + 1 }
}
