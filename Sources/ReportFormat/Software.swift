/// The software a run used: anything that changes the numbers belongs here.
public struct Software: Codable, Sendable, Equatable {
  public var os: String
  public var kernel: String
  public var compiler: String
  public var blas: String?
  public var mpi: String?
  public var hwloc: String
  /// Environment variables that change performance (OMP_*, OPENBLAS_*, GOMP_*, KMP_*).
  public var environment: [String: String]

  public init(
    os: String, kernel: String, compiler: String, blas: String?, mpi: String?, hwloc: String,
    environment: [String: String]
  ) {
    self.os = os
    self.kernel = kernel
    self.compiler = compiler
    self.blas = blas
    self.mpi = mpi
    self.hwloc = hwloc
    self.environment = environment
  }
}

/// The suite as it ran: its name, the sha256 of its file, and each entry's effective parameters.
public struct SuiteRecord: Codable, Sendable, Equatable {
  public var name: String
  public var description: String
  public var file: String
  public var sha256: String
  public var timeBudgetSeconds: Double?
  /// Command-line overrides applied (`--set`, `--only`), verbatim.
  public var overrides: [String]

  public init(
    name: String, description: String, file: String, sha256: String,
    timeBudgetSeconds: Double?, overrides: [String]
  ) {
    self.name = name
    self.description = description
    self.file = file
    self.sha256 = sha256
    self.timeBudgetSeconds = timeBudgetSeconds
    self.overrides = overrides
  }
}
