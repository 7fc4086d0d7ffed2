import ReportFormat

/// The benchmarks this build knows, by id.
public struct BenchmarkRegistry: Sendable {
  public private(set) var descriptors: [BenchmarkDescriptor]

  public init(_ descriptors: [BenchmarkDescriptor]) { self.descriptors = descriptors }

  /// Every benchmark Suanli ships.
  public static let standard = BenchmarkRegistry(
    StreamBenchmark.descriptors() + [HPLBenchmark.descriptor()] + GEMMBenchmark.descriptors()
      + [MxPBenchmark.descriptor(), HPCGBenchmark.descriptor(), EnergyIdleBenchmark.descriptor()]
      + StorageBenchmarks.descriptors()
      + InterconnectBenchmarks.descriptors()
      + TestBenchmarks.descriptors())

  public var ids: [String] { descriptors.map(\.id) }

  /// Every result id the benchmarks produce (`stream` produces stream.copy ... stream.triad).
  public var resultIDs: Set<String> { Set(descriptors.flatMap(\.produces)) }

  /// The benchmark that produces result `id` (itself when `id` is a benchmark id).
  public func producer(of id: String) -> BenchmarkDescriptor? {
    descriptor(id) ?? descriptors.first { $0.produces.contains(id) }
  }

  public func descriptor(_ id: String) -> BenchmarkDescriptor? {
    descriptors.first { $0.id == id }
  }
}

/// Figures that need several results of one run: added once the suite has run (HPL-MxP's
/// speed-up over HPL at the same order; HPCG over HPL and over STREAM; storage reads faster than memory could serve them).
public enum DerivedFigures {
  public static func add(to results: inout [BenchmarkResult]) {
    MxPBenchmark.addSpeedup(to: &results)
    HPCGBenchmark.addRatios(to: &results)
    StorageBenchmarks.flagCachedReads(in: &results)
  }
}
