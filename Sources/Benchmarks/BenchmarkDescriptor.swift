import Communication
import ReportFormat

/// What a benchmark gets when it runs: the node, a sink for progress lines (stderr), and the
/// seconds left in the suite's time budget (nil: no budget), for benchmarks that size themselves.
public struct BenchmarkContext: Sendable {
  public let node: NodeProfile
  public let progress: @Sendable (String) -> Void
  public let remainingSeconds: Double?
  /// MPI_COMM_WORLD when the run was started by a launcher, else nil.
  public let communicator: Communicator?
  /// Where this rank sits in a job of several ranks (its node, the node leaders), else nil.
  public let job: JobLayout?
  /// Called by a collective benchmark's watchdog, from its thread, when the benchmark will
  /// never return (a rank died or hangs), just before it aborts the job: rank 0 writes the
  /// report with what completed.
  public let stalled: @Sendable (_ reason: String) -> Void

  public init(
    node: NodeProfile, progress: @escaping @Sendable (String) -> Void,
    remainingSeconds: Double? = nil, communicator: Communicator? = nil, job: JobLayout? = nil,
    stalled: @escaping @Sendable (String) -> Void = { _ in }
  ) {
    self.node = node
    self.progress = progress
    self.remainingSeconds = remainingSeconds
    self.communicator = communicator
    self.job = job
    self.stalled = stalled
  }
}

/// A benchmark as the registry knows it: a stable dotted id, its parameters, its validity
/// check, a resource check that runs before anything allocates, and the run itself.
public struct BenchmarkDescriptor: Sendable {
  public var id: String
  public var summary: String
  /// The check every result must pass to count (printed by `suanli list`).
  public var validity: String
  /// The result ids a run produces (`stream` produces stream.copy ... stream.triad).
  public var produces: [String]
  /// Runs on every MPI rank together (collective); node benchmarks run on every node's leader.
  public var usesMPI = false
  /// Whether an entry with these parameters is collective in a job of `ranks` ranks (nil:
  /// `usesMPI`). `hpl.fp64` is: distributed HPL over all ranks, or one node's HPL per node.
  public var collective: (@Sendable (_ values: ParameterValues, _ ranks: Int) -> Bool)? = nil
  /// The scope an entry's parameters fix, when they fix one ("node" or "job"); nil when it
  /// depends on the job. A suite may hold a result id twice only in two fixed, different scopes.
  public var fixedScope: (@Sendable (_ values: ParameterValues) -> String?)? = nil
  /// Refuses parameters a collective entry cannot honour in a job of `ranks` ranks
  /// (`ranksOnNode` on this node), before anything runs.
  public var collectivePreflight:
    (@Sendable (NodeProfile, ParameterValues, _ ranks: Int, _ ranksOnNode: Int) throws -> Void)? =
      nil
  /// Calls the communicator from a worker thread (not only the main thread): MPI must grant
  /// MPI_THREAD_SERIALIZED.
  public var communicatesFromThreads = false
  /// Skips only where the node lacks what it measures (energy.idle without an energy source):
  /// such a skip is the node's answer, not a gap in the run, and leaves the report complete.
  public var skipsWhereAbsent = false
  /// Runs its own energy meter (energy.idle): the runner does not put another around it.
  public var measuresEnergyItself = false
  /// Run by the parent when the child process that ran the benchmark did not end normally
  /// (killed at its time limit, interrupted, crashed): removes what the child could not (the
  /// storage benchmarks' files, named with the child's process id).
  public var afterAbnormalEnd: (@Sendable (_ values: ParameterValues, _ childPID: Int32) -> Void)? =
    nil
  public var parameters: [ParameterSpec]
  /// Refuses parameters the node cannot honour (memory), before the run allocates.
  public var preflight: @Sendable (NodeProfile, ParameterValues) throws -> Void
  /// Runs with resolved parameters; returns one result per id it measures.
  public var run: @Sendable (BenchmarkContext, ParameterValues) throws -> [BenchmarkResult]

  public init(
    id: String, summary: String, validity: String, produces: [String]? = nil,
    parameters: [ParameterSpec],
    preflight: @escaping @Sendable (NodeProfile, ParameterValues) throws -> Void,
    run: @escaping @Sendable (BenchmarkContext, ParameterValues) throws -> [BenchmarkResult]
  ) {
    self.id = id
    self.summary = summary
    self.validity = validity
    self.produces = produces ?? [id]
    self.parameters = parameters
    self.preflight = preflight
    self.run = run
  }

  public func spec(_ name: String) -> ParameterSpec? { parameters.first { $0.name == name } }

  /// Whether an entry with `values` runs on all ranks together in a job of `ranks` ranks.
  public func isCollective(_ values: ParameterValues, ranks: Int) -> Bool {
    collective?(values, ranks) ?? usesMPI
  }

  /// The defaults of every parameter.
  public var defaults: ParameterValues {
    ParameterValues(Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.defaultValue) }))
  }
}

/// A benchmark with a `scope` parameter (auto, node, job) that runs on each node or across
/// the whole job: hpl.fp64, hpcg.
extension BenchmarkDescriptor {
  /// Across the job when `scope` is job, or auto in a job of several ranks.
  public static func runsAcrossJob(_ values: ParameterValues, ranks: Int) -> Bool {
    switch values.string("scope") {
    case "job": return true
    case "node": return false
    default: return ranks > 1
    }
  }

  /// Collective as `runsAcrossJob` says; the scope fixed unless auto.
  mutating func scopedByParameter() {
    collective = { values, ranks in Self.runsAcrossJob(values, ranks: ranks) }
    fixedScope = { values in
      let scope = values.string("scope")
      return scope == "auto" ? nil : scope
    }
  }
}

/// Parameters every timed benchmark takes.
public enum CommonParameters {
  public static func repeats(_ value: Int) -> ParameterSpec {
    ParameterSpec(
      name: "repeats", kind: .integer(1...100_000), defaultValue: .int(value),
      help: "timed repetitions, every one kept as a sample")
  }

  public static func warmup(_ value: Int) -> ParameterSpec {
    ParameterSpec(
      name: "warmup", kind: .integer(0...1000), defaultValue: .int(value),
      help: "untimed repetitions first (recorded apart)")
  }

  public static let threads = ParameterSpec(
    name: "threads", kind: .integer(0...65_536), defaultValue: .int(0),
    help: "worker threads, pinned one per core; 0 = one per core")
}
