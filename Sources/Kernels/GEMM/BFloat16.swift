/// bfloat16: the upper 16 bits of an IEEE binary32 (8 exponent bits, 7 fraction bits), the
/// storage format of AI accelerators. Swift has no such type; this one only stores and converts.
public struct BFloat16: Sendable, Equatable {
  public var bitPattern: UInt16

  public init(bitPattern: UInt16) { self.bitPattern = bitPattern }

  /// Rounds to nearest, ties to even, as hardware conversions (VCVTNEPS2BF16) do. Overflow
  /// rounds to infinity; NaN stays NaN (made quiet, sign kept); subnormals round like normals,
  /// since bfloat16 shares binary32's exponent range.
  @inline(__always)
  public init(_ value: Float) {
    let bits = value.bitPattern
    if value.isNaN {
      bitPattern = UInt16(truncatingIfNeeded: bits >> 16) | 0x0040
    } else {
      let rounding = 0x7FFF &+ ((bits >> 16) & 1)
      bitPattern = UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }
  }

  /// Exact: every bfloat16 is a binary32.
  @inline(__always)
  public var float: Float { Float(bitPattern: UInt32(bitPattern) << 16) }
}
