import Foundation
import Kernels
import Measurement
import ReportFormat

/// 存力, first part: sequential write and read bandwidth and write + fdatasync latency on a
/// folder the operator names, honest by default — O_DIRECT with aligned buffers, the fsync inside
/// the timed region, incompressible self-describing blocks, every block read back and compared,
/// memory filesystems refused, free space checked first, the files removed afterwards.
public enum StorageBenchmarks {
  public static func descriptors() -> [BenchmarkDescriptor] {
    let parts = [
      sequential(write: true), sequential(write: false), random(write: true),
      random(write: false), fsync(), metadata(.easy), metadata(.hard), capacity(),
    ]
    return (parts + [aggregate(parts)]).map { descriptor in
      var descriptor = descriptor
      descriptor.afterAbnormalEnd = { values, pid in removeRunFolders(values, pid: pid) }
      return descriptor
    }
  }

  /// The run folders a child `pid` left in `path` (it was killed before it could remove
  /// them): "suanli-<io id>-<pid>-<random>", made by mkdir for that run alone; removed whole,
  /// nothing else.
  public static func removeRunFolders(_ values: ParameterValues, pid: Int32) {
    let path = values.string("path")
    for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    where name.hasPrefix("suanli-io") && name.contains("-\(pid)-") {
      let parts = name.split(separator: "-")
      guard parts.count == 4, parts[2] == "\(pid)" else { continue }
      try? FileManager.default.removeItem(atPath: "\(path)/\(name)")
    }
  }

  static let defaultPath = "results/.io-scratch"

  static func common() -> [ParameterSpec] {
    [
      ParameterSpec(
        name: "path", kind: .text(expectation: "a folder path", accepts: { !$0.isEmpty }),
        defaultValue: .string(defaultPath),
        help:
          "the folder to measure (its parent must exist); a center points it at its parallel filesystem"
      ),
      ParameterSpec(
        name: "direct", kind: .flag, defaultValue: .bool(true),
        help: "O_DIRECT (true); false: buffered, with the fdatasync timed and the cache dropped before reads"
      ),
      ParameterSpec(
        name: "allowMemoryFilesystem", kind: .flag, defaultValue: .bool(false),
        help: "measure tmpfs or ramfs anyway (the result is memory, and says so)"),
    ]
  }

  static func sequential(write: Bool) -> BenchmarkDescriptor {
    let id = write ? "io.seq.write" : "io.seq.read"
    var descriptor = BenchmarkDescriptor(
      id: id,
      summary: write
        ? "sequential write bandwidth, large blocks, one file per stream, fdatasync timed"
        : "sequential read bandwidth of data this run wrote (untimed), one file per stream",
      validity:
        "every block read back (O_DIRECT, or after dropping the page cache) equals the self-describing pattern written",
      parameters: common() + [
        ParameterSpec(
          name: "fileSize", kind: .integer((1 << 20)...(1 << 42)), defaultValue: .int(256 << 20),
          help: "bytes per stream"),
        ParameterSpec(
          name: "blockSize", kind: .integer(4096...(1 << 28)), defaultValue: .int(1 << 20),
          help: "bytes per write or read (a multiple of 4096)"),
        ParameterSpec(
          name: "streams", kind: .integer(1...1024), defaultValue: .int(2),
          help: "files written or read at once, one thread each (fio's numjobs, psync)"),
        ParameterSpec(
          name: "preallocate", kind: .flag, defaultValue: .bool(true),
          help: "give each file its extents before the timed writes (fio's default fallocate=native)"),
        ParameterSpec(
          name: "scope", kind: .choice(["node", "job"]), defaultValue: .string("node"),
          help:
            "node: each node its own folder's files; job: every node at once on one shared folder, each reading the next node's files (IO500's ior-easy)"
        ),
        CommonParameters.repeats(3),
      ],
      preflight: { _, values in
        guard values.int("blockSize") % 4096 == 0 else {
          throw BenchmarkError.parameter(
            benchmark: id, parameter: "blockSize",
            message: "expected a multiple of 4096 (O_DIRECT alignment), got \(values.int("blockSize"))")
        }
        guard values.int("fileSize") >= values.int("blockSize") else {
          throw BenchmarkError.parameter(
            benchmark: id, parameter: "fileSize", message: "expected at least one block")
        }
        _ = try target(id, values, bytes: values.int("fileSize") * values.int("streams"))
      },
      run: { context, values in
        if values.string("scope") == "job" {
          return try runShared(id: id, write: write, context, values)
        }
        return [try runSequential(id: id, write: write, context, values)]
      })
    descriptor.collective = { values, _ in values.string("scope") == "job" }
    descriptor.fixedScope = { values in values.string("scope") }
    return descriptor
  }

