/// The flops a benchmark is credited with, whatever its algorithm did: the work model that
/// rates and their audits (`suanli verify` recomputes rates from samples) share.
public enum FlopCount {
  /// HPL and HPL-MxP: (2/3)n³ + (3/2)n² (LU factorisation + the two triangular solves).
  public static func hpl(n: Int) -> Double {
    let x = Double(n)
    return 2.0 / 3.0 * x * x * x + 1.5 * x * x
  }

  /// GEMM: 2·m·n·k (one multiply and one add per term of every dot product).
  public static func gemm(m: Int, n: Int, k: Int) -> Double {
    2 * Double(m) * Double(n) * Double(k)
  }
}
