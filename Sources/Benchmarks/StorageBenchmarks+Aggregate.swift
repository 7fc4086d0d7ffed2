import Foundation
import Kernels
import Measurement
import ReportFormat

/// `io`: every storage benchmark in an order where reads read what this run wrote, on one
/// folder, then an IO500-like combined figure of their bandwidths and metadata rates.
extension StorageBenchmarks {
  /// The parameters `io` passes on to each part that has one of the same name.
  static let shared = ["path", "direct", "allowMemoryFilesystem", "fileSize", "streams", "queueDepth", "files", "stonewallSeconds"]

  static func aggregate(_ parts: [BenchmarkDescriptor]) -> BenchmarkDescriptor {
    var specs: [ParameterSpec] = []
    for name in shared {
      if let spec = parts.lazy.flatMap(\.parameters).first(where: { $0.name == name }) {
        specs.append(spec)
      }
    }
    let help = [
      "fileSize": "bytes per sequential stream, and of the random file",
      "streams": "sequential files and metadata threads at once",
      "stonewallSeconds": "seconds of each random pass and of the metadata create phase",
    ]
    specs = specs.map { spec in
      var spec = spec
      spec.help = (help[spec.name] ?? spec.help) + " (every part that has it)"
      return spec
    }
    @Sendable func values(of part: BenchmarkDescriptor, _ values: ParameterValues) -> ParameterValues {
      var resolved = ParameterValues(
        Dictionary(uniqueKeysWithValues: part.parameters.map { ($0.name, $0.defaultValue) }))
      for spec in part.parameters where shared.contains(spec.name) {
        resolved[spec.name] = values[spec.name]
      }
      return resolved
    }
    return BenchmarkDescriptor(
      id: "io",
      summary:
        "every storage benchmark on one folder (sequential, random, fsync, metadata, capacity) and an IO500-like combined figure",
      validity: "each part's own check; the combined figure only from valid parts",
      produces: parts.map(\.id) + [combinedID],
      parameters: specs,
      preflight: { node, given in
        for part in parts {
          do { try part.preflight(node, values(of: part, given)) } catch BenchmarkError
            .parameter(_, let parameter, let message) where shared.contains(parameter)
          {
            // The operator set io's parameter: the line names it, and the part it failed for.
            throw BenchmarkError.parameter(
              benchmark: "io", parameter: parameter, message: "\(message) (for \(part.id))")
          }
        }
      },
      run: { context, given in
        var results: [BenchmarkResult] = []
        for part in parts { results += try part.run(context, values(of: part, given)) }
        if let combined = combined(results) { results.append(combined) }
        return results
      })
  }

  static let combinedID = "io.combined"

  /// IO500's shape on one node's figures: √(geometric mean of the bandwidths in GiB/s ×
  /// geometric mean of the metadata rates in kIOPS); the bandwidths are the sequential write and
  /// read and the random write and read at depth (IO500's ior easy and hard), the rates every
  /// metadata phase. Nil when a part is missing or invalid: never a figure from fewer parts.
  public static func combined(_ results: [BenchmarkResult]) -> BenchmarkResult? {
    func valid(_ id: String) -> BenchmarkResult? { results.first { $0.id == id && $0.valid } }
    let bandwidthIDs = ["io.seq.write", "io.seq.read", "io.rand.write", "io.rand.read"]
    let bandwidths = bandwidthIDs.compactMap { valid($0)?.metric("bandwidth")?.value }
    let rates = ["io.md.easy", "io.md.hard"].compactMap(valid).flatMap { result in
      result.metrics.filter { $0.name.hasSuffix("Rate") }.map(\.value)
    }
    guard bandwidths.count == bandwidthIDs.count, valid("io.md.easy") != nil,
      valid("io.md.hard") != nil,
      let bandwidth = Statistics.geometricMean(bandwidths.map { $0 / 1_073_741_824 }),
      let metadata = Statistics.geometricMean(rates.map { $0 / 1000 })
    else { return nil }
    let score = (bandwidth * metadata).squareRoot()
    return BenchmarkResult(
      id: combinedID, status: .ok, parameters: [:], samples: [score], sampleUnit: .ratio,
      warmupSamples: [],
      metrics: [
        Metric(name: "score", value: score, unit: .ratio, polarity: .higherIsBetter),
        Metric(
          name: "bandwidth", value: bandwidth * 1_073_741_824, unit: .bytesPerSecond,
          polarity: .higherIsBetter),
        Metric(
          name: "metadataRate", value: metadata * 1000, unit: .operationsPerSecond,
          polarity: .higherIsBetter),
      ],
      validation: Validation(
        check: "computed from valid parts only", passed: true, value: nil, bound: nil,
        detail:
          "bandwidths of \(bandwidthIDs.joined(separator: ", ")); \(rates.count) metadata phase rates of io.md.easy and io.md.hard"
      ),
      placement: "derived from this run's storage results",
      summary:
        "io.combined: \(String(format: "%.3f", score)) IO500-like (bandwidth \(String(format: "%.3f", bandwidth)) GiB/s, metadata \(String(format: "%.3f", metadata)) kIOPS)",
      notes: [
        "IO500-like, not IO500: one node's folder, this run's sizes and stonewalls, no find phase and no ior-hard's 47008-byte shared-file writes; comparable only with other Suanli io runs"
      ])
  }

  /// A storage read faster than half of this node's STREAM copy bandwidth is more likely
  /// served by a cache (the page cache, a controller's or a hypervisor's) than by the device:
  /// the figure stays, with a note that says so.
  public static func flagCachedReads(in results: inout [BenchmarkResult]) {
    for index in results.indices where ["io.seq.read", "io.rand.read"].contains(results[index].id) {
      // The same node's STREAM (in a cluster report every node has its own).
      let node = results[index].node
      guard
        let copy = results.first(where: { $0.id == "stream.copy" && $0.valid && $0.node == node })?
          .metric("bandwidth")?.value,
        let read = results[index].metric("bandwidth")?.value, read > copy / 2
      else { continue }
      results[index].notes.append(
        "probably cached: \(Humanize.format(read, unit: .bytesPerSecond)) is more than half of this node's STREAM copy (\(Humanize.format(copy, unit: .bytesPerSecond))); a device rarely reads that fast, a cache does"
      )
    }
  }
}
