import Communication
import Foundation
import Kernels
import Measurement
import ReportFormat

/// Sequential bandwidth of a filesystem shared by the nodes of a job, in IO500's ior-easy
/// shape: every node's leader writes its own files into one folder at the same time, and every
/// node reads (and checks) the files the next node wrote, so that no client cache can serve
/// what it reads. `scope: job` on io.seq.write and io.seq.read.
extension StorageBenchmarks {
  static func runShared(
    id: String, write: Bool, _ context: BenchmarkContext, _ values: ParameterValues
  ) throws -> [BenchmarkResult] {
    let leaders: Communicator
    if let job = context.job {
      // The other ranks of each node wait: one writer per node, as a node benchmark.
      guard let group = job.leaders else { return [] }
      leaders = group
    } else {
      leaders = InProcessWorld(size: 1).communicator(rank: 0)
    }
    return try shared(id: id, write: write, leaders: leaders, values: values, progress: context.progress)
      .map { [$0] } ?? []
  }

  /// The run on `leaders` (one rank per node, node k = rank k): the result on rank 0, nil on
  /// the others. Every step ends with every rank knowing whether any failed, so that a node
  /// that cannot go on never leaves the others waiting; the line names the node.
  public static func shared(
    id: String, write: Bool, leaders: Communicator, values: ParameterValues,
    progress: (String) -> Void
  ) throws -> BenchmarkResult? {
    let nodes = leaders.size
    let node = leaders.rank
    let streams = values.int("streams")
    let direct = values["direct"] != .bool(false)
    /// Runs `body` here, then tells every rank which nodes failed: the first failure is thrown
    /// on every rank.
    func together<T>(_ body: () throws -> T) throws -> T {
      var value: T? = nil
      var problem = ""
      do { value = try body() } catch { problem = String(describing: error) }
      let problems = try leaders.allgather(problem, width: 1024)
      if let first = problems.firstIndex(where: { !$0.isEmpty }) {
        let message = problems[first]
        throw BenchmarkError.resources(
          benchmark: id,
          message: nodes == 1 || message.hasPrefix("node ") ? message : "node \(first): \(message)")
      }
      return value!
    }
    // Room for every node's files: they all land on the one filesystem.
    let (path, filesystem) = try together {
      try target(id, values, bytes: values.int("fileSize") * streams * nodes)
    }
    // Rank 0 makes the folder and the run's pattern seed; every node must see that folder.
    // Each node looks for it under its own `path` (the same string on every node of a real
    // job): a path that is not one shared filesystem is found here, before anything is timed.
    let made = try together { node == 0 ? try runFolder(id, path) : "" }
    let run = UInt64.random(in: 1...UInt64.max)
    let name = URL(fileURLWithPath: made).lastPathComponent
    let announced = try leaders.allgather(node == 0 ? "\(run) \(name)" : "", width: 4096)[0]
      .split(separator: " ", maxSplits: 1).map(String.init)
    let folder = "\(path)/\(announced[1])"
    let seed = UInt64(announced[0])!
    func io(_ owner: Int) -> SequentialIO {
      SequentialIO(
        folder: folder, streams: streams, fileSize: values.int("fileSize"),
        blockSize: values.int("blockSize"), direct: direct, streamBase: owner * streams, run: seed)
    }
    let mine = io(node)
    let neighbour = io((node + 1) % nodes)
    // Each node removes its own files; the last rmdir of the folder succeeds.
    defer { mine.removeFiles() }
    try together {
      guard FileManager.default.fileExists(atPath: folder) else {
        throw StorageError.path(
          "node \(node) does not see \(folder), which node 0 made: scope job needs a path on one filesystem shared by every node"
        )
      }
    }
    let (where_, fsParameters) = describe(filesystem)
    if node == 0 {
      progress(
        "\(id): \(nodes) node(s) × \(streams) × \(Humanize.format(Double(mine.fileSize), unit: .bytes)) at once, \(direct ? "O_DIRECT" : "buffered") on \(where_); each node reads the next node's files")
    }
    var samples: [Double] = []
    var wrong: [String] = []
    let preallocate = values["preallocate"] != .bool(false)
    if !write { _ = try together { try mine.write(preallocate: preallocate) } }  // untimed
    for _ in 0..<values.int("repeats") {
      try leaders.barrier()
      var seconds = 0.0
      _ = try TimedRegions.time(label: id) {
        seconds = try together { write ? try mine.write(preallocate: preallocate) : try neighbour.read() }
      }
      // From the common start to the last node's end.
      samples.append(try leaders.maxOverRanks(seconds))
      if write { wrong += try together { try neighbour.verify() } }
    }
    if !write { wrong += try together { try neighbour.verify() } }
    let found = try leaders.allgather(wrong.first ?? "", width: 1024).filter { !$0.isEmpty }
    guard node == 0 else { return nil }
    let bytes = Double(mine.totalBytes * nodes)
    var parameters = values.values
    parameters.merge(fsParameters) { $1 }
    parameters["nodes"] = .int(nodes)
    var notes: [String] = []
    if nodes == 1 {
      notes.append("one node: it read its own files back (IO500 reads another node's)")
    }
    notes += conditionNotes(filesystem, direct: direct, write: write)
    return BenchmarkResult(
      id: id, status: found.isEmpty ? .ok : .invalid, parameters: parameters, samples: samples,
      sampleUnit: .seconds, warmupSamples: [],
      metrics: bandwidthMetrics(bytes: bytes, samples: samples),
      validation: Validation(
        check: "every block read back by the next node equals the pattern written",
        passed: found.isEmpty, value: Double(found.count), bound: 0,
        detail: found.isEmpty
          ? "\(mine.blocks * streams * nodes) blocks of \(mine.blockSize) B, each read back and compared by another node than the one that wrote it"
          : found.prefix(3).joined(separator: "; ")),
      placement:
        "\(nodes) node(s) at once, \(streams) thread(s) each with a file of its own in one shared folder, pread/pwrite at queue depth 1, \(direct ? "O_DIRECT" : "buffered"); node k reads node k+1's files (IO500's ior-easy), on \(where_)",
      summary:
        "\(id) (job): \(Humanize.format(bytes / samples.min()!, unit: .bytesPerSecond)) from \(nodes) node(s) × \(streams) × \(Humanize.format(Double(mine.fileSize), unit: .bytes)), \(direct ? "direct" : "buffered")",
      notes: notes)
  }
}
