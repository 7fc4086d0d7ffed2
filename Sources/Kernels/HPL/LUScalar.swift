/// The precisions the blocked LU runs in, with the BLAS routines it needs for each: FP64 for
/// HPL, FP32 for HPL-MxP's low-precision factorisation.
public protocol LUScalar: BinaryFloatingPoint, Sendable {
  static func gemm(
    m: Int, n: Int, k: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>,
    ldb: Int, beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
  static func trsmLowerUnit(
    m: Int, n: Int, l: UnsafePointer<Self>, ldl: Int, b: UnsafeMutablePointer<Self>, ldb: Int)
  static func iamax(n: Int, x: UnsafePointer<Self>) -> Int
  static func laswp(
    n: Int, a: UnsafeMutablePointer<Self>, lda: Int, k1: Int, k2: Int, ipiv: UnsafePointer<Int32>)
}

extension Double: LUScalar {
  @inline(__always)
  public static func gemm(
    m: Int, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
    b: UnsafePointer<Double>, ldb: Int, beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    BLAS.dgemm(
      m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
  }

  @inline(__always)
  public static func trsmLowerUnit(
    m: Int, n: Int, l: UnsafePointer<Double>, ldl: Int, b: UnsafeMutablePointer<Double>, ldb: Int
  ) {
    BLAS.dtrsmLowerUnit(m: m, n: n, l: l, ldl: ldl, b: b, ldb: ldb)
  }

  @inline(__always)
  public static func iamax(n: Int, x: UnsafePointer<Double>) -> Int { BLAS.idamax(n: n, x: x) }

  @inline(__always)
  public static func laswp(
    n: Int, a: UnsafeMutablePointer<Double>, lda: Int, k1: Int, k2: Int, ipiv: UnsafePointer<Int32>
  ) {
    BLAS.dlaswp(n: n, a: a, lda: lda, k1: k1, k2: k2, ipiv: ipiv)
  }
}

extension Float: LUScalar {
  @inline(__always)
  public static func gemm(
    m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    BLAS.sgemm(
      m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
  }

  @inline(__always)
  public static func trsmLowerUnit(
    m: Int, n: Int, l: UnsafePointer<Float>, ldl: Int, b: UnsafeMutablePointer<Float>, ldb: Int
  ) {
    BLAS.strsmLowerUnit(m: m, n: n, l: l, ldl: ldl, b: b, ldb: ldb)
  }

  @inline(__always)
  public static func iamax(n: Int, x: UnsafePointer<Float>) -> Int { BLAS.isamax(n: n, x: x) }

  @inline(__always)
  public static func laswp(
    n: Int, a: UnsafeMutablePointer<Float>, lda: Int, k1: Int, k2: Int, ipiv: UnsafePointer<Int32>
  ) {
    BLAS.slaswp(n: n, a: a, lda: lda, k1: k1, k2: k2, ipiv: ipiv)
  }
}
