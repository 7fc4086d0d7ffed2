import Measurement

/// How a job of several ranks ran (schema v2).
public struct JobRecord: Codable, Sendable, Equatable {
  /// "mpirun (Open MPI)", "srun (Slurm)", ...: who started the ranks.
  public var launcher: String
  /// The MPI library's version line.
  public var mpi: String
  /// The thread level MPI granted ("single", "funneled", "serialized", "multiple").
  public var threadLevel: String
  public var ranks: Int
  public var nodes: Int
  /// Ranks on each node, by node index.
  public var ranksPerNode: [Int]
  /// How ranks were grouped into nodes (through MPI, never by host name).
  public var grouping: String
  /// How the nodes differ (CPU, cores, memory, clock, BLAS); empty when they are alike.
  public var heterogeneity: [String]
  /// The launcher's own description of the job (SLURM_JOB_ID, SLURM_JOB_NODELIST, ...).
  public var environment: [String: String]

  public init(
    launcher: String, mpi: String, threadLevel: String, ranks: Int, nodes: Int,
    ranksPerNode: [Int], grouping: String, heterogeneity: [String], environment: [String: String]
  ) {
    self.launcher = launcher
    self.mpi = mpi
    self.threadLevel = threadLevel
    self.ranks = ranks
    self.nodes = nodes
    self.ranksPerNode = ranksPerNode
    self.grouping = grouping
    self.heterogeneity = heterogeneity
    self.environment = environment
  }
}

/// One node metric over the nodes of a job: its spread, and the nodes worse than the median
/// by more than the metric's tolerance (HPL runs at the pace of its slowest node).
public struct NodeStatistic: Codable, Sendable, Equatable {
  public struct Outlier: Codable, Sendable, Equatable {
    public var node: Int
    public var hostname: String
    public var value: Double
    /// value / median: below 1 is worse for a higher-is-better metric, above 1 for a
    /// lower-is-better one.
    public var ratioToMedian: Double

    public init(node: Int, hostname: String, value: Double, ratioToMedian: Double) {
      self.node = node
      self.hostname = hostname
      self.value = value
      self.ratioToMedian = ratioToMedian
    }
  }

  /// The result id and metric name ("stream.triad", "bandwidth"); `size` for sweeps.
  public var id: String
  public var metric: String
  public var size: Int?
  public var unit: Unit
  public var polarity: Polarity
  public var nodes: Int
  public var min: Double
  public var median: Double
  public var max: Double
  /// Coefficient of variation over the nodes.
  public var cv: Double
  /// A node worse than the median by more than this fraction is an outlier.
  public var tolerance: Double
  public var outliers: [Outlier]

  public init(
    id: String, metric: String, size: Int?, unit: Unit, polarity: Polarity, nodes: Int,
    min: Double, median: Double, max: Double, cv: Double, tolerance: Double, outliers: [Outlier]
  ) {
    self.id = id
    self.metric = metric
    self.size = size
    self.unit = unit
    self.polarity = polarity
    self.nodes = nodes
    self.min = min
    self.median = median
    self.max = max
    self.cv = cv
    self.tolerance = tolerance
    self.outliers = outliers
  }
}
