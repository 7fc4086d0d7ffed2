/// One node (host) that ran the suite: its hardware as hwloc saw it and its theoretical peak.
public struct NodeRecord: Codable, Sendable, Equatable {
  public var hostname: String
  public var topology: TopologySummary
  public var cpu: CPUSummary
  public var memoryBytes: Int
  /// Where memoryBytes came from ("os: /proc/meminfo MemTotal", "hwloc").
  public var memorySource: String
  public var clock: ClockRecord?
  public var rpeak: [PeakRecord]
  /// The full hwloc XML export of the node's topology. In a job of several nodes, only the
  /// first node of each distinct topology carries it; the others name it by `topologySHA256`.
  public var hwlocXML: String?
  /// Schema v2, jobs of several ranks: the node's index (0 ..< nodes, the order of its first
  /// rank), the job ranks it ran, and the SHA-256 of its hwloc XML.
  public var index: Int?
  public var ranks: [Int]?
  public var topologySHA256: String?
  /// Schema v2: the energy sources the node was probed for, present or absent with the reason.
  public var energySources: [EnergySourceRecord]?
  /// Schema v2: the node's accelerators and the accelerator libraries probed for.
  public var accelerators: [AcceleratorRecord]?
  public var acceleratorBackends: [AcceleratorBackendRecord]?

  public init(
    hostname: String, topology: TopologySummary, cpu: CPUSummary, memoryBytes: Int,
    memorySource: String, clock: ClockRecord?, rpeak: [PeakRecord], hwlocXML: String?
  ) {
    self.hostname = hostname
    self.topology = topology
    self.cpu = cpu
    self.memoryBytes = memoryBytes
    self.memorySource = memorySource
    self.clock = clock
    self.rpeak = rpeak
    self.hwlocXML = hwlocXML
  }
}

public struct TopologySummary: Codable, Sendable, Equatable {
  public var packages: Int
  public var numaNodes: Int
  public var cores: Int
  public var pus: Int
  public var caches: [CacheRecord]
  public var accelerators: [DeviceRecord]
  public var networks: [DeviceRecord]

  public init(
    packages: Int, numaNodes: Int, cores: Int, pus: Int, caches: [CacheRecord],
    accelerators: [DeviceRecord], networks: [DeviceRecord]
  ) {
    self.packages = packages
    self.numaNodes = numaNodes
    self.cores = cores
    self.pus = pus
    self.caches = caches
    self.accelerators = accelerators
    self.networks = networks
  }
}

public struct CacheRecord: Codable, Sendable, Equatable {
  public var level: Int
  /// "data", "instruction" or "unified".
  public var kind: String
  public var sizeBytes: Int
  public var count: Int
  /// PUs sharing one instance of this cache.
  public var sharedByPUs: Int

  public init(level: Int, kind: String, sizeBytes: Int, count: Int, sharedByPUs: Int) {
    self.level = level
    self.kind = kind
    self.sizeBytes = sizeBytes
    self.count = count
    self.sharedByPUs = sharedByPUs
  }
}

public struct DeviceRecord: Codable, Sendable, Equatable {
  public var name: String
  public var kind: String
  public var vendor: String?
  public var pciBusID: String?

  public init(name: String, kind: String, vendor: String?, pciBusID: String?) {
    self.name = name
    self.kind = kind
    self.vendor = vendor
    self.pciBusID = pciBusID
  }
}

public struct CPUSummary: Codable, Sendable, Equatable {
  public var model: String
  public var vendor: String
  public var family: Int?
  public var modelNumber: Int?
  public var architecture: String
  public var isa: [String]

  public init(
    model: String, vendor: String, family: Int?, modelNumber: Int?, architecture: String,
    isa: [String]
  ) {
    self.model = model
    self.vendor = vendor
    self.family = family
    self.modelNumber = modelNumber
    self.architecture = architecture
    self.isa = isa
  }
}

public struct ClockRecord: Codable, Sendable, Equatable {
  public var hertz: Double
  /// How the clock was obtained: "cpufreq: cpuinfo_max_freq", "measured: ...", "user".
  public var source: String

