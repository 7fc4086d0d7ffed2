import Synchronization
import XCTest

@testable import Kernels

final class ThreadTeamTests: XCTestCase {
  func testChunksPartitionTheRangeOnCacheLineBounds() {
    for size in [1, 2, 3, 7] {
      let team = ThreadTeam(unpinnedSize: size)
      for count in [0, 1, 7, 8, 9, 63, 64, 1000, 1023] {
        let chunks = (0..<size).map { team.chunk($0, of: count) }
        XCTAssertEqual(chunks.first?.lowerBound, 0)
        XCTAssertEqual(chunks.last?.upperBound, count, "size \(size) count \(count)")
        for (a, b) in zip(chunks, chunks.dropFirst()) {
          XCTAssertEqual(a.upperBound, b.lowerBound)
          XCTAssertTrue(a.upperBound == count || a.upperBound % 8 == 0)
        }
      }
    }
  }

  func testEveryWorkerRunsOncePerJob() {
    let team = ThreadTeam(unpinnedSize: 3)
    let counts = Mutex([0, 0, 0])
    for _ in 0..<50 { team.run { index in counts.withLock { $0[index] += 1 } } }
    XCTAssertEqual(counts.withLock { $0 }, [50, 50, 50])
  }

  /// Workers must never touch a released team: dropping teams in a tight loop once aborted
  /// ("unowned reference ... already deallocated") when a woken worker read the freed team.
  func testTeamsCanBeReleasedWhileWorkersWake() {
    for round in 0..<300 {
      let team = ThreadTeam(unpinnedSize: 3)
      if round % 2 == 0 { team.run { _ in } }
    }
  }

  func testPlacementErrorsAreThrown() {
    struct Refused: Error {}
    XCTAssertThrowsError(try ThreadTeam(size: 2) { index in if index == 1 { throw Refused() } })
  }
}

final class BuildInfoTests: XCTestCase {
  func testMissingFeaturesAreThoseTheHostHasAndTheBuildLacks() {
    let built = Set(BuildInfo.isa)
    XCTAssertEqual(BuildInfo.missing(hostFlags: built), [])
    XCTAssertEqual(BuildInfo.missing(hostFlags: []), [])
  }

  func testProbesReturnPositiveRates() throws {
    let team = ThreadTeam(unpinnedSize: 1)
    XCTAssertGreaterThan(CoreProbe.clockHertz(team: team, seconds: 0.01), 1e6)
    XCTAssertGreaterThan(CoreProbe.fmaPeak(team: team, bits: 64, seconds: 0.01), 0)
    XCTAssertGreaterThan(CoreProbe.fmaPeak(team: team, bits: 32, seconds: 0.01), 0)
  }
}