  static func fsync() -> BenchmarkDescriptor {
    BenchmarkDescriptor(
      id: "io.fsync",
      summary: "durability latency: a small write followed by fdatasync, many times",
      validity: "the file read back equals the blocks written",
      parameters: common() + [
        ParameterSpec(
          name: "count", kind: .integer(10...1_000_000), defaultValue: .int(200),
          help: "write + fdatasync pairs"),
        ParameterSpec(
          name: "size", kind: .integer(4096...(1 << 20)), defaultValue: .int(4096),
          help: "bytes per write (a multiple of 4096)"),
      ],
      preflight: { _, values in
        guard values.int("size") % 4096 == 0 else {
          throw BenchmarkError.parameter(
            benchmark: "io.fsync", parameter: "size",
            message: "expected a multiple of 4096, got \(values.int("size"))")
        }
        _ = try target("io.fsync", values, bytes: values.int("count") * values.int("size"))
      },
      run: { context, values in [try runSync(context, values)] })
  }

  /// Usable capacity of the filesystem under `path` (statvfs): 存力 is first of all capacity.
  /// Reported and added up per center, not scored per node.
  static func capacity() -> BenchmarkDescriptor {
    BenchmarkDescriptor(
      id: "io.capacity",
      summary: "usable and free bytes of the filesystem under path (statvfs)",
      validity: "statvfs answered for the folder; the filesystem named",
      parameters: Array(common().prefix(1)) + [common()[2]],
      preflight: { _, values in _ = try target("io.capacity", values, bytes: 0) },
      run: { _, values in
        let (_, filesystem) = try target("io.capacity", values, bytes: 0)
        let (where_, fsParameters) = describe(filesystem)
        var parameters = values.values
        parameters.merge(fsParameters) { $1 }
        let total = Double(filesystem.totalBytes)
        return [
          BenchmarkResult(
            id: "io.capacity", status: .ok, parameters: parameters, samples: [total],
            sampleUnit: .bytes, warmupSamples: [],
            metrics: [
              Metric(name: "capacity", value: total, unit: .bytes, polarity: .higherIsBetter),
              Metric(
                name: "free", value: Double(filesystem.freeBytes), unit: .bytes,
                polarity: .higherIsBetter),
            ],
            validation: Validation(
              check: "statvfs of the folder", passed: true, value: nil, bound: nil,
              detail: "\(filesystem.type) at \(filesystem.mountPoint)"),
            placement: where_,
            summary:
              "io.capacity: \(Humanize.format(total, unit: .bytes)) (\(Humanize.format(Double(filesystem.freeBytes), unit: .bytes)) free) on \(where_)",
            notes: filesystem.inMemory ? ["\(filesystem.type) is memory, not storage"] : [])
        ]
      })
  }

  /// The folder, its filesystem, and the refusals: a missing parent, a memory filesystem, too
  /// little room. Nothing is written here.
  static func target(_ id: String, _ values: ParameterValues, bytes: Int) throws -> (
    path: String, filesystem: FilesystemInfo
  ) {
    let path = values.string("path")
    var isFolder: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
    if exists && !isFolder.boolValue {
      throw BenchmarkError.parameter(
        benchmark: id, parameter: "path", message: "\(path) is a file, not a folder")
    }
    var parent = URL(fileURLWithPath: path).deletingLastPathComponent()
    // The default folder (results/.io-scratch) is made when needed, results/ with it.
    if path == defaultPath {
      while !FileManager.default.fileExists(atPath: parent.path), parent.path != "/" {
        parent = parent.deletingLastPathComponent()
      }
    }
    let probed = exists ? path : parent.path
    guard FileManager.default.fileExists(atPath: probed) else {
      throw BenchmarkError.parameter(
        benchmark: id, parameter: "path", message: "\(parent.path) does not exist")
    }
    guard access(probed, W_OK) == 0 else {
      throw BenchmarkError.parameter(
        benchmark: id, parameter: "path", message: "\(probed) is not writable")
    }
    let filesystem: FilesystemInfo
    do { filesystem = try StorageProbe.filesystem(at: probed) } catch {
      throw BenchmarkError.parameter(benchmark: id, parameter: "path", message: error.description)
    }
    if filesystem.inMemory && !(values["allowMemoryFilesystem"] == .bool(true)) {
      throw BenchmarkError.parameter(
        benchmark: id, parameter: "path",
        message:
          "\(probed) is on \(filesystem.type) (memory, not storage); point path at a disk or parallel filesystem, or set allowMemoryFilesystem: true"
      )
    }
    let needed = bytes + bytes / 20 + (64 << 20)
    guard filesystem.freeBytes >= needed else {
      throw BenchmarkError.resources(
        benchmark: id,
        message:
          "\(probed) has \(Humanize.format(Double(filesystem.freeBytes), unit: .bytes)) free; the run needs \(Humanize.format(Double(needed), unit: .bytes))"
      )
    }
    return (path, filesystem)
  }

