import CSuanli
import Dispatch
#if canImport(Glibc)
  import Glibc
#endif
import Measurement

/// Outcome of a GEMM benchmark: per-repetition times, and Freivalds' check of the product.
public struct GEMMOutcome: Sendable {
  public var precision: GEMMPrecision
  public var m: Int
  public var n: Int
  public var k: Int
  public var warmupSeconds: [Double]
  public var seconds: [Double]
  public var check: GEMMCheck
  /// How the product was computed (library, conversions, accumulation).
  public var method: String
  /// True when the CPU's own instructions for this precision did the arithmetic (FP64, FP32,
  /// and BF16 through AVX512-BF16); false when 16-bit inputs were widened to FP32.
  public var native: Bool

  public var flops: Double { GEMM.flops(m: m, n: n, k: k) }
}

/// Freivalds' check: C·x against A·(B·x) in FP64 for random x of ±1, row by row.
public struct GEMMCheck: Sendable, Equatable {
  /// max over rows of |(C·x)_i − (A·(B·x))_i| / bound_i: at most 1 passes.
  public var worstRatio: Double
  /// Normwise: ‖C·x − A·B·x‖∞ / ‖|A|·|B|·|x|‖∞.
  public var normwiseError: Double
  /// The first row whose difference exceeded its bound.
  public var failingRow: Int?

  public var passed: Bool { worstRatio.isFinite && worstRatio <= 1 }
}

/// C = A·B per precision: FP64/FP32 through OpenBLAS; BF16 by Suanli's AVX512-BF16 kernel where
/// the CPU has it (CSuanli's bf16gemm.c); otherwise FP16/BF16 inputs widened to FP32 (exact) and
/// multiplied by OpenBLAS sgemm with FP32 accumulation, the conversion inside the timing.
public enum GEMM {
  /// True when this build and CPU run the native BF16 kernel.
  public static var nativeBF16: Bool { suanli_bf16_gemm_native() == 1 }

  /// The flops GEMM credits: 2·m·n·k.
  public static func flops(m: Int, n: Int, k: Int) -> Double { FlopCount.gemm(m: m, n: n, k: k) }

  public static func run(
    _ precision: GEMMPrecision, m: Int, n: Int, k: Int, seed: UInt64, threads: Int, warmup: Int,
    repeats: Int
  ) -> GEMMOutcome {
    switch precision {
    case .fp64:
      return direct(
        Double.self, precision, m, n, k, seed, threads, warmup, repeats, "OpenBLAS cblas_dgemm"
      ) {
        a, b, c in
        BLAS.dgemm(m: m, n: n, k: k, alpha: 1, a: a, lda: m, b: b, ldb: k, beta: 0, c: c, ldc: m)
      }
    case .fp32:
      return direct(
        Float.self, precision, m, n, k, seed, threads, warmup, repeats, "OpenBLAS cblas_sgemm"
      ) {
        a, b, c in
        BLAS.sgemm(m: m, n: n, k: k, alpha: 1, a: a, lda: m, b: b, ldb: k, beta: 0, c: c, ldc: m)
      }
    case .fp16:
      return widened(
        Float16.self, precision, m, n, k, seed, threads, warmup, repeats,
        "FP16 inputs widened to FP32 (F16C, exact), OpenBLAS cblas_sgemm, FP32 accumulation")
    case .bf16:
      if nativeBF16,
        let outcome = nativeBF16(m, n, k, seed: seed, threads: threads, warmup, repeats)
      {
        return outcome
      }
      return widened(
        BFloat16.self, precision, m, n, k, seed, threads, warmup, repeats,
        "BF16 inputs widened to FP32 (exact), OpenBLAS cblas_sgemm, FP32 accumulation")
    }
  }

