import Foundation
import XCTest

@testable import Communication

/// The in-process world: MPI's matching and ordering rules, ranks that wait without spinning,
/// every default collective against a result computed by hand, and time-outs instead of hangs.
final class InProcessWorldTests: XCTestCase {
  func testMessagesOfOneSourceAndTagArriveInOrderAndTagsMatchApart() throws {
    let received = try InProcessWorld.run(ranks: 2) { comm -> [Int] in
      if comm.rank == 0 {
        for i in 0..<50 { try comm.send([i], to: 1, tag: 7) }
        try comm.send([1000], to: 1, tag: 8)
        return []
      }
      // Tag 8 was sent last but is received first: matching is by tag, order within a tag.
      var values = try comm.receive(Int.self, count: 1, from: 0, tag: 8)
      for _ in 0..<50 { values += try comm.receive(Int.self, count: 1, from: 0, tag: 7) }
      return values
    }
    XCTAssertEqual(received[1], [1000] + Array(0..<50))
  }

  func testEightRanksWaitWithoutSpinning() throws {
    // Seven ranks block on a receive while rank 0 sleeps 0.5 s: if they spun, the process
    // would burn ~7 × 0.5 s of CPU (on 2 cores, at least ~1 s); sleeping ranks burn almost none.
    let before = Self.cpuSeconds()
    let wall = Date()
    let values = try InProcessWorld.run(ranks: 8) { comm -> Int in
      if comm.rank == 0 {
        Thread.sleep(forTimeInterval: 0.5)
        for peer in 1..<comm.size { try comm.send([peer * 10], to: peer, tag: 1) }
        return 0
      }
      return try comm.receive(Int.self, count: 1, from: 0, tag: 1)[0]
    }
    let cpu = Self.cpuSeconds() - before
    let elapsed = Date().timeIntervalSince(wall)
    XCTAssertEqual(values, [0, 10, 20, 30, 40, 50, 60, 70])
    XCTAssertGreaterThanOrEqual(elapsed, 0.5)
    XCTAssertLessThan(cpu, 0.25, "waiting ranks used \(cpu) s of CPU in \(elapsed) s: spinning")
  }

  func testCollectivesAgainstHandComputedResults() throws {
    let ranks = 6
    let results = try InProcessWorld.run(ranks: ranks) { comm -> [String: [Double]] in
      var out: [String: [Double]] = [:]
      let r = Double(comm.rank)
      try comm.barrier()
      var root = comm.rank == 4 ? [3.5, -1.25, 8] : [0.0, 0, 0]
      try comm.broadcast(&root, root: 4)
      out["broadcast"] = root
      out["sum"] = try comm.allreduce([r, r * r, 1], .sum)
      out["max"] = try comm.allreduce([r, -r], .max)
      out["min"] = try comm.allreduce([r, -r], .min)
      out["intsum"] = [Double(try comm.allreduce(comm.rank * 3 + 1, .sum))]
      out["allgather"] = try comm.allgather([r, 10 * r])
      var gathered = [Double](repeating: -1, count: 2 * comm.size)
      let mine = [r + 0.5, r + 0.25]
      try mine.withUnsafeBytes { input in
        try gathered.withUnsafeMutableBytes { output in
          try comm.gather(
            input.baseAddress!, count: 2, type: .float64,
            into: comm.rank == 2 ? output.baseAddress : nil, root: 2)
        }
      }
      out["gather"] = comm.rank == 2 ? gathered : []
      // A ring exchange: every rank sends right and receives from the left, at once.
      var left = [0.0]
      let right = [r * 100]
      try right.withUnsafeBytes { send in
        try left.withUnsafeMutableBytes { receive in
          try comm.sendReceive(
            send.baseAddress!, sendCount: 1, to: (comm.rank + 1) % comm.size,
            receive.baseAddress!, receiveCount: 1, from: (comm.rank + comm.size - 1) % comm.size,
            type: .float64, tag: 3)
        }
      }
      out["ring"] = left
      let texts = try comm.gather("rank \(comm.rank) says hi")
      out["texts"] = texts.map { Double($0.count) }
      return out
    }
    let n = Double(ranks)
    for (rank, out) in results.enumerated() {
      XCTAssertEqual(out["broadcast"], [3.5, -1.25, 8])
      XCTAssertEqual(out["sum"], [n * (n - 1) / 2, 55, n])  // 0+1+4+9+16+25 = 55
      XCTAssertEqual(out["max"], [n - 1, 0])
      XCTAssertEqual(out["min"], [0, -(n - 1)])
      XCTAssertEqual(out["intsum"], [3 * 15 + 6])
      XCTAssertEqual(out["allgather"], [0, 0, 1, 10, 2, 20, 3, 30, 4, 40, 5, 50])
      XCTAssertEqual(out["ring"], [Double((rank + ranks - 1) % ranks) * 100])
      if rank == 2 {
        XCTAssertEqual(
          out["gather"], (0..<ranks).flatMap { [Double($0) + 0.5, Double($0) + 0.25] })
      }
      XCTAssertEqual(out["texts"], rank == 0 ? Array(repeating: 14, count: ranks) : [])  // "rank r says hi"
    }
  }

