import Communication
import Foundation

/// A whole HPCG 3.1 run as the reference's main does it, on every rank together: the problem
/// set up (timed), the reference run of 50 iterations fixing the tolerance, the optimisation
/// phase (timed; here, making the solver's reusable vectors), the validation tests (spectral,
/// symmetry), the optimised run to the reference tolerance within 500 iterations, then as many
/// timed sets as `runSeconds` allows (each the optimised run's iteration count), the variance
/// of their residuals, and the rating with HPCG's official flop count, set-up and
/// optimisation time amortised over 10 sets.
public enum HPCGRun {
  public struct Configuration: Sendable {
    public var nx: Int
    public var ny: Int
    public var nz: Int
    public var runSeconds: Double
    public var smoother: HPCGSolver.Smoother = .symmetric
    /// HPCG's refMaxIters.
    public var referenceIterations = 50

    public init(nx: Int, ny: Int, nz: Int, runSeconds: Double) {
      (self.nx, self.ny, self.nz, self.runSeconds) = (nx, ny, nz, runSeconds)
    }
  }

  /// What every rank learns of the run (times are the maximum over ranks).
  public struct Outcome: Sendable {
    public var geometry: HPCGGeometry
    public var setupSeconds: Double
    public var optimizeSeconds: Double
    public var spectralIterations: (unpreconditioned: [Int], preconditioned: [Int])
    public var symmetry: (spmv: Double, mg: Double)
    public var referenceTolerance: Double
    /// The optimised run's iterations to the reference tolerance, and whether it got there.
    public var optimizedIterations: Int
    public var reachedTolerance: Bool
    /// Iterations per timed set (optMaxIters).
    public var iterationsPerSet: Int
    public var setSeconds: [Double]
    public var setResiduals: [Double]
    public var times: HPCGTimes
    public var model: HPCGModel

    public var sets: Int { setSeconds.count }
    /// TestNorms: the mean of the timed sets' scaled residuals (the first sample plus the mean
    /// departure from it), and their variance about it.
    public var residualMean: Double {
      guard let first = setResiduals.first else { return .nan }
      return first + setResiduals.reduce(0) { $0 + ($1 - first) } / Double(setResiduals.count)
    }
    public var residualVariance: Double {
      let mean = residualMean
      return setResiduals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(setResiduals.count)
    }

    /// HPCG's failures, each a sentence; empty when the run is VALID.
    public var failures: [String] {
      var list: [String] = []
      let (plain, preconditioned) = spectralIterations
      if plain.contains(where: { $0 > 12 }) {
        list.append(
          "spectral test: unpreconditioned CG took \(plain.map(String.init).joined(separator: ", ")) iterations (at most 12 expected)"
        )
      }
      if preconditioned.contains(where: { $0 > 2 }) {
        list.append(
          "spectral test: preconditioned CG took \(preconditioned.map(String.init).joined(separator: ", ")) iterations (at most 2 expected)"
        )
      }
      if !(symmetry.spmv <= 1) {
        list.append("symmetry test: SpMV departure \(symmetry.spmv) (at most 1 expected)")
      }
      if !(symmetry.mg <= 1) {
        list.append("symmetry test: MG departure \(symmetry.mg) (at most 1 expected)")
      }
      if !reachedTolerance {
        list.append(
          "the optimised run did not reduce the residual to the reference's \(referenceTolerance) within \(10 * 50) iterations"
        )
      }
      if !(residualVariance < 1e-6) {
        list.append("residual variance over the timed sets \(residualVariance) (below 1e-6 expected)")
      }
      return list
    }

    public var valid: Bool { failures.isEmpty }
    /// Runs shorter than this are not official HPCG results (ReportResults' minOfficialTime).
    public static let officialSeconds = 1800.0
    public var officialLength: Bool { times.total >= Self.officialSeconds }

    /// HPCG's "Total with convergence and optimization phase overhead": the reference
    /// iterations' flops over the timed sets' time plus a tenth of set-up and optimisation per
    /// set.
    public var rating: Double {
      let sets = Double(self.sets)
      return model.referenceFlops
        / (times.total + sets * (optimizeSeconds / 10 + setupSeconds / 10))
    }
    /// HPCG's "Raw Total": the flops done over the timed sets' time.
    public var rawRate: Double { model.flops / times.total }
    /// HPCG's "Raw Total B/W": the memory traffic model's bytes over the timed sets' time.
    public var bandwidth: Double { (model.reads + model.writes) / times.total }
  }

