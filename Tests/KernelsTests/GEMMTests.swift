import CSuanli
import XCTest

@testable import Kernels

final class GEMMTests: XCTestCase {
  func testEveryPrecisionPassesItsCheckAtOddSizes() {
    for precision in GEMMPrecision.allCases {
      for size in [1, 3, 17, 64, 257] {
        let outcome = GEMM.run(
          precision, m: size, n: size, k: size, seed: 5, threads: 2, warmup: 0, repeats: 1)
        XCTAssertTrue(outcome.check.passed, "\(precision) n=\(size): \(outcome.check)")
        XCTAssertEqual(outcome.seconds.count, 1)
        XCTAssertEqual(outcome.flops, 2 * Double(size * size * size))
      }
    }
  }

  func testRectangularShapes() {
    for precision in GEMMPrecision.allCases {
      let outcome = GEMM.run(
        precision, m: 33, n: 7, k: 129, seed: 6, threads: 1, warmup: 1, repeats: 2)
      XCTAssertTrue(outcome.check.passed, "\(precision): \(outcome.check)")
      XCTAssertEqual(outcome.warmupSeconds.count, 1)
      XCTAssertEqual(outcome.seconds.count, 2)
    }
  }

  /// A correct product passes, then one planted wrong element fails: FP64 off by 1e-6, the
  /// FP32-accumulated precisions off by 4 (bounds: ~1e-9 and ~0.5 for k = 257, |a|,|b| ≤ 1).
  func testAPlantedWrongElementIsCaught() {
    let n = 257
    // FP64.
    let a64 = GEMM.random(Double.self, count: n * n, seed: 1, salt: 1)
    let b64 = GEMM.random(Double.self, count: n * n, seed: 1, salt: 2)
    var c64 = [Double](repeating: 0, count: n * n)
    BLAS.dgemm(m: n, n: n, k: n, alpha: 1, a: a64, lda: n, b: b64, ldb: n, beta: 0, c: &c64, ldc: n)
    XCTAssertTrue(
      GEMM.freivalds(m: n, n: n, k: n, a: a64, b: b64, c: c64, roundoff: 0x1p-53, seed: 3).passed)
    c64[100 + 200 * n] += 1e-6
    let bad64 = GEMM.freivalds(m: n, n: n, k: n, a: a64, b: b64, c: c64, roundoff: 0x1p-53, seed: 3)
    XCTAssertFalse(bad64.passed)
    XCTAssertEqual(bad64.failingRow, 100)

    // FP16 inputs, FP32 product.
    let a16 = GEMM.random(Float16.self, count: n * n, seed: 1, salt: 1)
    let b16 = GEMM.random(Float16.self, count: n * n, seed: 1, salt: 2)
    let a32 = a16.map { Float($0) }
    let b32 = b16.map { Float($0) }
    var c32 = [Float](repeating: 0, count: n * n)
    BLAS.sgemm(m: n, n: n, k: n, alpha: 1, a: a32, lda: n, b: b32, ldb: n, beta: 0, c: &c32, ldc: n)
    XCTAssertTrue(
      GEMM.freivalds(m: n, n: n, k: n, a: a16, b: b16, c: c32, roundoff: 0x1p-24, seed: 3).passed)
    c32[7 + 9 * n] += 4
    let bad32 = GEMM.freivalds(m: n, n: n, k: n, a: a16, b: b16, c: c32, roundoff: 0x1p-24, seed: 3)
    XCTAssertFalse(bad32.passed)
    XCTAssertEqual(bad32.failingRow, 7)

    // A NaN anywhere fails.
    c32[7 + 9 * n] = .nan
    XCTAssertFalse(
      GEMM.freivalds(m: n, n: n, k: n, a: a16, b: b16, c: c32, roundoff: 0x1p-24, seed: 3).passed)
  }

