/// HPL 2.3's matrix generator (testing/matgen and HPL_pdmatgen): the 64-bit linear
/// congruential sequence X(k+1) = a·X(k) + c mod 2⁶⁴ with a = 6364136223846793005 (Knuth's
/// MMIX multiplier) and c = 1, X(0) = the seed (HPL's ISEED, 100). Element (i, j) of the
/// N×(N+1) matrix [A | b] is 0.5 − X(1 + i + N·j)/2⁶⁴: the sequence in column-major order of the
/// global matrix, b being column N. Any piece of it is reached by jumping ahead (composing the
/// affine map with itself by squaring), so every process grid generates the same matrix, the
/// one xhpl and hpcc build for the same N and seed.
public struct HPLMatrixGenerator: Sendable, Equatable {
  public static let multiplier: UInt64 = 6_364_136_223_846_793_005
  public static let increment: UInt64 = 1
  /// HPL's default seed (ISEED in hpl_ptest.h).
  public static let defaultSeed: UInt64 = 100

  /// The order N: the matrix is N×(N+1).
  public let n: Int
  public let seed: UInt64

  public init(n: Int, seed: UInt64 = HPLMatrixGenerator.defaultSeed) {
    self.n = n
    self.seed = seed
  }

  /// x ↦ a·x + c, the map `steps` applications of the generator make.
  struct Jump: Equatable {
    var a: UInt64
    var c: UInt64

    static let identity = Jump(a: 1, c: 0)
    static let one = Jump(a: multiplier, c: increment)

    @inline(__always)
    func apply(_ x: UInt64) -> UInt64 { a &* x &+ c }

    /// `self` after `first`: x ↦ a₂(a₁x + c₁) + c₂.
    func after(_ first: Jump) -> Jump { Jump(a: a &* first.a, c: a &* first.c &+ c) }

    /// The generator applied `steps` times, by squaring: at most 64 compositions.
    static func steps(_ steps: UInt64) -> Jump {
      var result = identity
      var power = one
      var remaining = steps
      while remaining > 0 {
        if remaining & 1 == 1 { result = power.after(result) }
        power = power.after(power)
        remaining >>= 1
      }
      return result
    }
  }

  /// The element for state X: 0.5 − X/2⁶⁴, in (−0.5, 0.5] (Double(X) rounds to 53 bits, the
  /// subtraction is then exact).
  @inline(__always)
  static func value(_ x: UInt64) -> Double { 0.5 - Double(x) * 0x1p-64 }

  /// X(index).
  func state(at index: UInt64) -> UInt64 { Jump.steps(index).apply(seed) }

  /// Element (row, column) of [A | b].
  public func entry(row: Int, column: Int) -> Double {
    Self.value(state(at: UInt64(1 + row + n * column)))
  }

  /// Writes the elements of column `column` for the row ranges `rows` (increasing, disjoint)
  /// one after another into `destination`: a process's local rows of that column.
  public func fill(
    column: Int, rows: [Range<Int>], into destination: UnsafeMutablePointer<Double>
  ) {
    guard let first = rows.first(where: { !$0.isEmpty }) else { return }
    var index = UInt64(1 + first.lowerBound + n * column)
    var x = state(at: index)
    var out = destination
    // Gaps between a process's row blocks repeat: remember the last jump.
    var lastGap: UInt64 = 0
    var gapJump = Jump.identity
    for range in rows where !range.isEmpty {
      let start = UInt64(1 + range.lowerBound + n * column)
      if start != index {
        let gap = start - index
        if gap != lastGap {
          lastGap = gap
          gapJump = Jump.steps(gap)
        }
        x = gapJump.apply(x)
        index = start
      }
      for _ in range {
        out.pointee = Self.value(x)
        out += 1
        x = Self.multiplier &* x &+ Self.increment
      }
      index += UInt64(range.count)
    }
  }
}
