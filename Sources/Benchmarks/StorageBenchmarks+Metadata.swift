import Foundation
import Kernels
import Measurement
import ReportFormat

/// Metadata rates in IO500's two shapes (mdtest easy and hard), every phase checked.
extension StorageBenchmarks {
  static func metadata(_ shape: MetadataIO.Shape) -> BenchmarkDescriptor {
    let id = "io.md.\(shape.rawValue)"
    return BenchmarkDescriptor(
      id: id,
      summary: shape == .easy
        ? "metadata rates, mdtest-easy's shape: empty files, a folder per stream; create, stat, delete"
        : "metadata rates, mdtest-hard's shape: 3901-byte files in one shared folder; create, stat, read, delete",
      validity:
        "every stat names a regular file of the size written\(shape == .hard ? ", every read returns the bytes written" : ""), each folder lists exactly the files created, and is empty after the deletes",
      parameters: [common()[0], common()[2]] + [
        ParameterSpec(
          name: "files", kind: .integer(1...100_000_000), defaultValue: .int(5000),
          help: "files per stream, at most (the create phase also stops at the stonewall)"),
        ParameterSpec(
          name: "streams", kind: .integer(1...1024), defaultValue: .int(2),
          help: "threads creating, stating\(shape == .hard ? ", reading" : "") and deleting at once"),
        ParameterSpec(
          name: "stonewallSeconds", kind: .number(0.05...86_400), defaultValue: .double(5),
          help: "seconds after which the create phase stops; the later phases visit what was created"),
      ],
      preflight: { _, values in
        _ = try target(id, values, bytes: metadataBytes(shape, values))
      },
      run: { context, values in [try runMetadata(id: id, shape: shape, context, values)] })
  }

  /// Room the files may take: a filesystem block (4 KiB) per hard file, an inode's worth per easy one.
  static func metadataBytes(_ shape: MetadataIO.Shape, _ values: ParameterValues) -> Int {
    values.int("files") * values.int("streams") * (shape == .hard ? 8192 : 512)
  }

  static func runMetadata(
    id: String, shape: MetadataIO.Shape, _ context: BenchmarkContext, _ values: ParameterValues
  ) throws -> BenchmarkResult {
    let (path, filesystem) = try target(id, values, bytes: metadataBytes(shape, values))
    let folder = try runFolder(id, path)
    let io = MetadataIO(
      folder: folder, streams: values.int("streams"), files: values.int("files"), shape: shape)
    defer { io.removeAll() }
    let (where_, fsParameters) = describe(filesystem)
    let seconds = values.double("stonewallSeconds")
    context.progress(
      "\(id): \(io.streams) stream(s) × up to \(io.files) files, stonewall \(Humanize.format(seconds, unit: .seconds)), on \(where_)")
    var phases: [MetadataIO.Phase] = []
    do {
      try io.prepare()
      _ = try TimedRegions.time(label: "\(id) create") { phases.append(try io.create(seconds: seconds)) }
      _ = try TimedRegions.time(label: "\(id) stat") { phases.append(try io.stat()) }
      if shape == .hard {
        _ = try TimedRegions.time(label: "\(id) read") { phases.append(try io.read()) }
      }
      _ = try TimedRegions.time(label: "\(id) delete") { phases.append(try io.delete()) }
    } catch let error as StorageError {
      throw BenchmarkError.resources(benchmark: id, message: error.description)
    }
    let wrong = phases.flatMap(\.wrong)
    let created = phases[0].operations
    let rates = phases.map(\.rate)
    let combined = Statistics.geometricMean(rates) ?? 0
    var metrics = [
      Metric(name: "rate", value: combined, unit: .operationsPerSecond, polarity: .higherIsBetter)
    ]
    metrics += phases.map {
      Metric(name: "\($0.name)Rate", value: $0.rate, unit: .operationsPerSecond, polarity: .higherIsBetter)
    }
    var notes = ["no fsync, as mdtest: the filesystem's metadata path, not its durability"]
    notes += conditionNotes(filesystem, direct: true, write: true)
    if created < io.files * io.streams {
      notes.append(
        "the create phase stopped at its stonewall after \(created) of \(io.files * io.streams) files")
    }
    let passed = wrong.isEmpty && created > 0
    var parameters = values.values
    parameters.merge(fsParameters) { $1 }
    return BenchmarkResult(
      id: id, status: passed ? .ok : .invalid, parameters: parameters, samples: [combined],
      sampleUnit: .operationsPerSecond, warmupSamples: [], metrics: metrics,
      validation: Validation(
        check: "stat, read and listings agree with the files created", passed: passed,
        value: Double(wrong.count), bound: 0,
        detail: passed
          ? "\(created) files: \(phases.map(\.name).joined(separator: ", ")) each checked"
          : (created == 0 ? "no file created before the stonewall" : wrong.prefix(3).joined(separator: "; "))),
      placement:
        "\(io.streams) thread(s), \(shape == .easy ? "a folder each, empty files" : "one shared folder, \(MetadataIO.hardFileBytes)-byte files"), on \(where_)",
      summary:
        "\(id): \(Humanize.format(combined, unit: .operationsPerSecond)) (geometric mean of \(phases.map { "\($0.name) \(Humanize.format($0.rate, unit: .operationsPerSecond))" }.joined(separator: ", ")))",
      notes: notes)
  }
}
