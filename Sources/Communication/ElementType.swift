/// The element types messages carry. Counts are in elements, never bytes: an MPI count is a
/// 32-bit integer, so a byte count traps above 2 GiB where an element count of doubles reaches
/// 16 GiB, and the MPI gateway splits larger messages into chunks.
public enum ElementType: Sendable, Equatable, CaseIterable {
  case byte
  case int32
  case int64
  case float32
  case float64

  /// Bytes per element.
  public var size: Int {
    switch self {
    case .byte: return 1
    case .int32, .float32: return 4
    case .int64, .float64: return 8
    }
  }
}

/// A Swift type that travels as one of the `ElementType`s.
public protocol CommunicationElement: Sendable {
  static var elementType: ElementType { get }
}

extension UInt8: CommunicationElement { public static var elementType: ElementType { .byte } }
extension Int32: CommunicationElement { public static var elementType: ElementType { .int32 } }
extension Int64: CommunicationElement { public static var elementType: ElementType { .int64 } }
extension Int: CommunicationElement { public static var elementType: ElementType { .int64 } }
extension Float: CommunicationElement { public static var elementType: ElementType { .float32 } }
extension Double: CommunicationElement { public static var elementType: ElementType { .float64 } }

/// The reductions collectives apply, element by element.
public enum ReduceOperation: Sendable, Equatable {
  case sum
  case max
  case min

  /// `accumulator[i] = accumulator[i] ⊕ operand[i]` for `count` elements of `type`; bytes
  /// reduce as unsigned integers.
  public func combine(
    into accumulator: UnsafeMutableRawPointer, _ operand: UnsafeRawPointer, count: Int,
    type: ElementType
  ) {
    switch type {
    case .byte: apply(UInt8.self, accumulator, operand, count)
    case .int32: apply(Int32.self, accumulator, operand, count)
    case .int64: apply(Int64.self, accumulator, operand, count)
    case .float32: apply(Float.self, accumulator, operand, count)
    case .float64: apply(Double.self, accumulator, operand, count)
    }
  }

  private func apply<T: Numeric & Comparable>(
    _: T.Type, _ accumulator: UnsafeMutableRawPointer, _ operand: UnsafeRawPointer, _ count: Int
  ) {
    let a = accumulator.assumingMemoryBound(to: T.self)
    let b = operand.assumingMemoryBound(to: T.self)
    switch self {
    case .sum: for i in 0..<count { a[i] = a[i] + b[i] }
    case .max: for i in 0..<count where b[i] > a[i] { a[i] = b[i] }
    case .min: for i in 0..<count where b[i] < a[i] { a[i] = b[i] }
    }
  }
}