  func testSplitOrdersByKeyAndNodesComeFromPlacement() throws {
    // Colour by parity, key reversed: the odd communicator is ordered 5, 3, 1.
    let seen = try InProcessWorld.run(ranks: 6, ranksPerNode: 2) { comm -> [Int] in
      let half = try comm.split(color: comm.rank % 2, key: -comm.rank)
      let members = try half.allgather(comm.rank)
      let node = try comm.splitByNode()
      let nodeMembers = try node.allgather(comm.rank)
      // Messages in a split communicator never meet those of the parent.
      if half.rank == 0 { try half.send([42], to: 1, tag: 1) }
      if comm.rank == 0 { try comm.send([7], to: 1, tag: 1) }
      var extra: [Int] = []
      if half.rank == 1 { extra += try half.receive(Int.self, count: 1, from: 0, tag: 1) }
      if comm.rank == 1 { extra += try comm.receive(Int.self, count: 1, from: 0, tag: 1) }
      return [half.rank, half.size] + members + [-1] + nodeMembers + [-2] + extra
    }
    XCTAssertEqual(seen[5], [0, 3, 5, 3, 1, -1, 4, 5, -2])
    XCTAssertEqual(seen[1], [2, 3, 5, 3, 1, -1, 0, 1, -2, 7])
    XCTAssertEqual(seen[4], [0, 3, 4, 2, 0, -1, 4, 5, -2])
    XCTAssertEqual(seen[2], [1, 3, 4, 2, 0, -1, 2, 3, -2, 42])
    XCTAssertEqual(seen[3], [1, 3, 5, 3, 1, -1, 2, 3, -2, 42])
  }

  func testARankThatNeverSendsIsATimeOutNotAHang() {
    let start = Date()
    XCTAssertThrowsError(
      try InProcessWorld.run(ranks: 3, timeoutSeconds: 0.3) { comm -> Int in
        if comm.rank == 0 { return try comm.receive(Int.self, count: 1, from: 1, tag: 5)[0] }
        if comm.rank == 2 { try comm.barrier() }
        return 0
      }
    ) { error in
      XCTAssertEqual(
        String(describing: error),
        "rank 0: receive from rank 1 (tag 5) did not complete within 0.3 s (a peer never sent, or hangs)"
      )
    }
    XCTAssertLessThan(Date().timeIntervalSince(start), 5, "the waiting ranks must stop soon after")
  }

  func testAFailingRankStopsTheOthers() {
    struct Broken: Error, CustomStringConvertible { var description: String { "broken" } }
    let start = Date()
    XCTAssertThrowsError(
      try InProcessWorld.run(ranks: 4, timeoutSeconds: 30) { comm -> Int in
        if comm.rank == 2 { throw Broken() }
        try comm.barrier()
        return 0
      }
    ) { error in XCTAssertEqual(String(describing: error), "broken") }
    XCTAssertLessThan(Date().timeIntervalSince(start), 5, "not the 30 s time-out")
  }

  func testTruncationDelayAndNonBlockingReceives() throws {
    let outcome = try InProcessWorld.run(
      ranks: 2, delay: { _, _, bytes in bytes == 16 ? 0.2 : 0 }
    ) { comm -> [Double] in
      if comm.rank == 0 {
        try comm.send([1.0, 2.0], to: 1, tag: 1)  // 16 bytes: held back 0.2 s
        try comm.send([1.0, 2.0, 3.0], to: 1, tag: 2)
        return []
      }
      let start = comm.time()
      var buffer = [0.0, 0.0]
      let pending = try buffer.withUnsafeMutableBytes {
        try comm.startReceive($0.baseAddress!, count: 2, type: .float64, from: 0, tag: 1)
      }
      let early = try pending.test()
      try pending.wait()
      let waited = comm.time() - start
      var truncated = false
      do { _ = try comm.receive(Double.self, count: 2, from: 0, tag: 2) } catch let error
        as CommunicationError
      {
        if case .truncated(_, _, 16, 24) = error { truncated = true }
      }
      return [early ? 1 : 0, waited, truncated ? 1 : 0] + buffer
    }
    XCTAssertEqual(outcome[1][0], 0, "the delayed message cannot be there at once")
    XCTAssertGreaterThanOrEqual(outcome[1][1], 0.19)
    XCTAssertEqual(outcome[1][2], 1, "a 24-byte message for a 16-byte buffer is an error")
    XCTAssertEqual(Array(outcome[1][3...]), [1.0, 2.0])
  }

  func testReductionsOfEveryElementType() {
    var bytes: [UInt8] = [3, 250]
    let other: [UInt8] = [4, 5]
    ReduceOperation.max.combine(into: &bytes, other, count: 2, type: .byte)
    XCTAssertEqual(bytes, [4, 250])
    var floats: [Float] = [1.5, -2]
    ReduceOperation.sum.combine(into: &floats, [0.25, 2] as [Float], count: 2, type: .float32)
    XCTAssertEqual(floats, [1.75, 0])
    var ints: [Int32] = [7, -3]
    ReduceOperation.min.combine(into: &ints, [8, -9] as [Int32], count: 2, type: .int32)
    XCTAssertEqual(ints, [7, -9])
    XCTAssertEqual(ElementType.allCases.map(\.size), [1, 4, 8, 4, 8])
  }

  /// User + system CPU time of this process.
  static func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
      + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
  }
}