  /// The AVX512-BF16 kernel around its blocking edges (register tile 32×12, KC = 384 k values,
  /// MC = 256 rows): odd k, partial tiles, more threads than column panels. Every product is
  /// compared with an FP64 evaluation within γ_k(2⁻²⁴)·(|A||B|)_ij, and Freivalds' check passes.
  func testNativeBF16KernelAtItsBlockEdges() throws {
    guard GEMM.nativeBF16 else {
      throw XCTSkip("this CPU or build has no AVX512-BF16: the widened path is tested instead")
    }
    for (m, n, k, threads) in [
      (1, 1, 1, 1), (31, 11, 383, 2), (33, 13, 385, 3), (257, 25, 769, 2), (64, 24, 768, 1),
      (5, 40, 2, 8),
    ] {
      let outcome = GEMM.run(
        .bf16, m: m, n: n, k: k, seed: 11, threads: threads, warmup: 0, repeats: 1)
      XCTAssertTrue(outcome.native)
      XCTAssertTrue(outcome.check.passed, "m=\(m) n=\(n) k=\(k): \(outcome.check)")
    }
    // Elementwise, against FP64, at one shape past every edge.
    let (m, n, k) = (45, 29, 401)
    let a = GEMM.random(BFloat16.self, count: m * k, seed: 3, salt: 1)
    let b = GEMM.random(BFloat16.self, count: k * n, seed: 3, salt: 2)
    var c = [Float](repeating: .nan, count: m * n)
    let status = a.withUnsafeBytes { a in
      b.withUnsafeBytes { b in
        suanli_bf16_gemm(
          Int32(m), Int32(n), Int32(k), a.bindMemory(to: UInt16.self).baseAddress,
          b.bindMemory(to: UInt16.self).baseAddress, &c, 2)
      }
    }
    XCTAssertEqual(status, 0)
    let gamma = Double(k) * 0x1p-24 / (1 - Double(k) * 0x1p-24)
    for j in 0..<n {
      for i in 0..<m {
        var exact = 0.0
        var magnitude = 0.0
        for p in 0..<k {
          let product = Double(a[i + p * m].float) * Double(b[p + j * k].float)
          exact += product
          magnitude += abs(product)
        }
        XCTAssertLessThanOrEqual(
          abs(Double(c[i + j * m]) - exact), gamma * magnitude, "c[\(i),\(j)]")
      }
    }
  }

  func testInputsAreRandomNotConstant() {
    let values = GEMM.random(Float16.self, count: 1000, seed: 9, salt: 1)
    XCTAssertGreaterThan(Set(values.map { $0.bitPattern }).count, 900)
    XCTAssertTrue(values.allSatisfy { $0 >= -1 && $0 <= 1 })
  }

  /// A·B summed in FP64 and rounded once to BF16: what a GPU with an exact accumulation and a
  /// BF16 output would return.
  static func roundedProduct(_ a: [BFloat16], _ b: [BFloat16], m: Int, n: Int, k: Int)
    -> [BFloat16]
  {
    var c = [BFloat16](repeating: BFloat16(0), count: m * n)
    for j in 0..<n {
      for i in 0..<m {
        var sum = 0.0
        for p in 0..<k { sum += a[i + p * m].double * b[p + j * k].double }
        c[i + j * m] = BFloat16(Float(sum))
      }
    }
    return c
  }

  /// FP8 E4M3 storage (the GPUs' FP8 GEMM inputs): every finite code decodes and re-encodes to
  /// itself, rounding is to nearest even, large values saturate at 448.
  func testFP8E4M3RoundsAndRoundTrips() {
    for code in 0...255 where code & 0x7F != 0x7F {
      let value = FP8E4M3(bits: UInt8(code))
      XCTAssertEqual(FP8E4M3(rounding: value.float).bits, value.bits == 0x80 ? 0x80 : value.bits, "code \(code)")
    }
    XCTAssertEqual(FP8E4M3(rounding: 1).float, 1)
    XCTAssertEqual(FP8E4M3(rounding: 448).bits, 0x7E)
    XCTAssertEqual(FP8E4M3(rounding: 1e6).float, 448, "saturates")
    XCTAssertEqual(FP8E4M3(rounding: -0.3).float, -0.3125, "3 significand bits: 1.25·2⁻²")
    XCTAssertEqual(FP8E4M3(rounding: 1.0625).float, 1, "a tie goes to the even significand")
    XCTAssertEqual(FP8E4M3(rounding: 0x1p-9).float, 0x1p-9, "the smallest subnormal")
    XCTAssertEqual(Int8(rounding: -1), -128)
    XCTAssertEqual(Int8(rounding: 0.999), 127)
  }

  /// The widened bound of a GPU's check: an output stored in BF16 passes only with its rounding
  /// allowed for, and a wrong element beyond it still fails.
  func testTheOutputRoundingTermOfTheBound() {
    let (m, n, k) = (40, 24, 56)
    let a = GEMM.random(BFloat16.self, count: m * k, seed: 5, salt: 1)
    let b = GEMM.random(BFloat16.self, count: k * n, seed: 5, salt: 2)
    var c = Self.roundedProduct(a, b, m: m, n: n, k: k)
    func check(_ c: [BFloat16], output: Double) -> GEMMCheck {
      GEMM.freivalds(
        m: m, n: n, k: k, a: a, b: b, c: c, roundoff: 0x1p-24, seed: 9, outputRoundoff: output)
    }
    XCTAssertFalse(check(c, output: 0).passed, "BF16 rounding of C exceeds an FP32 bound")
    XCTAssertTrue(check(c, output: 0x1p-8).passed)
    c[2 + 1 * m] = BFloat16(c[2 + 1 * m].float + 64)
    let wrong = check(c, output: 0x1p-8)
    XCTAssertFalse(wrong.passed)
    XCTAssertEqual(wrong.failingRow, 2)
  }

