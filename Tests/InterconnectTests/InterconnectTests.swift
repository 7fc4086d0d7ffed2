import Communication
import Foundation
import Synchronization
import XCTest

@testable import Interconnect

final class PayloadTests: XCTestCase {
  func testBusBandwidthMatchesNCCLTestsDefinition() {
    // 2(n−1)/n: 1 for 2 ranks, 4/3 for 3, 1.75 for 8.
    XCTAssertEqual(Payload.busBandwidth(algorithmBandwidth: 10e9, ranks: 2), 10e9)
    XCTAssertEqual(Payload.busBandwidth(algorithmBandwidth: 9e9, ranks: 3), 12e9, accuracy: 1e-3)
    XCTAssertEqual(Payload.busBandwidth(algorithmBandwidth: 4e9, ranks: 8), 7e9, accuracy: 1e-3)
    XCTAssertEqual(Payload.busBandwidth(algorithmBandwidth: 4e9, ranks: 1), 0)
  }

  func testSizesAndIterations() {
    XCTAssertEqual(Payload.sizes(from: 1, to: 16), [1, 2, 4, 8, 16])
    XCTAssertEqual(Payload.sizes(from: 8, to: 64 << 20).count, 24)
    XCTAssertEqual(
      Payload.iterations(size: 8, small: (10_000, 100), large: (1_000, 10), scale: 1).0, 10_000)
    XCTAssertEqual(
      Payload.iterations(size: 1 << 20, small: (10_000, 100), large: (1_000, 10), scale: 0.01).0, 10
    )
  }

  func testCorruptionIsFound() {
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 64)
    defer { buffer.deallocate() }
    Payload.fill(buffer, size: 4096, rank: 1)
    XCTAssertNil(Payload.firstMismatch(buffer, size: 4096, rank: 1))
    XCTAssertEqual(Payload.firstMismatch(buffer, size: 4096, rank: 0), 0, "another rank's pattern")
    buffer.storeBytes(
      of: buffer.load(fromByteOffset: 3000, as: UInt8.self) ^ 0x10, toByteOffset: 3000,
      as: UInt8.self)
    XCTAssertEqual(Payload.firstMismatch(buffer, size: 4096, rank: 1), 3000)
  }

  func testAllreduceExpectationIsTheExactSum() {
    for ranks in 1...5 {
      for i in [0, 1, 250, 251, 1000] {
        let sum = (0..<ranks).reduce(0.0) { $0 + Payload.allreduceInput(index: i, rank: $1) }
        XCTAssertEqual(sum, Payload.allreduceExpected(index: i, ranks: ranks))
      }
    }
  }
}

/// Two ranks in one process (an `InProcessWorld`): the sweeps' logic and payload checks,
/// tested without an MPI launcher. `corruptAfter` flips one byte of every message larger than it.
enum LoopbackCommunicator {
  /// Runs `body` as both ranks on two threads; returns rank 0's value.
  static func run<T: Sendable>(
    corruptAfter: Int? = nil, _ body: @escaping @Sendable (Communicator) throws -> T
  ) -> T {
    var corrupt: InProcessWorld.Corruption? = nil
    if let limit = corruptAfter {
      corrupt = { bytes in if bytes.count > limit { bytes[bytes.count / 2] ^= 0x01 } }
    }
    do {
      return try InProcessWorld.run(ranks: 2, timeoutSeconds: 60, corrupt: corrupt, body)[0]
    } catch {
      fatalError("in-process world failed: \(error)")
    }
  }
}

final class SweepTests: XCTestCase {
  func testPingPongAndBandwidthOverLoopback() {
    let sizes = [1, 8, 1024, 65536]
    let pingpong = LoopbackCommunicator.run {
      try MPISweeps.pingpong($0, sizes: sizes, scale: 0.001)
    }
    XCTAssertNil(pingpong.payloadError)
    XCTAssertEqual(pingpong.points.map(\.size), sizes)
    XCTAssertTrue(pingpong.points.allSatisfy { $0.seconds > 0 && ($0.bandwidth ?? 0) > 0 })
    let bw = LoopbackCommunicator.run {
      try MPISweeps.bandwidth($0, sizes: sizes, scale: 0.05, window: 4, bidirectional: false)
    }
    XCTAssertNil(bw.payloadError)
    let bibw = LoopbackCommunicator.run {
      try MPISweeps.bandwidth($0, sizes: sizes, scale: 0.05, window: 4, bidirectional: true)
    }
    XCTAssertNil(bibw.payloadError)
  }

  func testCorruptedPayloadIsCaught() {
    let outcome = LoopbackCommunicator.run(corruptAfter: 512) {
      try MPISweeps.pingpong($0, sizes: [8, 4096], scale: 0.001)
    }
    XCTAssertNotNil(outcome.payloadError)
    XCTAssertTrue(
      outcome.payloadError?.contains("byte 2048 of a 4096-byte message") ?? false,
      outcome.payloadError ?? "")
  }

  func testAllreduceSumsAndReportsBusBandwidth() {
    let outcome = LoopbackCommunicator.run {
      try MPISweeps.allreduce($0, sizes: [8, 4096, 65536], scale: 0.01)
    }
    XCTAssertNil(outcome.payloadError)
    XCTAssertEqual(outcome.points.map(\.size), [8, 4096, 65536])
    for point in outcome.points {
      XCTAssertEqual(point.busBandwidth, point.bandwidth, "2(n−1)/n = 1 for two ranks")
    }
  }

  func testBarrier() {
    let outcome = LoopbackCommunicator.run { try MPISweeps.barrier($0, scale: 0.01) }
    XCTAssertEqual(outcome.points.count, 1)
    XCTAssertGreaterThan(outcome.points[0].seconds, 0)
  }
}

final class CoreToCoreTests: XCTestCase {
  func testRoundTripsAreCountedAndTimed() throws {
    let pair = try CoreToCore.measure(first: 0, second: 1, roundTrips: 2000, repeats: 3) { _ in }
    XCTAssertTrue(pair.countChecked)
    XCTAssertEqual(pair.samples.count, 3)
    XCTAssertGreaterThan(pair.seconds, 0)
  }

  func testPinningFailureIsReported() {
    struct NoSuchCore: Error {}
    XCTAssertThrowsError(
      try CoreToCore.measure(first: 0, second: 7, roundTrips: 10, repeats: 1) { core in
        if core == 7 { throw NoSuchCore() }
      })
  }

  func testPairSampling() {
    XCTAssertEqual(
      CoreToCore.pairs(cores: 3, limit: 0).map { [$0.0, $0.1] }, [[0, 1], [0, 2], [1, 2]])
    XCTAssertEqual(CoreToCore.pairs(cores: 64, limit: 10).count, 10)
    XCTAssertEqual(CoreToCore.pairs(cores: 1, limit: 0).count, 0)
  }
}

final class OneWayCorruptionTests: XCTestCase {
  func testOneWayBandwidthChecksTheReceiverAndCatchesCorruption() {
    let clean = LoopbackCommunicator.run {
      try MPISweeps.bandwidth($0, sizes: [1, 4096], scale: 0.05, window: 2, bidirectional: false)
    }
    XCTAssertNil(clean.payloadError)
    let corrupted = LoopbackCommunicator.run(corruptAfter: 1024) {
      try MPISweeps.bandwidth($0, sizes: [1, 4096], scale: 0.05, window: 2, bidirectional: false)
    }
    XCTAssertTrue(
      corrupted.payloadError?.hasPrefix("rank 1: byte 2048") ?? false,
      corrupted.payloadError ?? "nil")
  }
}
