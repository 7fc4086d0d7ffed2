import Foundation
import Measurement

/// The four STREAM kernels (McCalpin). Bytes are counted as STREAM counts them: the arrays read
/// and written, 8 bytes per FP64 element each, no write-allocate traffic.
public enum StreamKernel: String, CaseIterable, Sendable {
  case copy  // c = a
  case scale  // b = s*c
  case add  // c = a + b
  case triad  // a = b + s*c

  public var bytesPerElement: Int {
    switch self {
    case .copy, .scale: return 16
    case .add, .triad: return 24
    }
  }
}

/// Three FP64 arrays of equal length, each its own anonymous mapping, not touched until
/// `StreamRun.initialize` so that the worker that owns each part touches it first (first-touch
/// NUMA placement). Transparent huge pages are requested (`madvise`): with 4 KiB pages the
/// triad measured ~5% lower here, from TLB misses, and with much more spread.
public final class StreamArrays: @unchecked Sendable {
  public let count: Int
  public let a: UnsafeMutablePointer<Double>
  public let b: UnsafeMutablePointer<Double>
  public let c: UnsafeMutablePointer<Double>
  /// True when the kernel accepted the huge-page request for all three arrays.
  public let hugePages: Bool
  private let regions: [UnsafeMutableRawPointer]
  private let regionBytes: Int

  /// Returns nil when the memory cannot be mapped.
  public init?(count: Int) {
    guard count > 0 else { return nil }
    self.count = count
    regionBytes = count * 8
    var regions: [UnsafeMutableRawPointer] = []
    var huge = true
    for _ in 0..<3 {
      let raw = mmap(nil, regionBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
      guard let raw, raw != MAP_FAILED else {
        for region in regions { munmap(region, count * 8) }
        return nil
      }
      huge = madvise(raw, regionBytes, MADV_HUGEPAGE) == 0 && huge
      regions.append(raw)
    }
    hugePages = huge
    self.regions = regions
    a = regions[0].bindMemory(to: Double.self, capacity: count)
    b = regions[1].bindMemory(to: Double.self, capacity: count)
    c = regions[2].bindMemory(to: Double.self, capacity: count)
  }

  deinit {
    for region in regions { munmap(region, regionBytes) }
  }
}

/// Per-array outcome of STREAM's check: the largest relative difference between each element
/// and the value the recurrence predicts.
public struct StreamCheck: Sendable, Equatable {
  public var maxRelativeError: [Double]  // a, b, c
  public var bound: Double
  public var expected: [Double]  // a, b, c
  public var firstBadIndex: Int?

  public var passed: Bool { maxRelativeError.allSatisfy { $0 <= bound } }
}

public enum StreamRun {
  public static let scalar = 3.0

  /// Every worker writes its own part: a = 1, b = 2, c = 0, then a = 2a (as STREAM does).
  public static func initialize(_ arrays: StreamArrays, team: ThreadTeam) {
    team.run { worker in
      let range = team.chunk(worker, of: arrays.count)
      for i in range {
        arrays.a[i] = 1
        arrays.b[i] = 2
        arrays.c[i] = 0
      }
      for i in range { arrays.a[i] = 2 * arrays.a[i] }
    }
  }

  /// Runs `kernel` over the whole arrays, each worker on its own part; returns seconds. The
  /// run is a timed region labelled with the kernel's result id (`counted` false for warm-ups).
  public static func time(
    _ kernel: StreamKernel, _ arrays: StreamArrays, team: ThreadTeam, counted: Bool = true
  ) -> Double {
    TimedRegions.time(label: "stream.\(kernel.rawValue)", counted: counted) {
      team.run { worker in
        let range = team.chunk(worker, of: arrays.count)
        apply(kernel, arrays, range)
      }
    }
  }

  /// One kernel on one range. The loops are kept in separate non-inlined functions so LLVM sees
  /// a plain loop over three pointers and vectorises it (with a runtime alias check).
  public static func apply(_ kernel: StreamKernel, _ arrays: StreamArrays, _ range: Range<Int>) {
    let n = range.count
    guard n > 0 else { return }
    let a = arrays.a + range.lowerBound
    let b = arrays.b + range.lowerBound
    let c = arrays.c + range.lowerBound
    switch kernel {
    case .copy: copy(c, a, n)
    case .scale: scale(b, c, scalar, n)
    case .add: add(c, a, b, n)
    case .triad: triad(a, b, c, scalar, n)
    }
  }

  @inline(never)
  static func copy(_ dst: UnsafeMutablePointer<Double>, _ src: UnsafePointer<Double>, _ n: Int) {
    for i in 0..<n { dst[i] = src[i] }
  }

  @inline(never)
  static func scale(
    _ dst: UnsafeMutablePointer<Double>, _ src: UnsafePointer<Double>, _ s: Double, _ n: Int
  ) {
    for i in 0..<n { dst[i] = s * src[i] }
  }

  @inline(never)
  static func add(
    _ dst: UnsafeMutablePointer<Double>, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>,
    _ n: Int
  ) {
    for i in 0..<n { dst[i] = x[i] + y[i] }
  }

  @inline(never)
  static func triad(
    _ dst: UnsafeMutablePointer<Double>, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>,
    _ s: Double, _ n: Int
  ) {
    for i in 0..<n { dst[i] = x[i] + s * y[i] }
  }

  /// The reference: the same recurrence on three scalars, as STREAM's checkSTREAMresults
  /// replays it. Every element of the arrays went through exactly these operations.
  public static func expectedValues(kernels: [StreamKernel], iterations: Int) -> [Double] {
    var a = 2.0
    var b = 2.0
    var c = 0.0
    for _ in 0..<iterations {
      for kernel in StreamKernel.allCases where kernels.contains(kernel) {
        switch kernel {
        case .copy: c = a
        case .scale: b = scalar * c
        case .add: c = a + b
        case .triad: a = b + scalar * c
        }
      }
    }
    return [a, b, c]
  }

  /// Checks every element of the three arrays against the replayed recurrence.
  ///
  /// STREAM checks the *average* absolute error against 1e-13, which misses a single corrupted
  /// element in a large array. Here each element must match to within `bound` relative error:
  /// the arrays and the replay perform the same IEEE operations in the same order, so they agree
  /// exactly unless a compiler contracts `x + s*y` into an FMA (one rounding fewer per triad);
  /// 4 kernels x 2 roundings x iterations units of roundoff (ε = 2⁻⁵³) bound that difference.
  public static func verify(_ arrays: StreamArrays, kernels: [StreamKernel], iterations: Int)
    -> StreamCheck
  {
    let expected = expectedValues(kernels: kernels, iterations: iterations)
    let bound = Double(8 * max(iterations, 1)) * Double.ulpOfOne / 2
    var worst = [0.0, 0.0, 0.0]
    var firstBad: Int? = nil
    for (slot, array) in [arrays.a, arrays.b, arrays.c].enumerated() {
      let target = expected[slot]
      let scale = target == 0 ? 1 : abs(target)
      for i in 0..<arrays.count {
        let error = abs(array[i] - target) / scale
        // `!(error <= bound)` also catches NaN.
        if !(error <= bound) {
          if firstBad == nil { firstBad = i }
          if error.isNaN { worst[slot] = .infinity } else { worst[slot] = max(worst[slot], error) }
        } else if error > worst[slot] {
          worst[slot] = error
        }
      }
    }
    return StreamCheck(
      maxRelativeError: worst, bound: bound, expected: expected, firstBadIndex: firstBad)
  }
}
