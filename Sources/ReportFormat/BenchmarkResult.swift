import Measurement

/// What became of one benchmark of a suite.
public enum ResultStatus: String, Codable, Sendable {
  /// Ran and passed its validity check: its metrics count.
  case ok
  /// Ran, but the validity check failed: reported with the reason, never scored.
  case invalid
  /// Did not run (time budget exhausted, or not applicable here), with the reason in `notes`.
  case skipped
  /// Could not run (an error before or during the run), with the reason in `notes`.
  case failed
  /// Stopped at its time limit.
  case timedOut
  /// Its process died (signal), with the signal in `notes`.
  case crashed
}

/// The validity check of a result, printed with every number (STREAM, HPL rules).
public struct Validation: Codable, Sendable, Equatable {
  /// What was checked, e.g. "STREAM recurrence replay, relative error of each array".
  public var check: String
  public var passed: Bool
  /// The measured quantity of the check (e.g. the largest relative error).
  public var value: Double?
  /// The bound the value had to stay under.
  public var bound: Double?
  public var detail: String

  public init(check: String, passed: Bool, value: Double?, bound: Double?, detail: String) {
    self.check = check
    self.passed = passed
    self.value = value
    self.bound = bound
    self.detail = detail
  }
}

/// What a result measured.
public enum ResultScope: String, Codable, Sendable, Equatable {
  /// One node (its node benchmarks).
  case node
  /// The whole job: every rank together.
  case job
}

/// The accelerator a result ran on.
public struct DeviceUse: Codable, Sendable, Equatable {
  /// "cuda:0".
  public var id: String
  public var name: String
  public var architecture: String?
  public var pciBusID: String?
  /// Made with one of Suanli's test libraries: never a real measurement, never ranked.
  public var fake: Bool

  public init(id: String, name: String, architecture: String?, pciBusID: String?, fake: Bool) {
    self.id = id
    self.name = name
    self.architecture = architecture
    self.pciBusID = pciBusID
    self.fake = fake
  }
}

/// One benchmark's outcome: every sample, their statistics, the derived metrics, the check.
public struct BenchmarkResult: Codable, Sendable, Equatable {
  public var id: String
  public var status: ResultStatus
  public var valid: Bool
  public var parameters: [String: JSONValue]
  /// Per-repetition measurements in `sampleUnit` (seconds for timed kernels), warm-up excluded.
  public var samples: [Double]
  public var sampleUnit: Unit
  public var warmupSamples: [Double]
  public var statistics: Statistics?
  public var metrics: [Metric]
  public var validation: Validation?
  /// "native" or "emulated" where the precision could be either; nil otherwise.
  public var execution: String?
  /// How work was placed: threads, pinning.
  public var placement: String?
  /// A one-line human summary in the benchmark's own tradition (HPL's result line).
  public var summary: String?
  public var notes: [String]
  /// Schema v2: what the result measured — one node (`node`, with its index in a job of several
  /// nodes) or the whole job (`job`: MPI benchmarks, distributed HPL). Absent means one node.
  public var scope: ResultScope?
  public var node: Int?
  /// Schema v2, node benchmarks: what else used the node while it ran.
  public var conditions: RunConditions?
  /// Schema v2: the energy of the timed regions, where the node has an energy source.
  public var energy: EnergyRecord?
  /// Schema v2: set on a result imported from another tool's log — never a measurement of
  /// Suanli's; scored and compared only when asked for, and always labelled.
  public var imported: ImportedFigure?
  /// Schema v2: the accelerator the result ran on; absent for the node's CPUs.
  public var device: DeviceUse?

  public init(
    id: String, status: ResultStatus, parameters: [String: JSONValue], samples: [Double],
    sampleUnit: Unit, warmupSamples: [Double], metrics: [Metric], validation: Validation?,
    execution: String? = nil, placement: String? = nil, summary: String? = nil,
    notes: [String] = []
  ) {
    self.id = id
    self.status = status
    self.valid = status == .ok
    self.parameters = parameters
    self.samples = samples
    self.sampleUnit = sampleUnit
    self.warmupSamples = warmupSamples
    self.statistics = Statistics(samples)
    self.metrics = metrics
    self.validation = validation
    self.execution = execution
    self.placement = placement
    self.summary = summary
    self.notes = notes
  }

  /// A result for a benchmark that did not run (skipped or failed), with the reason.
  public static func notRun(
    id: String, status: ResultStatus, parameters: [String: JSONValue], reason: String
  ) -> BenchmarkResult {
    BenchmarkResult(
      id: id, status: status, parameters: parameters, samples: [], sampleUnit: .seconds,
      warmupSamples: [], metrics: [], validation: nil, notes: [reason])
  }

  /// The timed repetitions the samples stand for: one per sample, or, where each sample times a
  /// batch (a GPU's GEMMs, `parameters.gemmsPerSample`), the batch's size per sample. Energy per
  /// repetition and work per joule are counted over these.
  public var repetitions: Double {
    var perSample = 1.0
    if case .int(let batch)? = parameters["gemmsPerSample"], batch > 0 { perSample = Double(batch) }
    return Double(samples.count) * perSample
  }

  /// The metric named `name` (the first, for sweeps use `metrics` directly).
  public func metric(_ name: String) -> Metric? { metrics.first { $0.name == name } }
}