  /// The element check of sampled rows catches what Freivalds' row bound lets through: one
  /// element of a BF16 output off by 0.5 (its row's bound, with the output's rounding of every
  /// element, is larger), on a row it samples; and it passes the correctly rounded product.
  func testSampledRowsBoundEachElement() {
    let (m, n, k) = (64, 48, 256)
    let a = GEMM.random(BFloat16.self, count: m * k, seed: 6, salt: 1)
    let b = GEMM.random(BFloat16.self, count: k * n, seed: 6, salt: 2)
    var c = Self.roundedProduct(a, b, m: m, n: n, k: k)
    let rows = GEMM.sampledRows(m: m, count: 16, seed: 42)
    XCTAssertEqual(rows.count, 16)
    XCTAssertEqual(Set(rows).count, 16, "distinct rows")
    XCTAssertEqual(rows, GEMM.sampledRows(m: m, count: 16, seed: 42), "the same for a seed")
    XCTAssertEqual(GEMM.sampledRows(m: 5, count: 16, seed: 1), [0, 1, 2, 3, 4])
    func checks(_ c: [BFloat16]) -> (GEMMCheck, GEMMCheck) {
      (
        GEMM.freivalds(
          m: m, n: n, k: k, a: a, b: b, c: c, roundoff: 0x1p-23, seed: 9, outputRoundoff: 0x1p-8),
        GEMM.rowCheck(
          m: m, n: n, k: k, a: a, b: b, c: c, rows: rows, roundoff: 0x1p-23,
          outputRoundoff: 0x1p-8)
      )
    }
    let (good, goodRows) = checks(c)
    XCTAssertTrue(good.passed)
    XCTAssertTrue(goodRows.passed, "\(goodRows)")
    let row = rows[3]
    c[row + 5 * m] = BFloat16(c[row + 5 * m].float + 0.5)
    let (freivalds, elements) = checks(c)
    XCTAssertTrue(freivalds.passed, "within the row's bound: Freivalds cannot see it")
    XCTAssertFalse(elements.passed)
    XCTAssertEqual(elements.failingRow, row)
    // INT8: exact, so any change of a sampled element fails.
    let a8 = GEMM.random(Int8.self, count: m * k, seed: 3, salt: 1)
    let b8 = GEMM.random(Int8.self, count: k * n, seed: 3, salt: 2)
    var c32 = [Int32](repeating: 0, count: m * n)
    for j in 0..<n {
      for i in 0..<m {
        var sum: Int32 = 0
        for p in 0..<k { sum += Int32(a8[i + p * m]) * Int32(b8[p + j * k]) }
        c32[i + j * m] = sum
      }
    }
    XCTAssertTrue(
      GEMM.rowCheck(m: m, n: n, k: k, a: a8, b: b8, c: c32, rows: rows, roundoff: 0).passed)
    c32[rows[0] + 7 * m] += 1
    XCTAssertFalse(
      GEMM.rowCheck(m: m, n: n, k: k, a: a8, b: b8, c: c32, rows: rows, roundoff: 0).passed)
  }
}

final class HalfPrecisionTests: XCTestCase {
  func testFloat16RoundTripsAndSpecialValues() {
    for value: Float16 in [
      0, -0, 1, -2.5, .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
      .infinity, -.infinity,
    ] {
      XCTAssertEqual(Float16(rounding: Float(value)), value)
      XCTAssertEqual(Float16(rounding: Float(value)).sign, value.sign)
    }
    XCTAssertTrue(Float16(rounding: .nan).isNaN)
    XCTAssertEqual(Float16(rounding: 70_000), .infinity, "overflow rounds to infinity")
    XCTAssertEqual(Float16(rounding: 1e-9), 0, "below half the least subnormal rounds to zero")
    XCTAssertEqual(Float(Float16.leastNonzeroMagnitude), 0x1p-24, "subnormals widen exactly")
  }