  /// BF16 through VDPBF16PS: exact products of BF16 pairs added into FP32 accumulators. Nil
  /// when the kernel cannot run (its packing buffers could not be allocated).
  private static func nativeBF16(
    _ m: Int, _ n: Int, _ k: Int, seed: UInt64, threads: Int, _ warmup: Int, _ repeats: Int
  ) -> GEMMOutcome? {
    let a = random(BFloat16.self, count: m * k, seed: seed, salt: 1)
    let b = random(BFloat16.self, count: k * n, seed: seed, salt: 2)
    var c = [Float](repeating: 0, count: m * n)
    var times: [Double] = []
    var status: Int32 = 0
    a.withUnsafeBytes { a in
      b.withUnsafeBytes { b in
        c.withUnsafeMutableBufferPointer { c in
          let a16 = a.bindMemory(to: UInt16.self).baseAddress
          let b16 = b.bindMemory(to: UInt16.self).baseAddress
          for repetition in 0..<(warmup + repeats) where status == 0 {
            times.append(
              TimedRegions.time(counted: repetition >= warmup) {
                status = suanli_bf16_gemm(
                  Int32(m), Int32(n), Int32(k), a16, b16, c.baseAddress, Int32(threads))
              })
          }
        }
      }
    }
    guard status == 0 else { return nil }
    let check = freivalds(
      m: m, n: n, k: k, a: a, b: b, c: c, roundoff: GEMMPrecision.bf16.accumulationRoundoff,
      seed: seed)
    return GEMMOutcome(
      precision: .bf16, m: m, n: n, k: k, warmupSeconds: Array(times.prefix(warmup)),
      seconds: Array(times.dropFirst(warmup)), check: check,
      method:
        "AVX512-BF16 VDPBF16PS (Suanli's kernel, 32×12 register tile): exact BF16 products, FP32 accumulation, \(threads) threads",
      native: true)
  }

  /// Random inputs uniform in [-1, 1), rounded to the storage type (never zeros or constants).
  @_specialize(exported: true, where T == Double)
  @_specialize(exported: true, where T == Float)
  @_specialize(exported: true, where T == Float16)
  @_specialize(exported: true, where T == BFloat16)
  @_specialize(exported: true, where T == FP8E4M3)
  @_specialize(exported: true, where T == Int8)
  public static func random<T: GEMMStorage>(_: T.Type, count: Int, seed: UInt64, salt: Int) -> [T] {
    // Counter-based: the same values whatever the split across threads.
    [T](unsafeUninitializedCapacity: count) { buffer, initialized in
      let base = buffer.baseAddress
      Parallel.ranges(count) { range in
        for index in range {
          (base! + index).initialize(
            to: T(rounding: Float(2 * DenseSystem.entry(seed: seed, row: index, column: salt))))
        }
      }
      initialized = count
    }
  }

