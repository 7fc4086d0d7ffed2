import COpenBLAS

/// The BLAS library linked in (the one gateway to COpenBLAS).
public enum BLAS {
  /// OpenBLAS's build description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64".
  public static var configuration: String {
    guard let text = openblas_get_config() else { return "OpenBLAS (unknown build)" }
    let core = openblas_get_corename().map { String(cString: $0) } ?? "?"
    return "\(String(cString: text)) (core \(core))"
  }
}