  /// Bandwidth from the best and the median repetition's seconds, and the bytes each moved.
  static func bandwidthMetrics(bytes: Double, samples: [Double]) -> [Metric] {
    [
      Metric(
        name: "bandwidth", value: bytes / samples.min()!, unit: .bytesPerSecond,
        polarity: .higherIsBetter),
      Metric(
        name: "bandwidthMedian", value: bytes / Statistics(samples)!.median,
        unit: .bytesPerSecond, polarity: .higherIsBetter),
      Metric(name: "bytesPerRepetition", value: bytes, unit: .bytes, polarity: .higherIsBetter),
    ]
  }

  /// What a result must say about how it was measured: memory allowed as storage, buffered IO.
  static func conditionNotes(_ filesystem: FilesystemInfo, direct: Bool, write: Bool) -> [String] {
    var notes: [String] = []
    if filesystem.inMemory {
      notes.append("\(filesystem.type) is memory, not storage: allowed by allowMemoryFilesystem")
    }
    if !direct {
      notes.append(
        write
          ? "buffered writes, the closing fdatasync inside the timed region"
          : "buffered reads after dropping the files' pages from the cache (posix_fadvise)")
    }
    return notes
  }

  /// A folder of this run's own inside `path` (created, never an existing one).
  static func runFolder(_ id: String, _ path: String) throws -> String {
    if !FileManager.default.fileExists(atPath: path) {
      try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    let folder = "\(path)/suanli-\(id)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    guard mkdir(folder, 0o700) == 0 else {
      throw BenchmarkError.resources(
        benchmark: id, message: "\(folder): mkdir: \(String(cString: strerror(errno)))")
    }
    return folder
  }

  /// "ext4 on /dev/vda (mounted on /, rw,relatime), virtio disk, not rotational".
  static func describe(_ filesystem: FilesystemInfo) -> (text: String, parameters: [String: JSONValue]) {
    var device = "device unknown"
    var parameters: [String: JSONValue] = [
      "filesystem": .string(filesystem.type), "mountPoint": .string(filesystem.mountPoint),
      "mountOptions": .string(filesystem.options), "source": .string(filesystem.source),
    ]
    if filesystem.source.hasPrefix("/dev/") {
      let name = String(filesystem.source.dropFirst(5))
      var sys = URL(fileURLWithPath: "/sys/class/block/\(name)").resolvingSymlinksInPath()
      if FileManager.default.fileExists(atPath: sys.appendingPathComponent("partition").path) {
        sys = sys.deletingLastPathComponent()
      }
      func read(_ file: String) -> String? {
        (try? String(contentsOf: sys.appendingPathComponent(file), encoding: .utf8))?
          .trimmingCharacters(in: .whitespacesAndNewlines)
      }
      let rotational = read("queue/rotational").map { $0 == "1" }
      let model = read("device/model").flatMap { $0.isEmpty ? nil : $0 }
      let virtual = sys.lastPathComponent.hasPrefix("vd") || sys.lastPathComponent.hasPrefix("xvd")
      device =
        [
          model ?? (virtual ? "virtio disk (virtual)" : sys.lastPathComponent),
          rotational.map { $0 ? "rotational" : "not rotational" },
        ].compactMap { $0 }.joined(separator: ", ")
      if let model { parameters["deviceModel"] = .string(model) }
      if let rotational { parameters["rotational"] = .bool(rotational) }
      parameters["virtualDevice"] = .bool(virtual)
    }
    return (
      "\(filesystem.type) on \(filesystem.source) (mounted on \(filesystem.mountPoint), \(filesystem.options)), \(device)",
      parameters
    )
  }

