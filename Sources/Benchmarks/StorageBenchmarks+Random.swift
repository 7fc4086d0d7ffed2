import Foundation
import Kernels
import Measurement
import ReportFormat

/// Random 4 KiB IO at queue depth 1 (latency) and at a deeper queue (IOPS), fio's
/// randread/randwrite with a random map, every block checked.
extension StorageBenchmarks {
  static func random(write: Bool) -> BenchmarkDescriptor {
    let id = write ? "io.rand.write" : "io.rand.read"
    return BenchmarkDescriptor(
      id: id,
      summary: write
        ? "random small-block writes on a laid-out file, at depth 1 (latency) and queueDepth (IOPS), fdatasync timed"
        : "random small-block reads of data this run wrote (untimed), at depth 1 (latency) and queueDepth (IOPS)",
      validity: write
        ? "the whole file read back after the passes: every block equals the pattern of the pass that last wrote it"
        : "every block read is compared, in place, with the pattern written",
      parameters: common() + [
        ParameterSpec(
          name: "fileSize", kind: .integer((1 << 20)...(1 << 42)), defaultValue: .int(256 << 20),
          help: "bytes of the file the blocks are spread over"),
        ParameterSpec(
          name: "blockSize", kind: .integer(4096...(1 << 24)), defaultValue: .int(4096),
          help: "bytes per request (a multiple of 4096)"),
        ParameterSpec(
          name: "queueDepth", kind: .integer(1...1024), defaultValue: .int(32),
          help:
            "requests outstanding in the IOPS pass: kernel AIO on one thread where direct, else a thread each (a depth-1 pass always runs too)"
        ),
        ParameterSpec(
          name: "stonewallSeconds", kind: .number(0.05...86_400), defaultValue: .double(3),
          help: "seconds each pass runs (a write pass ends sooner when every block is written)"),
        CommonParameters.repeats(2),
      ],
      preflight: { _, values in
        try requireMultiple(id, values, "blockSize", of: 4096)
        guard values.int("fileSize") >= values.int("blockSize") else {
          throw BenchmarkError.parameter(
            benchmark: id, parameter: "fileSize", message: "expected at least one block")
        }
        // The run keeps a random order and a generation per block: 8 bytes each.
        guard values.int("fileSize") / values.int("blockSize") <= 1 << 27 else {
          throw BenchmarkError.parameter(
            benchmark: id, parameter: "fileSize",
            message:
              "expected at most \(1 << 27) blocks of blockSize (8 bytes of bookkeeping each), got \(values.int("fileSize") / values.int("blockSize"))"
          )
        }
        _ = try target(id, values, bytes: values.int("fileSize"))
      },
      run: { context, values in [try runRandom(id: id, write: write, context, values)] })
  }

  static func engine(_ name: String, _ depth: Int) -> String {
    if name == "kernel AIO" { return "kernel AIO, one thread keeping \(depth) requests in flight" }
    return "\(depth) thread(s) each with one pread/pwrite outstanding" + name.dropFirst("threads".count)
  }

  static func requireMultiple(
    _ id: String, _ values: ParameterValues, _ name: String, of unit: Int
  ) throws {
    guard values.int(name) % unit == 0 else {
      throw BenchmarkError.parameter(
        benchmark: id, parameter: name,
        message: "expected a multiple of \(unit) (O_DIRECT alignment), got \(values.int(name))")
    }
  }

