/// A value type GEMM inputs are stored in, with exact widening to FP32 (for 16-bit types and
/// FP32) and to FP64 (for the check).
public protocol GEMMStorage: Sendable {
  init(rounding value: Float)
  var double: Double { get }
}

extension Double: GEMMStorage {
  @inline(__always) public init(rounding value: Float) { self = Double(value) }
  @inline(__always) public var double: Double { self }
}

extension Float: GEMMStorage {
  @inline(__always) public init(rounding value: Float) { self = value }
  @inline(__always) public var double: Double { Double(self) }
}

extension Float16: GEMMStorage {
  @inline(__always) public init(rounding value: Float) { self = Float16(value) }
  @inline(__always) public var double: Double { Double(Float(self)) }
}

extension BFloat16: GEMMStorage {
  @inline(__always) public init(rounding value: Float) { self.init(value) }
  @inline(__always) public var double: Double { Double(float) }
}

/// The precisions of the ladder. FP16 and BF16 store inputs in 16 bits and accumulate in FP32.
public enum GEMMPrecision: String, CaseIterable, Sendable {
  case fp64, fp32, fp16, bf16

  /// Unit roundoff of the accumulation: 2⁻⁵³ for FP64, 2⁻²⁴ for FP32 (also for FP16/BF16,
  /// whose products are exact in FP32: 11×11 and 8×8 significand bits fit in 24).
  public var accumulationRoundoff: Double {
    self == .fp64 ? 0x1p-53 : 0x1p-24
  }

  public var inputBytes: Int {
    switch self {
    case .fp64: return 8
    case .fp32: return 4
    case .fp16, .bf16: return 2
    }
  }

  /// Bytes for A (m×k), B (k×n), C (m×n) and, for 16-bit inputs, their FP32 copies.
  public func requiredBytes(m: Int, n: Int, k: Int) -> Int {
    let inputs = (m * k + k * n) * inputBytes
    let output = m * n * (self == .fp64 ? 8 : 4)
    let widened = inputBytes == 2 ? (m * k + k * n) * 4 : 0
    return inputs + output + widened
  }
}

/// FP8 E4M3 (OCP 8-bit floating point, "fn" variant as NVIDIA's tensor cores use it): 1 sign,
/// 4 exponent bits (bias 7), 3 significand bits; no infinities, the largest finite value 448,
/// NaN 0x7F/0xFF; subnormals step 2⁻⁹.
public struct FP8E4M3: GEMMStorage, Equatable {
  public var bits: UInt8

  public init(bits: UInt8) { self.bits = bits }

  /// Round to nearest, ties to even; saturates at ±448.
  public init(rounding value: Float) {
    let sign: UInt8 = value.sign == .minus ? 0x80 : 0
    let magnitude = min(abs(value), 448)
    guard magnitude.isFinite else {
      bits = 0x7F
      return
    }
    // Subnormals and zero: multiples of 2⁻⁹ below 2⁻⁶.
    if magnitude < 0x1p-6 {
      let steps = (magnitude * 0x1p9).rounded(.toNearestOrEven)
      bits = sign | UInt8(steps)  // 8 steps is exactly the smallest normal, 0x08.
      return
    }
    var exponent = Int(magnitude.exponent)
    var significand = ((magnitude / Float(sign: .plus, exponent: exponent, significand: 1)) - 1) * 8
    significand = significand.rounded(.toNearestOrEven)
    if significand >= 8 {
      significand = 0
      exponent += 1
    }
    bits = sign | UInt8(exponent + 7) << 3 | UInt8(significand)
  }

  public var float: Float {
    let exponent = Int((bits >> 3) & 0xF)
    let significand = Float(bits & 7)
    let magnitude =
      exponent == 0
      ? significand * 0x1p-9 : Float(sign: .plus, exponent: exponent - 7, significand: 1 + significand / 8)
    return bits & 0x80 != 0 ? -magnitude : magnitude
  }

  public var double: Double { Double(float) }
}

/// INT8 inputs: a value in [-1, 1) scaled to [-128, 127].
extension Int8: GEMMStorage {
  public init(rounding value: Float) { self = Int8(clamping: Int((value * 128).rounded(.down))) }
  public var double: Double { Double(self) }
}

/// INT32 outputs of INT8 GEMMs.
extension Int32: GEMMStorage {
  public init(rounding value: Float) { self = Int32(value.rounded()) }
  public var double: Double { Double(self) }
}