  func testBFloat16RoundsToNearestEven() {
    XCTAssertEqual(BFloat16(1.0).float, 1.0)
    XCTAssertEqual(BFloat16(1 + 0x1p-8).float, 1.0, "halfway, to the even neighbour 1.0")
    XCTAssertEqual(
      BFloat16(1 + 3 * 0x1p-8).float, 1 + 0x1p-6, "halfway, to the even neighbour above")
    XCTAssertEqual(BFloat16(1 + 0x1p-8 + 0x1p-20).float, 1 + 0x1p-7, "above halfway rounds up")
    XCTAssertEqual(BFloat16(-3.140625).float, -3.140625, "exactly representable")
  }

  func testBFloat16SpecialValues() {
    XCTAssertEqual(BFloat16(.infinity).bitPattern, 0x7F80)
    XCTAssertEqual(BFloat16(-.infinity).bitPattern, 0xFF80)
    XCTAssertEqual(
      BFloat16(.greatestFiniteMagnitude).float, .infinity, "overflow rounds to infinity")
    XCTAssertTrue(BFloat16(.nan).float.isNaN)
    XCTAssertTrue(
      BFloat16(Float(bitPattern: 0x7F80_0001)).float.isNaN, "a NaN whose payload is low stays NaN")
    XCTAssertEqual(BFloat16(-0.0).bitPattern, 0x8000)
    let subnormal = Float(bitPattern: 0x007F_0000)
    XCTAssertEqual(BFloat16(subnormal).float, subnormal, "bf16 subnormals are exact")
    XCTAssertEqual(
      BFloat16(.leastNonzeroMagnitude).float, 0, "2⁻¹⁴⁹ is below bf16's least subnormal")
  }

  func testWideningLoopsMatchScalarConversion() {
    let halves =
      GEMM.random(Float16.self, count: 1001, seed: 2, salt: 3) + [
        .infinity, .leastNonzeroMagnitude,
      ]
    var widened = [Float](repeating: 0, count: halves.count)
    Float16.widen(halves, into: &widened, count: halves.count)
    XCTAssertEqual(widened, halves.map { Float($0) })
    let brains = GEMM.random(BFloat16.self, count: 1001, seed: 2, salt: 3) + [BFloat16(.infinity)]
    var wide = [Float](repeating: 0, count: brains.count)
    BFloat16.widen(brains, into: &wide, count: brains.count)
    XCTAssertEqual(wide, brains.map(\.float))
  }
}

final class HPLMxPTests: XCTestCase {
  let team = ThreadTeam(unpinnedSize: 2)

  func testConvergesToHPLResidualAtSeveralSizes() throws {
    for (n, nb) in [(1, 1), (7, 3), (100, 32), (333, 64)] {
      let outcome = try XCTUnwrap(
        HPLMxP.run(n: n, nb: nb, seed: 4, precision: .fp32, maxIterations: 50, team: team))
      XCTAssertTrue(outcome.converged, "n=\(n): \(outcome.history)")
      XCTAssertLessThan(try XCTUnwrap(outcome.check).scaledResidual, 16)
      XCTAssertEqual(outcome.history.count, outcome.iterations + 1)
    }
  }

  func testSixteenBitVariantsConvergeWithMoreRefinement() throws {
    let fp32 = try XCTUnwrap(
      HPLMxP.run(n: 300, nb: 64, seed: 8, precision: .fp32, maxIterations: 50, team: team))
    for precision in [MxPPrecision.fp16, .bf16] {
      let outcome = try XCTUnwrap(
        HPLMxP.run(n: 300, nb: 64, seed: 8, precision: precision, maxIterations: 100, team: team))
      XCTAssertTrue(outcome.converged, "\(precision): \(outcome.history)")
      XCTAssertGreaterThanOrEqual(outcome.iterations, fp32.iterations, "\(precision)")
      // The first solve is only as good as the factors: worse than FP32's.
      XCTAssertGreaterThan(outcome.history[0], fp32.history[0], "\(precision)")
    }
  }

  func testNotConvergingWithinTheLimitIsReported() throws {
    let outcome = try XCTUnwrap(
      HPLMxP.run(n: 300, nb: 64, seed: 8, precision: .bf16, maxIterations: 0, team: team))
    XCTAssertFalse(outcome.converged)
    XCTAssertEqual(outcome.iterations, 0)
    XCTAssertGreaterThan(try XCTUnwrap(outcome.check).scaledResidual, 16)
  }

  func testDiagonalDominance() throws {
    let system = try XCTUnwrap(DenseSystem(n: 50))
    system.generate(seed: 1, team: team)
    HPLMxP.makeDiagonallyDominant(system, team: team)
    for i in 0..<50 {
      var offDiagonal = 0.0
      for j in 0..<50 where j != i { offDiagonal += abs(system.column(j)[i]) }
      XCTAssertGreaterThan(abs(system.column(i)[i]), offDiagonal)
    }
  }
}
