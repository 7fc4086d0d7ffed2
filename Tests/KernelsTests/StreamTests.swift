import XCTest

@testable import Kernels

final class StreamTests: XCTestCase {
  /// Fills the arrays with fresh random values (never the STREAM constants), runs the fast
  /// kernel on a team, and compares with a plain loop on copies: the same IEEE operations, so
  /// they must agree exactly.
  func testKernelsMatchTheReferenceOnRandomDataAtOddSizes() {
    var generator = SystemRandomNumberGenerator()
    for count in [1, 3, 17, 64, 257, 1001] {
      for kernel in StreamKernel.allCases {
        let arrays = StreamArrays(count: count)!
        var a = (0..<count).map { _ in Double.random(in: -1...1, using: &generator) }
        var b = (0..<count).map { _ in Double.random(in: -1...1, using: &generator) }
        var c = (0..<count).map { _ in Double.random(in: -1...1, using: &generator) }
        for i in 0..<count { (arrays.a[i], arrays.b[i], arrays.c[i]) = (a[i], b[i], c[i]) }
        let team = ThreadTeam(unpinnedSize: 3)
        _ = StreamRun.time(kernel, arrays, team: team)
        let s = StreamRun.scalar
        for i in 0..<count {
          switch kernel {
          case .copy: c[i] = a[i]
          case .scale: b[i] = s * c[i]
          case .add: c[i] = a[i] + b[i]
          case .triad: a[i] = b[i] + s * c[i]
          }
        }
        for i in 0..<count {
          XCTAssertEqual(arrays.a[i], a[i], "\(kernel) n=\(count) a[\(i)]")
          XCTAssertEqual(arrays.b[i], b[i], "\(kernel) n=\(count) b[\(i)]")
          XCTAssertEqual(arrays.c[i], c[i], "\(kernel) n=\(count) c[\(i)]")
        }
      }
    }
  }

  func testExpectedValuesReplayTheRecurrence() {
    // One iteration from a=2, b=2, c=0: c=2, b=6, c=8, a=6+3*8=30.
    XCTAssertEqual(
      StreamRun.expectedValues(kernels: StreamKernel.allCases, iterations: 1), [30, 6, 8])
    // Triad alone: a = b + 3c = 2.
    XCTAssertEqual(StreamRun.expectedValues(kernels: [.triad], iterations: 3), [2, 2, 0])
  }

  private func runAll(count: Int, iterations: Int, kernels: [StreamKernel]) -> StreamArrays {
    let team = ThreadTeam(unpinnedSize: 2)
    let arrays = StreamArrays(count: count)!
    StreamRun.initialize(arrays, team: team)
    for _ in 0..<iterations {
      for kernel in kernels { _ = StreamRun.time(kernel, arrays, team: team) }
    }
    return arrays
  }

  func testAnHonestRunPasses() {
    for kernels in [StreamKernel.allCases, [.triad], [.copy, .add]] {
      let arrays = runAll(count: 4099, iterations: 5, kernels: kernels)
      let check = StreamRun.verify(arrays, kernels: kernels, iterations: 5)
      XCTAssertTrue(check.passed, "\(kernels): \(check)")
      XCTAssertNil(check.firstBadIndex)
    }
  }

  func testACorruptedElementIsCaughtInEveryArray() {
    for (slot, value) in [(0, 1.0), (1, -1.0), (2, Double.nan), (0, Double.infinity)] {
      let arrays = runAll(count: 100_003, iterations: 4, kernels: StreamKernel.allCases)
      let target = [arrays.a, arrays.b, arrays.c][slot]
      // One element in a hundred thousand, off by one unit: STREAM's average-error check would
      // miss it; the per-element check must not.
      target[77_777] += value
      let check = StreamRun.verify(arrays, kernels: StreamKernel.allCases, iterations: 4)
      XCTAssertFalse(check.passed, "array \(slot) += \(value)")
      XCTAssertEqual(check.firstBadIndex, 77_777)
    }
  }

  func testTooFewIterationsReplayedIsCaught() {
    // The arrays went through 4 iterations; checking against 3 must fail.
    let arrays = runAll(count: 1024, iterations: 4, kernels: StreamKernel.allCases)
    XCTAssertFalse(StreamRun.verify(arrays, kernels: StreamKernel.allCases, iterations: 3).passed)
  }

  func testBytesCountedAsSTREAMDoes() {
    XCTAssertEqual(StreamKernel.copy.bytesPerElement, 16)
    XCTAssertEqual(StreamKernel.scale.bytesPerElement, 16)
    XCTAssertEqual(StreamKernel.add.bytesPerElement, 24)
    XCTAssertEqual(StreamKernel.triad.bytesPerElement, 24)
  }
}