  static func runRandom(
    id: String, write: Bool, _ context: BenchmarkContext, _ values: ParameterValues
  ) throws -> BenchmarkResult {
    let (path, filesystem) = try target(id, values, bytes: values.int("fileSize"))
    let direct = values["direct"] != .bool(false)
    let depth = values.int("queueDepth")
    let seconds = values.double("stonewallSeconds")
    let folder = try runFolder(id, path)
    let io = RandomIO(
      folder: folder, fileSize: values.int("fileSize"), blockSize: values.int("blockSize"),
      direct: direct)
    defer { io.removeFiles() }
    let (where_, fsParameters) = describe(filesystem)
    let depths = depth == 1 ? [1] : [1, depth]
    context.progress(
      "\(id): \(Humanize.format(Double(io.blockSize), unit: .bytes)) blocks over \(Humanize.format(Double(io.fileSize), unit: .bytes)), depth \(depths.map(String.init).joined(separator: " and ")), \(Humanize.format(seconds, unit: .seconds)) a pass, \(direct ? "O_DIRECT" : "buffered") on \(where_)")
    var passes: [Int: [RandomIO.Pass]] = [:]
    var wrong: [String] = []
    var generation: UInt32 = 0
    do {
      try io.fill()  // laid out, untimed: writes overwrite allocated blocks, reads read data
      for _ in 0..<values.int("repeats") {
        for depth in depths {
          generation += 1
          var pass: RandomIO.Pass?
          _ = try TimedRegions.time(label: "\(id) depth \(depth)") {
            pass = try io.pass(
              write: write, depth: depth, seconds: seconds, limit: Int.max, pass: generation)
          }
          passes[depth, default: []].append(pass!)
          wrong += pass!.wrong
        }
      }
      if write { wrong += try io.verify() }
    } catch let error as StorageError {
      throw BenchmarkError.resources(benchmark: id, message: error.description)
    }
    let deep = passes[depth]!
    let shallow = passes[1]!
    let iops = deep.map(\.operationsPerSecond)
    let latencies = shallow.flatMap(\.latencies)
    let deepLatencies = deep.flatMap(\.latencies)
    let block = Double(io.blockSize)
    var metrics = [
      Metric(name: "iops", value: iops.max()!, unit: .operationsPerSecond, polarity: .higherIsBetter),
      Metric(
        name: "iopsMedian", value: Statistics(iops)!.median, unit: .operationsPerSecond,
        polarity: .higherIsBetter),
      Metric(
        name: "bandwidth", value: iops.max()! * block, unit: .bytesPerSecond,
        polarity: .higherIsBetter),
      Metric(
        name: "iopsDepth1", value: shallow.map(\.operationsPerSecond).max()!,
        unit: .operationsPerSecond, polarity: .higherIsBetter),
      Metric(
        name: "latency", value: Statistics(latencies)!.median, unit: .seconds,
        polarity: .lowerIsBetter),
      Metric(
        name: "latencyP99", value: Statistics.percentile(latencies, 0.99)!, unit: .seconds,
        polarity: .lowerIsBetter),
    ]
    if depth > 1 {
      metrics += [
        Metric(
          name: "latencyAtDepth", value: Statistics(deepLatencies)!.median, unit: .seconds,
          polarity: .lowerIsBetter),
        Metric(
          name: "latencyP99AtDepth", value: Statistics.percentile(deepLatencies, 0.99)!,
          unit: .seconds, polarity: .lowerIsBetter),
      ]
    }
    var notes = conditionNotes(filesystem, direct: direct, write: write)
    let all = passes.values.flatMap { $0 }
    if let short = all.first(where: { $0.seconds < seconds * 0.9 }) {
      notes.append(
        "a pass ended before its stonewall (\(Humanize.format(short.seconds, unit: .seconds)) of \(Humanize.format(seconds, unit: .seconds))): every block of the file was written; a larger fileSize gives a steadier figure"
      )
    }
    let operations = all.map(\.operations).reduce(0, +)
    let validation = Validation(
      check: write
        ? "the whole file read back equals the pattern of the pass that last wrote each block"
        : "every block read equals the pattern written",
      passed: wrong.isEmpty, value: Double(wrong.count), bound: 0,
      detail: wrong.isEmpty
        ? (write
          ? "\(operations) random writes, then \(io.blocks) blocks of \(io.blockSize) B read back and compared"
          : "\(operations) random reads, each compared")
        : wrong.prefix(3).joined(separator: "; "))
    var parameters = values.values
    parameters.merge(fsParameters) { $1 }
    return BenchmarkResult(
      id: id, status: wrong.isEmpty ? .ok : .invalid, parameters: parameters, samples: iops,
      sampleUnit: .operationsPerSecond, warmupSamples: [], metrics: metrics, validation: validation,
      placement:
        "one file, depth \(depth) by \(engine(deep[0].engine, depth)) (a depth-1 pass first, pread/pwrite), random order without repeats, \(direct ? "O_DIRECT, 4 KiB-aligned buffers" : "buffered"), on \(where_)",
      summary:
        "\(id): \(Humanize.format(iops.max()!, unit: .operationsPerSecond)) at depth \(depth), \(Humanize.format(Statistics(latencies)!.median, unit: .seconds)) median latency at depth 1 (\(Humanize.format(block, unit: .bytes)), \(direct ? "direct" : "buffered"))",
      notes: notes)
  }
}