  /// Runs HPCG on `communicator`'s ranks; each rank gets the same outcome.
  public static func run(
    _ configuration: Configuration, communicator: Communicator,
    progress: @Sendable (String) -> Void = { _ in }
  ) throws -> Outcome {
    let c = configuration
    let lead = communicator.rank == 0
    func maximum(_ value: Double) throws -> Double { try communicator.allreduce(value, .max) }
    try communicator.barrier()
    var start = communicator.time()
    let geometry = HPCGGeometry(
      ranks: communicator.size, rank: communicator.rank, nx: c.nx, ny: c.ny, nz: c.nz)
    // The problem lives in the solver alone (the block ends the local copy), so the spectral
    // test scales its diagonal in place.
    var solver: HPCGSolver
    let setupSeconds: Double
    let optimizeSeconds: Double
    do {
      let problem = HPCGProblem(geometry)
      setupSeconds = try maximum(communicator.time() - start)
      start = communicator.time()
      solver = HPCGSolver(problem: problem, communicator: communicator, smoother: c.smoother)
      optimizeSeconds = try maximum(communicator.time() - start)
    }
    let columns = solver.problem.fine.columnCount
    let b = solver.problem.b
    if lead {
      progress(
        "hpcg: \(geometry.gnx)×\(geometry.gny)×\(geometry.gnz) on \(geometry.npx)×\(geometry.npy)×\(geometry.npz) ranks, set up in \(String(format: "%.2f", setupSeconds)) s"
      )
    }

    // The reference run: 50 iterations, whatever the residual; its reduction is the target.
    var x = [Double](repeating: 0, count: columns)
    let reference = try solver.cg(
      b: b, x: &x, maximumIterations: c.referenceIterations, tolerance: 0,
      preconditioned: true)
    let referenceTolerance = reference.scaledResidual

    let spectral = try solver.spectralTest()
    let symmetry = try solver.symmetryDepartures()

    // The optimised run: to the reference tolerance, at most 10× the reference iterations.
    for i in x.indices { x[i] = 0 }
    solver.times = HPCGTimes()
    let optimized = try solver.cg(
      b: b, x: &x, maximumIterations: 10 * c.referenceIterations,
      tolerance: referenceTolerance, preconditioned: true)
    let reached = optimized.scaledResidual <= referenceTolerance * (1 + 1e-6)
    let iterationsPerSet = max(c.referenceIterations, optimized.iterations)
    let worst = try maximum(solver.times.total)
    let sets = Int(c.runSeconds / worst) + 1
    if lead {
      progress(
        "hpcg: reference tolerance \(referenceTolerance) reached in \(optimized.iterations) iterations (\(String(format: "%.2f", worst)) s); \(sets) timed set(s) of \(iterationsPerSet)"
      )
    }

    // The timed sets.
    solver.times = HPCGTimes()
    var setSeconds: [Double] = []
    var residuals: [Double] = []
    for _ in 0..<sets {
      for i in x.indices { x[i] = 0 }
      let before = solver.times.total
      let outcome = try solver.cg(
        b: b, x: &x, maximumIterations: iterationsPerSet, tolerance: 0,
        preconditioned: true)
      setSeconds.append(try maximum(solver.times.total - before))
      residuals.append(outcome.scaledResidual)
    }
    let local = solver.times
    let times = try communicator.allreduce(
      [local.total, local.ddot, local.waxpby, local.spmv, local.mg], .max)
    var summed = HPCGTimes()
    (summed.total, summed.ddot, summed.waxpby, summed.spmv, summed.mg) = (
      times[0], times[1], times[2], times[3], times[4]
    )
    return Outcome(
      geometry: geometry, setupSeconds: setupSeconds, optimizeSeconds: optimizeSeconds,
      spectralIterations: spectral, symmetry: symmetry, referenceTolerance: referenceTolerance,
      optimizedIterations: optimized.iterations, reachedTolerance: reached,
      iterationsPerSet: iterationsPerSet, setSeconds: setSeconds, setResiduals: residuals,
      times: summed,
      model: HPCGModel(
        geometry: geometry, sets: sets, iterations: iterationsPerSet,
        referenceIterations: c.referenceIterations))
  }
}

/// HPCG's counts for the timed sets (ReportResults): the official flops, and the memory
/// traffic model's bytes read and written (raw: for the iterations done), from the global rows and nonzeros of each level
/// (closed forms), sets × iterations done, scaled to the reference's 50 for the rating.
public struct HPCGModel: Sendable, Equatable {
  public var flops: Double
  public var referenceFlops: Double
  public var reads: Double
  public var writes: Double

  public init(geometry: HPCGGeometry, sets: Int, iterations: Int, referenceIterations: Int) {
    var g = geometry
    var rows: [Double] = []
    var nnz: [Double] = []
    for _ in 0..<HPCGProblem.levelCount {
      rows.append(Double(g.gnx * g.gny * g.gnz))
      nnz.append(Double(HPCGProblem.nonzeros(gx: g.gnx, gy: g.gny, gz: g.gnz)))
      g = g.coarser
    }
    let s = Double(sets)
    let n = s * Double(iterations)
    let (double, index) = (8.0, 4.0)  // sizeof(double), sizeof(local_int_t)
    let vectorCalls = 3 * n + s  // 3 per iteration, 1 more per set (the preamble)
    let spmvCalls = n + s
    var flops = 2 * vectorCalls * 2 * rows[0] + spmvCalls * 2 * nnz[0]
    var reads = vectorCalls * 2 * rows[0] * double * 2
    var writes = vectorCalls * double + vectorCalls * rows[0] * double
    reads += spmvCalls * (nnz[0] * (double + index) + rows[0] * double)
    writes += spmvCalls * rows[0] * double
    let last = HPCGProblem.levelCount - 1
    for level in 0..<last {
      flops += n * (4 + 2 + 4) * nnz[level]  // pre-smoothing, residual, post-smoothing
      let sweep = 2 * nnz[level] * (double + index) + rows[level] * double
      reads += 2 * n * sweep + n * (nnz[level] * (double + index) + rows[level] * double)
      writes += n * rows[level] * double + n * nnz[level] * double + n * nnz[level] * double
    }
    flops += n * 4 * nnz[last]
    reads += n * (2 * nnz[last] * (double + index) + rows[last] * double)
    writes += n * rows[last] * double
    self.flops = flops
    referenceFlops = flops * Double(referenceIterations) / Double(iterations)
    // Raw counts (HPCG's "Raw Total B/W" divides these by the timed sets' time).
    self.reads = reads
    self.writes = writes
  }
}