  public init(hertz: Double, source: String) {
    self.hertz = hertz
    self.source = source
  }
}

/// Theoretical peak of one precision, with the formula's inputs so anyone can recompute it.
public struct PeakRecord: Codable, Sendable, Equatable {
  /// "fp64", "fp32", "fp16" or "bf16".
  public var precision: String
  public var flopsPerSecond: Double
  /// "native" when the hardware has arithmetic for this precision, else "emulated".
  public var execution: String
  public var flopsPerCyclePerCore: Double
  public var cores: Int
  public var clockHertz: Double
  /// "cores x flops/cycle/core x clock" with the numbers and where flops/cycle came from.
  public var formula: String

  public init(
    precision: String, flopsPerSecond: Double, execution: String, flopsPerCyclePerCore: Double,
    cores: Int, clockHertz: Double, formula: String
  ) {
    self.precision = precision
    self.flopsPerSecond = flopsPerSecond
    self.execution = execution
    self.flopsPerCyclePerCore = flopsPerCyclePerCore
    self.cores = cores
    self.clockHertz = clockHertz
    self.formula = formula
  }
}

/// Schema v2: an accelerator of the node as its vendor's runtime described it (`suanli
/// devices`), with its dense peak per precision.
public struct AcceleratorRecord: Codable, Sendable, Equatable {
  /// "cuda:0".
  public var id: String
  public var name: String
  /// "sm_90".
  public var architecture: String
  public var multiprocessors: Int
  public var clockMHz: Int
  public var memoryBytes: Int?
  /// Bytes per second: memory clock × bus width / 8 × 2.
  public var memoryBandwidth: Double?
  public var pciBusID: String?
  /// The hwloc PCI object at the same bus id, when the topology has one.
  public var hwlocName: String?
  public var ecc: Bool?
  public var mig: Bool?
  /// Reported by one of Suanli's test libraries: not a real device.
  public var fake: Bool
  public var peaks: [AcceleratorPeak]
  /// Why there are no peaks (an architecture not in the table).
  public var peakNote: String?

  public init(
    id: String, name: String, architecture: String, multiprocessors: Int, clockMHz: Int,
    memoryBytes: Int?, memoryBandwidth: Double?, pciBusID: String?, hwlocName: String?,
    ecc: Bool?, mig: Bool?, fake: Bool, peaks: [AcceleratorPeak], peakNote: String?
  ) {
    self.id = id
    self.name = name
    self.architecture = architecture
    self.multiprocessors = multiprocessors
    self.clockMHz = clockMHz
    self.memoryBytes = memoryBytes
    self.memoryBandwidth = memoryBandwidth
    self.pciBusID = pciBusID
    self.hwlocName = hwlocName
    self.ecc = ecc
    self.mig = mig
    self.fake = fake
    self.peaks = peaks
    self.peakNote = peakNote
  }
}

/// A dense peak of an accelerator: SMs × per-clock rate × clock, the formula stated (Devices
/// computes them as `DevicePeak`).
public struct AcceleratorPeak: Codable, Sendable, Equatable {
  /// "fp64", "fp64-tensor", "fp32", "tf32", "fp16", "bf16", "fp8", "int8".
  public var precision: String
  /// Operations per second for int8.
  public var flopsPerSecond: Double
  public var formula: String

  public init(precision: String, flopsPerSecond: Double, formula: String) {
    self.precision = precision
    self.flopsPerSecond = flopsPerSecond
    self.formula = formula
  }
}

/// Schema v2: an accelerator library the node was probed for, present or absent with the reason.
public struct AcceleratorBackendRecord: Codable, Sendable, Equatable {
  /// "cuda", "nvml", "hip", "rocm-smi".
  public var name: String
  public var present: Bool
  public var version: String?
  public var library: String?
  public var reason: String?

  public init(name: String, present: Bool, version: String?, library: String?, reason: String?) {
    self.name = name
    self.present = present
    self.version = version
    self.library = library
    self.reason = reason
  }
}