  private static func direct<T: GEMMStorage>(
    _: T.Type, _ precision: GEMMPrecision, _ m: Int, _ n: Int, _ k: Int, _ seed: UInt64,
    _ threads: Int, _ warmup: Int, _ repeats: Int, _ method: String,
    _ multiply: (UnsafePointer<T>, UnsafePointer<T>, UnsafeMutablePointer<T>) -> Void
  ) -> GEMMOutcome {
    let a = random(T.self, count: m * k, seed: seed, salt: 1)
    let b = random(T.self, count: k * n, seed: seed, salt: 2)
    var c = [T](repeating: T(rounding: 0), count: m * n)
    var times: [Double] = []
    BLAS.withThreads(threads) {
      a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
          c.withUnsafeMutableBufferPointer { c in
            for repetition in 0..<(warmup + repeats) {
              times.append(
                TimedRegions.time(counted: repetition >= warmup) { multiply(a.baseAddress!, b.baseAddress!, c.baseAddress!) })
            }
          }
        }
      }
    }
    let check = freivalds(
      m: m, n: n, k: k, a: a, b: b, c: c, roundoff: precision.accumulationRoundoff, seed: seed)
    return GEMMOutcome(
      precision: precision, m: m, n: n, k: k, warmupSeconds: Array(times.prefix(warmup)),
      seconds: Array(times.dropFirst(warmup)), check: check,
      method: method + ", \(threads) OpenBLAS threads", native: true)
  }

  private static func widened<T: GEMMStorage & Widening>(
    _: T.Type, _ precision: GEMMPrecision, _ m: Int, _ n: Int, _ k: Int, _ seed: UInt64,
    _ threads: Int, _ warmup: Int, _ repeats: Int, _ method: String
  ) -> GEMMOutcome {
    let a = random(T.self, count: m * k, seed: seed, salt: 1)
    let b = random(T.self, count: k * n, seed: seed, salt: 2)
    var a32 = [Float](repeating: 0, count: m * k)
    var b32 = [Float](repeating: 0, count: k * n)
    var c = [Float](repeating: 0, count: m * n)
    var times: [Double] = []
    BLAS.withThreads(threads) {
      a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
          a32.withUnsafeMutableBufferPointer { a32 in
            b32.withUnsafeMutableBufferPointer { b32 in
              c.withUnsafeMutableBufferPointer { c in
                for repetition in 0..<(warmup + repeats) {
                  times.append(
                    TimedRegions.time(counted: repetition >= warmup) {
                      T.widen(a.baseAddress!, into: a32.baseAddress!, count: m * k)
                      T.widen(b.baseAddress!, into: b32.baseAddress!, count: k * n)
                      BLAS.sgemm(
                        m: m, n: n, k: k, alpha: 1, a: a32.baseAddress!, lda: m,
                        b: b32.baseAddress!,
                        ldb: k, beta: 0, c: c.baseAddress!, ldc: m)
                    })
                }
              }
            }
          }
        }
      }
    }
    let check = freivalds(
      m: m, n: n, k: k, a: a, b: b, c: c, roundoff: precision.accumulationRoundoff, seed: seed)
    return GEMMOutcome(
      precision: precision, m: m, n: n, k: k, warmupSeconds: Array(times.prefix(warmup)),
      seconds: Array(times.dropFirst(warmup)), check: check,
      method: method + ", \(threads) OpenBLAS threads; conversion timed", native: false)
  }

  /// Freivalds' check of C ≈ A·B (column-major, m×k times k×n) with a componentwise bound.
  ///
  /// For x of ±1, (C·x)_i and (A·(B·x))_i are computed in FP64. A GEMM accumulating in a
  /// precision of unit roundoff u satisfies |C − A·B| ≤ γ_k·|A|·|B| elementwise, γ_k = k·u/(1−k·u)
  /// (Higham, Accuracy and Stability, §3.5), whatever its summation order or blocking, so
  /// |C·x − A·B·x|_i ≤ γ_k·w_i with w = |A|·(|B|·|x|). The FP64 products here add at most
  /// γ_{k+n}(u₆₄)·w_i + γ_n(u₆₄)·(|C|·|x|)_i. Row i passes when its difference is within twice
  /// the sum. A wrong element c_ij shifts (C·x)_i by exactly its error, so any element off by
  /// more than its row's bound is caught. Two independent vectors x guard against cancellation.
  ///
  /// `termError` is an error per product beyond the accumulation's (inputs rounded inside the
  /// unit: TF32's 10-bit significands; FP8 partial sums kept in fewer bits): it adds
  /// termError·w_i. `outputRoundoff` is the unit roundoff of C's storage when it is narrower
  /// than the accumulation (FP16, BF16 outputs): it adds u_out·(|C|·|x|)_i.
  // Specialised here for the GPU benchmarks' types (callers in other modules would otherwise
  // pay a generic call per element: seconds at n = 8192).
  @_specialize(exported: true, where In == Double, Out == Double)
  @_specialize(exported: true, where In == Float, Out == Float)
  @_specialize(exported: true, where In == Float16, Out == Float16)
  @_specialize(exported: true, where In == BFloat16, Out == BFloat16)
  @_specialize(exported: true, where In == FP8E4M3, Out == BFloat16)
  @_specialize(exported: true, where In == Int8, Out == Int32)
  public static func freivalds<In: GEMMStorage, Out: GEMMStorage>(
    m: Int, n: Int, k: Int, a: [In], b: [In], c: [Out], roundoff: Double, seed: UInt64,
    termError: Double = 0, outputRoundoff: Double = 0
  ) -> GEMMCheck {
    let u64 = Double.ulpOfOne / 2
    var worst = 0.0
    var normDiff = 0.0
    var normW = 0.0
    var failing: Int? = nil
    // Each element's sum runs in one order whatever the split (threads take rows of the
    // results, never parts of one sum): the check gives the same numbers on any machine.
    for trial in 0..<2 {
      let x = (0..<n).map {
        DenseSystem.entry(seed: seed &+ 77, row: $0, column: trial) < 0 ? -1.0 : 1.0
      }
      var bx = [Double](repeating: 0, count: k)
      var babs = [Double](repeating: 0, count: k)
      b.withUnsafeBufferPointer { b in
        bx.withUnsafeMutableBufferPointer { bx in
          babs.withUnsafeMutableBufferPointer { babs in
            let (bx, babs) = (bx, babs)
            Parallel.ranges(k) { rows in
              for j in 0..<n {
                for p in rows {
                  let v = b[p + j * k].double
                  bx[p] += v * x[j]
                  babs[p] += abs(v)
                }
              }
            }
          }
        }
      }
      var z = [Double](repeating: 0, count: m)
      var w = [Double](repeating: 0, count: m)
      var y = [Double](repeating: 0, count: m)
      var cabs = [Double](repeating: 0, count: m)
      a.withUnsafeBufferPointer { a in
        c.withUnsafeBufferPointer { c in
          z.withUnsafeMutableBufferPointer { z in
            w.withUnsafeMutableBufferPointer { w in
              y.withUnsafeMutableBufferPointer { y in
                cabs.withUnsafeMutableBufferPointer { cabs in
                  let (z, w, y, cabs) = (z, w, y, cabs)
                  Parallel.ranges(m) { rows in
                    for p in 0..<k {
                      for i in rows {
                        let v = a[i + p * m].double
                        z[i] += v * bx[p]
                        w[i] += abs(v) * babs[p]
                      }
                    }
                    for j in 0..<n {
                      for i in rows {
                        let v = c[i + j * m].double
                        y[i] += v * x[j]
                        cabs[i] += abs(v)
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
      for i in 0..<m {
        let bound =
          2 * ((termError + gamma(k, roundoff) + gamma(k + n, u64)) * w[i]
            + (gamma(n, u64) + outputRoundoff) * cabs[i])
        let difference = abs(y[i] - z[i])
        let ratio = bound > 0 ? difference / bound : (difference == 0 ? 0 : .infinity)
        if !(ratio <= 1), failing == nil { failing = i }
        worst = ratio.isNaN ? .infinity : max(worst, ratio)
        normDiff = difference.isNaN ? .infinity : max(normDiff, difference)
        normW = max(normW, w[i])
      }
    }
    return GEMMCheck(
      worstRatio: worst, normwiseError: normW > 0 ? normDiff / normW : normDiff, failingRow: failing
    )
  }
}

extension GEMM {
  /// γ_n(u) = n·u / (1 − n·u), infinite where n·u ≥ 1 (Higham §3.1).
  public static func gamma(_ count: Int, _ u: Double) -> Double {
    let t = Double(count) * u
    return t < 1 ? t / (1 - t) : .infinity
  }

  /// The rows `rowCheck` recomputes: `count` distinct rows of 0..<m drawn from `seed`.
  public static func sampledRows(m: Int, count: Int, seed: UInt64) -> [Int] {
    guard m > count else { return Array(0..<m) }
    var chosen: [Int] = []
    var seen = Set<Int>()
    var draw = 0
    while chosen.count < count {
      let row = Int(
        (DenseSystem.entry(seed: seed &+ 101, row: draw, column: 7) + 0.5) * Double(m)) % m
      draw += 1
      if seen.insert(row).inserted { chosen.append(row) }
    }
    return chosen.sorted()
  }

  /// Element by element on a few rows: each c_ij of the sampled rows against a_i·b_j summed in
  /// FP64, within 2((termError + γ_k(u_acc) + γ_k(u₆₄))·Σ_p|a_ip||b_pj| + u_out·|c_ij|). Where
  /// Freivalds' test bounds a whole row's sum (a wrong element must exceed the row's bound,
  /// which a 16-bit output's rounding makes large), this bounds each element by its own
  /// products: an element off by a few units is caught — on the rows it samples.
  @_specialize(exported: true, where In == Double, Out == Double)
  @_specialize(exported: true, where In == Float, Out == Float)
  @_specialize(exported: true, where In == Float16, Out == Float16)
  @_specialize(exported: true, where In == BFloat16, Out == BFloat16)
  @_specialize(exported: true, where In == FP8E4M3, Out == BFloat16)
  @_specialize(exported: true, where In == Int8, Out == Int32)
  public static func rowCheck<In: GEMMStorage, Out: GEMMStorage>(
    m: Int, n: Int, k: Int, a: [In], b: [In], c: [Out], rows: [Int], roundoff: Double,
    termError: Double = 0, outputRoundoff: Double = 0
  ) -> GEMMCheck {
    let perProduct = termError + gamma(k, roundoff) + gamma(k, Double.ulpOfOne / 2)
    var worst = 0.0
    var failing: Int? = nil
    var normDiff = 0.0
    var normScale = 0.0
    for i in rows {
      let row = (0..<k).map { a[i + $0 * m].double }
      // Each column's sum in one thread, columns across the cores.
      var ratios = [Double](repeating: 0, count: n)
      var differences = [Double](repeating: 0, count: n)
      var scales = [Double](repeating: 0, count: n)
      b.withUnsafeBufferPointer { b in
        ratios.withUnsafeMutableBufferPointer { ratios in
          differences.withUnsafeMutableBufferPointer { differences in
            scales.withUnsafeMutableBufferPointer { scales in
              let (ratios, differences, scales) = (ratios, differences, scales)
              Parallel.ranges(n, minimum: 64) { columns in
                for j in columns {
                  var exact = 0.0
                  var magnitude = 0.0
                  for p in 0..<k {
                    let product = row[p] * b[p + j * k].double
                    exact += product
                    magnitude += abs(product)
                  }
                  let value = c[i + j * m].double
                  let bound = 2 * (perProduct * magnitude + outputRoundoff * abs(value))
                  let difference = abs(value - exact)
                  ratios[j] =
                    bound > 0 ? difference / bound : (difference == 0 ? 0 : .infinity)
                  if ratios[j].isNaN { ratios[j] = .infinity }
                  differences[j] = difference.isNaN ? .infinity : difference
                  scales[j] = magnitude
                }
              }
            }
          }
        }
      }
      let rowWorst = ratios.max() ?? 0
      if !(rowWorst <= 1), failing == nil { failing = i }
      worst = max(worst, rowWorst)
      normDiff = max(normDiff, differences.max() ?? 0)
      normScale = max(normScale, scales.max() ?? 0)
    }
    return GEMMCheck(
      worstRatio: worst, normwiseError: normScale > 0 ? normDiff / normScale : normDiff,
      failingRow: failing)
  }
}

/// 16-bit storage types that widen to FP32 in a loop LLVM vectorises (vcvtph2ps for FP16, a
/// shift for BF16).
public protocol Widening {
  static func widen(
    _ source: UnsafePointer<Self>, into destination: UnsafeMutablePointer<Float>, count: Int)
}

extension Float16: Widening {
  @inline(never)
  public static func widen(
    _ source: UnsafePointer<Float16>, into destination: UnsafeMutablePointer<Float>, count: Int
  ) {
    for i in 0..<count { destination[i] = Float(source[i]) }
  }
}

extension BFloat16: Widening {
  @inline(never)
  public static func widen(
    _ source: UnsafePointer<BFloat16>, into destination: UnsafeMutablePointer<Float>, count: Int
  ) {
    source.withMemoryRebound(to: UInt16.self, capacity: count) { bits in
      for i in 0..<count { destination[i] = Float(bitPattern: UInt32(bits[i]) << 16) }
    }
  }
}

/// Splits 0..<count into contiguous ranges run on all cores (Dispatch's pool), for loops whose
/// iterations write disjoint elements; small counts stay on the calling thread.
enum Parallel {
  static func ranges(_ count: Int, minimum: Int = 4096, _ body: (Range<Int>) -> Void) {
    let chunks = min(max(1, count / minimum), 4 * max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
    guard chunks > 1 else {
      body(0..<count)
      return
    }
    withoutActuallyEscaping(body) { body in
      // The callers write disjoint elements through unsafe buffers: safe to share.
      let work = Shared(body)
      DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        work.value((count * chunk / chunks)..<(count * (chunk + 1) / chunks))
      }
    }
  }

  private struct Shared<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
  }
}
