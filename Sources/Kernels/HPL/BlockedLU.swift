import Measurement
import Synchronization

/// Time spent in each part of the factorisation, in thread-seconds summed over workers.
public struct LUTimes: Sendable, Equatable {
  public var panel = 0.0
  public var swaps = 0.0
  public var update = 0.0

  public init() {}

  static func + (a: LUTimes, b: LUTimes) -> LUTimes {
    var sum = LUTimes()
    sum.panel = a.panel + b.panel
    sum.swaps = a.swaps + b.swaps
    sum.update = a.update + b.update
    return sum
  }
}

public struct LUOutcome: Sendable {
  /// The first column (0-based) whose pivot was exactly zero: A is singular.
  public var singularColumn: Int?
  public var times: LUTimes
}

/// Rounds an m×n block (column-major, stride ld) in place, e.g. to FP16 values: what the
/// trailing update's GEMM inputs would be if they were stored in 16 bits.
public typealias BlockRounding<T> = @Sendable (UnsafeMutablePointer<T>, Int, Int, Int) -> Void

/// Blocked right-looking LU, P·A = L·U (or A = L·U without pivoting), in place, HPL style:
///
/// - panels of `nb` columns are factored recursively (LAPACK's dgetrf2 scheme: left half,
///   swap + trsm + gemm the right half, right half, swap back the left half);
/// - each step's trailing update is split into column chunks, each doing the row swaps of the
///   step (laswp), the U block row (trsm) and the Schur complement (gemm, where the flops are);
/// - look-ahead of depth 1: worker 0 first updates the next panel's columns and factors that
///   panel while the other workers take chunks of the rest; worker 0 then joins them. The
///   panel, latency-bound, is hidden behind the update.
///
/// Columns n ..< ncols (HPL's b) receive every row operation, so after the factorisation they
/// hold L⁻¹·P·b. Later pivots are not applied to L's columns (nothing reads L afterwards);
/// `applyLaterPivotsToL` does it when LAPACK's layout is wanted. BLAS must run single-threaded
/// (`BLAS.withThreads(1)`): the workers call it concurrently.
///
/// Without pivoting (HPL-MxP on a diagonally dominant matrix) no rows move and ipiv is filled
/// with the identity. With `rounding`, each panel's L21 and each U12 block are rounded in place
/// before the Schur-complement GEMM reads them.
public enum BlockedLU<T: LUScalar> {
  /// Factors the first n columns of the n×ncols matrix `a` (column-major, stride lda).
  /// ipiv receives n 1-based row numbers (LAPACK's convention).
  public static func factor(
    a: UnsafeMutablePointer<T>, n: Int, ncols: Int, lda: Int, nb: Int,
    ipiv: UnsafeMutablePointer<Int32>, team: ThreadTeam, pivoting: Bool = true,
    rounding: BlockRounding<T>? = nil
  ) -> LUOutcome {
    precondition(n >= 1 && ncols >= n && lda >= n && nb >= 1, "invalid LU dimensions")
    let matrix = UnsafeSendable(a)
    let pivots = UnsafeSendable(ipiv)
    let perWorker = Mutex([LUTimes](repeating: LUTimes(), count: team.size))
    let singular = Mutex<Int?>(nil)
    let panel = Panel(pivoting: pivoting, rounding: rounding)

    @Sendable func noteSingular(_ column: Int?) {
      guard let column else { return }
      singular.withLock { if $0 == nil || column < $0! { $0 = column } }
    }

    // Step -1: factor the first panel.
    team.run { worker in
      guard worker == 0 else { return }
      let start = MonotonicClock.nanoseconds()
      noteSingular(
        panel.factor(matrix.value, n: n, lda: lda, k: 0, width: min(nb, n), ipiv: pivots.value))
      perWorker.withLock { $0[0].panel += seconds(since: start) }
    }

    var k = 0
    while k < n {
      let width = min(nb, n - k)
      let nextK = k + width
      let nextWidth = min(nb, n - nextK)
      let restStart = nextK + nextWidth
      let restWidth = ncols - restStart
      let chunkWidth = max(64, (restWidth / (8 * team.size) + 15) / 16 * 16)
      let chunks = restWidth > 0 ? (restWidth + chunkWidth - 1) / chunkWidth : 0
      let claimed = Atomic<Int>(0)
      let step = k
      team.run { worker in
        var times = LUTimes()
        if worker == 0, nextWidth > 0 {
          panel.update(
            matrix.value, n: n, lda: lda, k: step, width: width, columns: nextK..<restStart,
            ipiv: pivots.value, times: &times)
          let start = MonotonicClock.nanoseconds()
          noteSingular(
            panel.factor(
              matrix.value, n: n, lda: lda, k: nextK, width: nextWidth, ipiv: pivots.value))
          times.panel += seconds(since: start)
        }
        while true {
          let chunk = claimed.add(1, ordering: .relaxed).oldValue
          guard chunk < chunks else { break }
          let lower = restStart + chunk * chunkWidth
          let upper = min(ncols, lower + chunkWidth)
          panel.update(
            matrix.value, n: n, lda: lda, k: step, width: width, columns: lower..<upper,
            ipiv: pivots.value, times: &times)
        }
        perWorker.withLock { $0[worker] = $0[worker] + times }
      }
      k = nextK
    }
    let times = perWorker.withLock { $0.reduce(LUTimes(), +) }
    return LUOutcome(singularColumn: singular.withLock { $0 }, times: times)
  }

