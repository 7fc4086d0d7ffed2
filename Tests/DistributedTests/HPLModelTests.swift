import Communication
import Foundation
import XCTest

@testable import Distributed
@testable import Kernels

/// The performance model against runs whose network is slowed on purpose: every message held
/// back α + bytes·β in the in-process world, so communication dominates and the prediction
/// must follow the measured time.
final class HPLModelTests: XCTestCase {
  func testPredictionFollowsRunsWithInjectedLatency() throws {
    let alpha = 0.001
    let beta = 1e-9
    for (p, q, depth) in [(1, 2, 1), (2, 1, 0), (2, 2, 1)] {
      var settings = DistributedHPL.Configuration(n: 256, nb: 32, p: p, q: q)
      settings.options.depth = depth
      settings.model = true
      let configuration = settings
      let outcomes = try InProcessWorld.run(
        ranks: p * q, timeoutSeconds: 60, delay: { _, _, bytes in alpha + Double(bytes) * beta }
      ) { comm in
        try DistributedHPL.run(configuration, communicator: comm, team: ThreadTeam(unpinnedSize: 1))
      }
      let outcome = outcomes[0]
      XCTAssertTrue(outcome.check?.passed ?? false)
      let model = try XCTUnwrap(outcome.model)
      let prediction = try XCTUnwrap(outcome.prediction)
      // The measured parts see the injected delay.
      XCTAssertGreaterThan(model.latency, alpha * 0.9, "\(p)x\(q)")
      let ratio = prediction.seconds / outcome.seconds
      print(
        "model \(p)x\(q) depth \(depth): predicted \(prediction.seconds) s, measured \(outcome.seconds) s, ratio \(ratio)"
      )
      XCTAssertGreaterThan(
        ratio, 0.6,
        "\(p)x\(q) depth \(depth): predicted \(prediction.seconds) s, measured \(outcome.seconds) s"
      )
      XCTAssertLessThan(
        ratio, 1.6,
        "\(p)x\(q) depth \(depth): predicted \(prediction.seconds) s, measured \(outcome.seconds) s"
      )
    }
  }

  /// HPL's analysis: a larger N or a faster network raises efficiency; a look-ahead hides the
  /// panel behind the update where a second thread can run it.
  func testModelBehavesAsHPLsAnalysis() {
    let model = HPLModel(
      gemmRate: 40e9, panelRate: 8e9, pivotExchange: 20e-6, latency: 10e-6, secondsPerByte: 1e-10,
      threads: 1)
    let small = model.predict(n: 10_000, nb: 192, p: 2, q: 4, depth: 1, broadcast: .ringModified)
    let large = model.predict(n: 40_000, nb: 192, p: 2, q: 4, depth: 1, broadcast: .ringModified)
    XCTAssertLessThan(small.efficiencyOfGEMM, large.efficiencyOfGEMM)
    XCTAssertLessThan(large.efficiencyOfGEMM, 1)
    var slow = model
    slow.latency = 1e-3
    slow.secondsPerByte = 1e-8
    XCTAssertLessThan(
      slow.predict(n: 10_000, nb: 192, p: 2, q: 4, depth: 1, broadcast: .ringModified)
        .efficiencyOfGEMM, small.efficiencyOfGEMM)
    var threaded = model
    threaded.threads = 8
    XCTAssertLessThan(
      threaded.predict(n: 10_000, nb: 192, p: 2, q: 4, depth: 0, broadcast: .ringModified).rate,
      threaded.predict(n: 10_000, nb: 192, p: 2, q: 4, depth: 1, broadcast: .ringModified).rate)
  }
}