  static func runSequential(
    id: String, write: Bool, _ context: BenchmarkContext, _ values: ParameterValues
  ) throws -> BenchmarkResult {
    let streams = values.int("streams")
    let (path, filesystem) = try target(id, values, bytes: values.int("fileSize") * streams)
    let direct = values["direct"] != .bool(false)
    let preallocate = values["preallocate"] != .bool(false)
    let folder = try runFolder(id, path)
    let io = SequentialIO(
      folder: folder, streams: streams, fileSize: values.int("fileSize"),
      blockSize: values.int("blockSize"), direct: direct)
    defer { io.removeFiles() }
    let (where_, fsParameters) = describe(filesystem)
    var samples: [Double] = []
    var wrong: [String] = []
    context.progress(
      "\(id): \(streams) × \(Humanize.format(Double(io.fileSize), unit: .bytes)) in \(Humanize.format(Double(io.blockSize), unit: .bytes)) blocks, \(direct ? "O_DIRECT" : "buffered") on \(where_)")
    do {
      if write {
        for _ in 0..<values.int("repeats") {
          var seconds = 0.0
          _ = try TimedRegions.time(label: id) { seconds = try io.write(preallocate: preallocate) }
          samples.append(seconds)
          wrong += try io.verify()
        }
      } else {
        _ = try io.write(preallocate: preallocate)  // this run's own data, untimed
        for _ in 0..<values.int("repeats") {
          var seconds = 0.0
          _ = try TimedRegions.time(label: id) { seconds = try io.read() }
          samples.append(seconds)
        }
        wrong += try io.verify()
      }
    } catch let error as StorageError {
      throw BenchmarkError.resources(benchmark: id, message: error.description)
    }
    let bytes = Double(io.totalBytes)
    let metrics = bandwidthMetrics(bytes: bytes, samples: samples)
    let notes = conditionNotes(filesystem, direct: direct, write: write)
    let blocks = io.blocks * streams
    let validation = Validation(
      check: "every block read back equals the pattern written", passed: wrong.isEmpty,
      value: Double(wrong.count), bound: 0,
      detail: wrong.isEmpty
        ? "\(blocks) blocks of \(io.blockSize) B read back and compared\(write ? " after every repetition" : "")"
        : wrong.prefix(3).joined(separator: "; "))
    var parameters = values.values
    parameters.merge(fsParameters) { $1 }
    return BenchmarkResult(
      id: id, status: wrong.isEmpty ? .ok : .invalid, parameters: parameters, samples: samples,
      sampleUnit: .seconds, warmupSamples: [], metrics: metrics, validation: validation,
      placement: "\(streams) thread(s), one file each\(preallocate ? " (preallocated)" : ""), pread/pwrite at queue depth 1, \(direct ? "O_DIRECT, 4 KiB-aligned buffers" : "buffered"), on \(where_)",
      summary:
        "\(id): \(Humanize.format(bytes / samples.min()!, unit: .bytesPerSecond)) (\(streams) × \(Humanize.format(Double(io.fileSize), unit: .bytes)), \(direct ? "direct" : "buffered"))",
      notes: notes)
  }

  static func runSync(_ context: BenchmarkContext, _ values: ParameterValues) throws
    -> BenchmarkResult
  {
    let id = "io.fsync"
    let count = values.int("count")
    let size = values.int("size")
    let (path, filesystem) = try target(id, values, bytes: count * size)
    let direct = values["direct"] != .bool(false)
    let folder = try runFolder(id, path)
    let io = SequentialIO(
      folder: folder, streams: 1, fileSize: count * size, blockSize: size, direct: direct)
    defer { io.removeFiles() }
    let (where_, fsParameters) = describe(filesystem)
    var latencies: [Double] = []
    let wrong: [String]
    do {
      _ = try TimedRegions.time(label: id) {
        latencies = try io.syncLatencies(count: count, size: size)
      }
      wrong = try io.verify()
    } catch let error as StorageError {
      throw BenchmarkError.resources(benchmark: id, message: error.description)
    }
    func percentile(_ p: Double) -> Double { Statistics.percentile(latencies, p)! }
    var parameters = values.values
    parameters.merge(fsParameters) { $1 }
    return BenchmarkResult(
      id: id, status: wrong.isEmpty ? .ok : .invalid, parameters: parameters, samples: latencies,
      sampleUnit: .seconds, warmupSamples: [],
      metrics: [
        Metric(
          name: "latency", value: Statistics(latencies)!.median, unit: .seconds,
          polarity: .lowerIsBetter),
        Metric(name: "latencyP99", value: percentile(0.99), unit: .seconds, polarity: .lowerIsBetter),
      ],
      validation: Validation(
        check: "every block read back equals the pattern written", passed: wrong.isEmpty,
        value: Double(wrong.count), bound: 0,
        detail: wrong.isEmpty ? "\(count) blocks of \(size) B read back and compared" : wrong[0]),
      placement: "one thread, \(direct ? "O_DIRECT" : "buffered"), on \(where_)",
      summary:
        "io.fsync: \(Humanize.format(Statistics(latencies)!.median, unit: .seconds)) median, \(Humanize.format(percentile(0.99), unit: .seconds)) p99 per \(size) B write + fdatasync",
      notes: filesystem.inMemory ? ["\(filesystem.type) is memory, not storage"] : [])
  }
}
