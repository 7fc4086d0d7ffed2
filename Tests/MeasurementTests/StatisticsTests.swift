import XCTest

@testable import Measurement

final class StatisticsTests: XCTestCase {
  func testOddAndEvenMedians() throws {
    let odd = try XCTUnwrap(Statistics([5, 1, 3]))
    XCTAssertEqual(odd.median, 3)
    XCTAssertEqual(odd.min, 1)
    XCTAssertEqual(odd.max, 5)
    XCTAssertEqual(odd.mean, 3)
    let even = try XCTUnwrap(Statistics([4, 1, 3, 2]))
    XCTAssertEqual(even.median, 2.5)
  }

  func testCoefficientOfVariationUsesSampleStandardDeviation() throws {
    // mean 5, squared deviations 9+1+1+9 = 20, sample variance 20/3.
    let stats = try XCTUnwrap(Statistics([2, 4, 6, 8]))
    XCTAssertEqual(stats.cv, (20.0 / 3).squareRoot() / 5, accuracy: 4 * Double.ulpOfOne)
    XCTAssertEqual(Statistics([7])?.cv, 0)
  }

  func testEmptyOrNonFiniteSamplesHaveNoStatistics() {
    XCTAssertNil(Statistics([]))
    XCTAssertNil(Statistics([1, .nan]))
    XCTAssertNil(Statistics([.infinity]))
  }
}

final class HumanizeTests: XCTestCase {
  func testSIPrefixes() {
    XCTAssertEqual(Humanize.format(2.25e10, unit: .bytesPerSecond), "22.5 GB/s")
    XCTAssertEqual(Humanize.format(1.17e11, unit: .flopsPerSecond), "117 GFLOPS")
    XCTAssertEqual(Humanize.format(1.7e-7, unit: .seconds), "170 ns")
    XCTAssertEqual(Humanize.format(2.5e-6, unit: .seconds), "2.50 µs")
    XCTAssertEqual(Humanize.format(33_554_432, unit: .bytes), "32.0 MiB")
    XCTAssertEqual(Humanize.format(.nan, unit: .seconds), "n/a")
    XCTAssertEqual(Humanize.format(0, unit: .bytesPerSecond), "0 B/s")
  }

  func testFixedRounding() {
    XCTAssertEqual(Humanize.fixed(1.005, decimals: 1), "1.0")
    XCTAssertEqual(Humanize.fixed(-2.46, decimals: 1), "-2.5")
    XCTAssertEqual(Humanize.fixed(0.04, decimals: 1), "0.0")
    XCTAssertEqual(Humanize.fixed(12, decimals: 0), "12")
  }
}
