import COpenBLAS

/// The BLAS library linked in (the one gateway to COpenBLAS): thin, typed wrappers over the
/// column-major FP64 routines the kernels use.
public enum BLAS {
  /// OpenBLAS's build description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64".
  public static var configuration: String {
    guard let text = openblas_get_config() else { return "OpenBLAS (unknown build)" }
    let core = openblas_get_corename().map { String(cString: $0) } ?? "?"
    return "\(String(cString: text)) (core \(core))"
  }

  public static var threads: Int { Int(openblas_get_num_threads()) }

  /// Runs `body` with OpenBLAS using `count` threads, then restores the previous count. Kernels
  /// that parallelise themselves call BLAS with 1 thread from each of their workers.
  public static func withThreads<T>(_ count: Int, _ body: () throws -> T) rethrows -> T {
    let previous = openblas_get_num_threads()
    openblas_set_num_threads(Int32(count))
    defer { openblas_set_num_threads(previous) }
    return try body()
  }

  /// C = alpha·A·B + beta·C (column-major, no transposes): A is m×k, B k×n, C m×n.
  @inline(__always)
  public static func dgemm(
    m: Int, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
    b: UnsafePointer<Double>, ldb: Int, beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    cblas_dgemm(
      CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), alpha, a,
      Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  /// B = L⁻¹·B with L m×m unit lower triangular (column-major), B m×n.
  @inline(__always)
  public static func dtrsmLowerUnit(
    m: Int, n: Int, l: UnsafePointer<Double>, ldl: Int, b: UnsafeMutablePointer<Double>, ldb: Int
  ) {
    guard m > 0, n > 0 else { return }
    cblas_dtrsm(
      CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasUnit, Int32(m), Int32(n), 1, l,
      Int32(ldl), b, Int32(ldb))
  }

  /// C = alpha·A·Bᵀ + beta·C (column-major): A is m×k, B n×k, C m×n (HPL's transposed U).
  @inline(__always)
  public static func dgemmNT(
    m: Int, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
    b: UnsafePointer<Double>, ldb: Int, beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    cblas_dgemm(
      CblasColMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), alpha, a,
      Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  /// B = B·L⁻ᵀ with L n×n unit lower triangular, B m×n (column-major): U = L⁻¹·U done on Uᵀ.
  @inline(__always)
  public static func dtrsmRightLowerTransposedUnit(
    m: Int, n: Int, l: UnsafePointer<Double>, ldl: Int, b: UnsafeMutablePointer<Double>, ldb: Int
  ) {
    guard m > 0, n > 0 else { return }
    cblas_dtrsm(
      CblasColMajor, CblasRight, CblasLower, CblasTrans, CblasUnit, Int32(m), Int32(n), 1, l,
      Int32(ldl), b, Int32(ldb))
  }

  /// How a matrix argument is stored: columns contiguous (BLAS's own order) or rows.
  public enum Order: Sendable {
    case columnMajor
    case rowMajor

    var cblas: CBLAS_ORDER { self == .columnMajor ? CblasColMajor : CblasRowMajor }
  }

  /// x = U⁻¹·x with U n×n upper triangular, non-unit diagonal.
  public static func dtrsvUpper(
    n: Int, u: UnsafePointer<Double>, ldu: Int, x: UnsafeMutablePointer<Double>,
    order: Order = .columnMajor
  ) {
    guard n > 0 else { return }
    cblas_dtrsv(
      order.cblas, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(n), u, Int32(ldu), x, 1)
  }

  /// y = alpha·A·x + beta·y, A m×n.
  public static func dgemv(
    m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int, x: UnsafePointer<Double>,
    beta: Double, y: UnsafeMutablePointer<Double>, order: Order = .columnMajor
  ) {
    guard m > 0, n > 0 else { return }
    cblas_dgemv(
      order.cblas, CblasNoTrans, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
  }

  /// Index (0-based) of the first element of largest magnitude among n, stride 1.
  @inline(__always)
  public static func idamax(n: Int, x: UnsafePointer<Double>) -> Int {
    n > 0 ? Int(cblas_idamax(Int32(n), x, 1)) : 0
  }

  /// A = A + alpha·x·yᵀ, A m×n column-major, x stride 1, y stride incy.
  @inline(__always)
  public static func dger(
    m: Int, n: Int, alpha: Double, x: UnsafePointer<Double>, y: UnsafePointer<Double>, incy: Int,
    a: UnsafeMutablePointer<Double>, lda: Int
  ) {
    guard m > 0, n > 0 else { return }
    cblas_dger(CblasColMajor, Int32(m), Int32(n), alpha, x, 1, y, Int32(incy), a, Int32(lda))
  }

  /// Applies the row interchanges ipiv[k1-1 ..< k2] (1-based row numbers, LAPACK's
  /// convention) to the n columns of A.
  @inline(__always)
  public static func dlaswp(
    n: Int, a: UnsafeMutablePointer<Double>, lda: Int, k1: Int, k2: Int, ipiv: UnsafePointer<Int32>
  ) {
    guard n > 0, k2 >= k1 else { return }
    var n32 = Int32(n)
    var lda32 = Int32(lda)
    var k1_32 = Int32(k1)
    var k2_32 = Int32(k2)
    var inc: Int32 = 1
    dlaswp_(&n32, a, &lda32, &k1_32, &k2_32, ipiv, &inc)
  }

  /// C = alpha·A·B + beta·C in FP32 (column-major, no transposes).
  @inline(__always)
  public static func sgemm(
    m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    cblas_sgemm(
      CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), alpha, a,
      Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  /// B = L⁻¹·B in FP32, L unit lower triangular.
  @inline(__always)
  public static func strsmLowerUnit(
    m: Int, n: Int, l: UnsafePointer<Float>, ldl: Int, b: UnsafeMutablePointer<Float>, ldb: Int
  ) {
    guard m > 0, n > 0 else { return }
    cblas_strsm(
      CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasUnit, Int32(m), Int32(n), 1, l,
      Int32(ldl), b, Int32(ldb))
  }

  /// x = L⁻¹·x (unit lower) then U⁻¹·x (upper): the two triangular solves of an FP32 LU.
  public static func strsvLU(
    n: Int, lu: UnsafePointer<Float>, ld: Int, x: UnsafeMutablePointer<Float>
  ) {
    guard n > 0 else { return }
    cblas_strsv(CblasColMajor, CblasLower, CblasNoTrans, CblasUnit, Int32(n), lu, Int32(ld), x, 1)
    cblas_strsv(
      CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(n), lu, Int32(ld), x, 1)
  }

  @inline(__always)
  public static func isamax(n: Int, x: UnsafePointer<Float>) -> Int {
    n > 0 ? Int(cblas_isamax(Int32(n), x, 1)) : 0
  }

  @inline(__always)
  public static func slaswp(
    n: Int, a: UnsafeMutablePointer<Float>, lda: Int, k1: Int, k2: Int, ipiv: UnsafePointer<Int32>
  ) {
    guard n > 0, k2 >= k1 else { return }
    var n32 = Int32(n)
    var lda32 = Int32(lda)
    var k1_32 = Int32(k1)
    var k2_32 = Int32(k2)
    var inc: Int32 = 1
    slaswp_(&n32, a, &lda32, &k1_32, &k2_32, ipiv, &inc)
  }

  /// LAPACK's dgetrf (OpenBLAS's): the cross-check for our LU in tests. Returns LAPACK's info.
  public static func dgetrf(
    m: Int, n: Int, a: UnsafeMutablePointer<Double>, lda: Int, ipiv: UnsafeMutablePointer<Int32>
  ) -> Int {
    var m32 = Int32(m)
    var n32 = Int32(n)
    var lda32 = Int32(lda)
    var info: Int32 = 0
    dgetrf_(&m32, &n32, a, &lda32, ipiv, &info)
    return Int(info)
  }
}
