import Communication
import Kernels

/// One distributed HPL run's figures, the same on every rank.
public struct DistributedHPLOutcome: Sendable {
  public var n: Int
  public var nb: Int
  public var p: Int
  public var q: Int
  public var mapping: GridMapping
  public var options: DistributedLUOptions
  /// Wall time of factorisation + solve, the largest over ranks (HPL's rule).
  public var seconds: Double
  public var factorSeconds: Double
  public var solveSeconds: Double
  /// Each phase's time, the largest over ranks (the critical path, as HPL reports it).
  public var times: DistributedLUTimes
  public var singularColumn: Int?
  /// nil when the matrix was singular (no solution to check).
  public var check: HPLCheck?
  /// The solution, on every rank, when asked for (tests).
  public var solution: [Double]?
  /// The performance model's parts, measured on the grid before the run, and its prediction.
  public var model: HPLModel?
  public var prediction: HPLModel.Prediction?

  public var rate: Double { HPL.flops(n: n) / seconds }

  /// HPL's T/V code of what ran: W(all time), mapping R|C, depth, broadcast (HPL's digit), then
  /// the panel factorisation: right-looking recursion (R), NDIV 2, right-looking base (R),
  /// NBMIN 1.
  public var variant: String {
    "W" + (mapping == .row ? "R" : "C") + "\(options.depth)" + options.broadcast.code + "R2R1"
  }
}

/// HPL on a P×Q grid of `communicator`'s ranks, as xhpl runs it: generate [A | b] (HPL's
/// generator by default), barrier, time factorisation + solve, take the largest time over
/// ranks, regenerate and check the scaled residual across ranks.
public enum DistributedHPL {
  public struct Configuration: Sendable {
    public var n: Int
    public var nb: Int
    public var p: Int
    public var q: Int
    public var mapping: GridMapping = .row
    public var options = DistributedLUOptions()
    public var generator: MatrixGenerator = .hpl(seed: HPLMatrixGenerator.defaultSeed)
    /// Return the whole solution on every rank (tests).
    public var keepSolution = false
    /// Measure the performance model's parts first and predict the run.
    public var model = false

    public init(n: Int, nb: Int, p: Int, q: Int) {
      self.n = n
      self.nb = nb
      self.p = p
      self.q = q
    }
  }

  public enum Failure: Error, CustomStringConvertible {
    case memory(rank: Int, bytes: Int)

    public var description: String {
      switch self {
      case .memory(let rank, let bytes):
        return "rank \(rank) could not map \(bytes) bytes for its part of the matrix"
      }
    }
  }

  /// Collective over `communicator`, whose size must be P·Q. `team` is this rank's thread team.
  /// `prepare` changes the generated matrix before the timed run and before the check (tests:
  /// a singular matrix).
  public static func run(
    _ configuration: Configuration, communicator: Communicator, team: ThreadTeam,
    prepare: ((DistributedSystem) -> Void)? = nil
  ) throws -> DistributedHPLOutcome {
    let grid = try ProcessGrid(
      communicator, p: configuration.p, q: configuration.q, mapping: configuration.mapping)
    let n = configuration.n
    let nb = min(configuration.nb, n)
    let system = DistributedSystem(n: n, nb: nb, grid: grid)
    // Every rank must know if one of them could not allocate, or the others would wait forever.
    let missing = try communicator.allreduce(system == nil ? 1 : 0, .sum)
    guard let system, missing == 0 else {
      let bytes = DistributedSystem.requiredBytes(
        n: n, nb: nb, p: grid.p, q: grid.q, row: grid.myRow, column: grid.myColumn)
      throw Failure.memory(rank: system == nil ? communicator.rank : -1, bytes: bytes)
    }
    system.generate(configuration.generator, team: team)
    prepare?(system)
    var model: HPLModel? = nil
    if configuration.model {
      model = try HPLModel.measure(grid: grid, team: team, n: n, nb: nb)
    }
    let lu = DistributedLU(system: system, grid: grid, team: team, options: configuration.options)
    try communicator.barrier()
    let start = communicator.time()
    try lu.factor()
    let factored = communicator.time()
    var x: [Double] = []
    if lu.singularColumn == nil {
      // OpenBLAS's own threads for the dgemv, as many as the team's workers (who wait): its
      // default, every core of the node, oversubscribes the node when it runs several ranks.
      x = try BLAS.withThreads(team.size) { try DistributedSolve.solve(system, grid: grid) }
    }
    let solved = communicator.time()
    let maxima = try communicator.allreduce(
      [
        solved - start, factored - start, solved - factored, lu.times.panel,
        lu.times.broadcastWait, lu.times.swap, lu.times.update,
      ], .max)
    var times = DistributedLUTimes()
    times.panel = maxima[3]
    times.broadcastWait = maxima[4]
    times.swap = maxima[5]
    times.update = maxima[6]
    var outcome = DistributedHPLOutcome(
      n: n, nb: nb, p: grid.p, q: grid.q, mapping: grid.mapping, options: configuration.options,
      seconds: maxima[0], factorSeconds: maxima[1], solveSeconds: maxima[2], times: times,
      singularColumn: lu.singularColumn, check: nil, solution: nil, model: model,
      prediction: model?.predict(
        n: n, nb: nb, p: grid.p, q: grid.q, depth: configuration.options.depth,
        broadcast: configuration.options.broadcast))
    guard lu.singularColumn == nil else { return outcome }
    if configuration.keepSolution {
      outcome.solution = try DistributedSolve.gather(x, system, grid: grid)
    }
    system.generate(configuration.generator, team: team)
    prepare?(system)
    outcome.check = try DistributedCheck.check(system, grid: grid, x: x, team: team)
    return outcome
  }
}
