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