  /// One step's work, the panel factorisation and the trailing update, with the options of
  /// the factorisation.
  struct Panel: Sendable {
    let pivoting: Bool
    let rounding: BlockRounding<T>?

    /// The trailing update of `columns` by the panel at (k, k) of `width` columns: row swaps,
    /// U12 = L11⁻¹·A12, A22 -= L21·U12. Flops: 2·(n-k-width)·width·cols for the gemm.
    func update(
      _ a: UnsafeMutablePointer<T>, n: Int, lda: Int, k: Int, width: Int, columns: Range<Int>,
      ipiv: UnsafeMutablePointer<Int32>, times: inout LUTimes
    ) {
      guard !columns.isEmpty else { return }
      let block = a + columns.lowerBound * lda
      var start = MonotonicClock.nanoseconds()
      if pivoting {
        T.laswp(n: columns.count, a: block, lda: lda, k1: k + 1, k2: k + width, ipiv: ipiv)
      }
      times.swaps += seconds(since: start)
      start = MonotonicClock.nanoseconds()
      T.trsmLowerUnit(
        m: width, n: columns.count, l: a + k + k * lda, ldl: lda, b: block + k, ldb: lda)
      rounding?(block + k, width, columns.count, lda)
      T.gemm(
        m: n - k - width, n: columns.count, k: width, alpha: -1, a: a + (k + width) + k * lda,
        lda: lda, b: block + k, ldb: lda, beta: 1, c: block + k + width, ldc: lda)
      times.update += seconds(since: start)
    }

    /// Factors the panel of `width` columns at (k, k) over rows k ..< n and stores global
    /// 1-based pivots in ipiv[k ..< k+width]. Returns the first zero-pivot column, if any.
    func factor(
      _ a: UnsafeMutablePointer<T>, n: Int, lda: Int, k: Int, width: Int,
      ipiv: UnsafeMutablePointer<Int32>
    ) -> Int? {
      let zero = recursive(m: n - k, n: width, a: a + k + k * lda, lda: lda, ipiv: ipiv + k)
      for j in 0..<width { ipiv[k + j] += Int32(k) }
      // The panel's L21 feeds every GEMM of this step.
      rounding?(a + (k + width) + k * lda, n - k - width, width, lda)
      return zero.map { $0 + k }
    }

    /// LAPACK dgetrf2's recursion on an m×n block (m ≥ n); pivots 1-based relative to the
    /// block. Returns the first zero-pivot column relative to the block.
    func recursive(
      m: Int, n: Int, a: UnsafeMutablePointer<T>, lda: Int, ipiv: UnsafeMutablePointer<Int32>
    ) -> Int? {
      if n == 1 {
        let p = pivoting ? T.iamax(n: m, x: a) : 0
        ipiv[0] = Int32(p + 1)
        let pivot = a[p]
        guard pivot != 0 else { return 0 }
        if p != 0 {
          a[p] = a[0]
          a[0] = pivot
        }
        // Multiply by the reciprocal where it is safe (LAPACK's sfmin test), else divide.
        if abs(pivot) >= T.leastNormalMagnitude {
          let inverse = 1 / pivot
          for i in 1..<m { a[i] *= inverse }
        } else {
          for i in 1..<m { a[i] /= pivot }
        }
        return nil
      }
      let n1 = min(m, n) / 2
      let n2 = n - n1
      let right = a + n1 * lda
      var zero = recursive(m: m, n: n1, a: a, lda: lda, ipiv: ipiv)
      if pivoting { T.laswp(n: n2, a: right, lda: lda, k1: 1, k2: n1, ipiv: ipiv) }
      T.trsmLowerUnit(m: n1, n: n2, l: a, ldl: lda, b: right, ldb: lda)
      T.gemm(
        m: m - n1, n: n2, k: n1, alpha: -1, a: a + n1, lda: lda, b: right, ldb: lda, beta: 1,
        c: right + n1, ldc: lda)
      let zeroRight = recursive(m: m - n1, n: n2, a: right + n1, lda: lda, ipiv: ipiv + n1)
      if zero == nil, let zeroRight { zero = zeroRight + n1 }
      let count = min(m - n1, n2)
      for j in n1..<(n1 + count) { ipiv[j] += Int32(n1) }
      if pivoting { T.laswp(n: n1, a: a, lda: lda, k1: n1 + 1, k2: n1 + count, ipiv: ipiv) }
      return zero
    }
  }

  /// Applies every panel's pivots to the L columns left of it, giving LAPACK's P·A = L·U layout
  /// (what dgetrf returns). Not needed to solve with [A | b].
  public static func applyLaterPivotsToL(
    a: UnsafeMutablePointer<T>, n: Int, lda: Int, nb: Int, ipiv: UnsafePointer<Int32>
  ) {
    var k = nb
    while k < n {
      let width = min(nb, n - k)
      T.laswp(n: k, a: a, lda: lda, k1: k + 1, k2: k + width, ipiv: ipiv)
      k += width
    }
  }
}

@inline(__always)
func seconds(since start: UInt64) -> Double {
  Double(MonotonicClock.nanoseconds() &- start) * 1e-9
}
