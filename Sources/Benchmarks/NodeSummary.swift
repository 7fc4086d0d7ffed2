import Kernels
import ReportFormat
import Topology

/// The machine-readable form of `suanli topo --json`.
public struct NodeSummary: Codable, Sendable {
  public struct Peaks: Codable, Sendable {
    public var fp64: Double?
    public var fp32: Double?
    public var fp16: Double?
    public var bf16: Double?
  }

  public struct PCIEntry: Codable, Sendable {
    public var busID: String
    public var vendorID: String
    public var deviceID: String
    public var classID: String
    public var vendor: String
    public var className: String
    public var name: String?
    public var accelerator: Bool
  }

  public struct Measured: Codable, Sendable {
    public var fp64: Double
    public var fp32: Double
    /// BF16 dot products (AVX512-BF16 VDPBF16PS), where the build and the CPU have them.
    public var bf16: Double?
    public var vectorBits: Int
    /// Rpeak / measured FMA throughput, per precision.
    public var rpeakOverMeasuredFP64: Double?
    public var rpeakOverMeasuredFP32: Double?
    public var rpeakOverMeasuredBF16: Double?
  }

  public var source: String
  public var hostname: String
  public var packages: Int
  public var numaNodes: Int
  public var cores: Int
  public var pus: Int
  public var caches: [CacheRecord]
  public var memoryBytes: Int
  public var memorySource: String
  public var hwlocMemoryBytes: Int
  public var cpu: CPUSummary
  public var buildISA: [String]
  public var clock: ClockRecord?
  /// flop/s per precision; null when the clock or the ISA is unknown (synthetic topologies).
  public var rpeak: Peaks
  public var rpeakDetail: [PeakRecord]
  public var accelerators: [DeviceRecord]
  public var networks: [DeviceRecord]
  public var pciDevices: [PCIEntry]
  public var measuredPeak: Measured?
  public var notes: [String]

  public init(_ node: NodeProfile, source: TopologySource, measured: Measured? = nil) {
    let record = node.record()
    self.source = source.description
    hostname = node.hostname
    packages = node.machine.packages
    numaNodes = node.machine.numaNodes
    cores = node.machine.cores
    pus = node.machine.pus
    caches = record.topology.caches
    memoryBytes = node.memoryBytes
    memorySource = node.memorySource
    hwlocMemoryBytes = node.machine.hwlocMemoryBytes
    cpu = record.cpu
    buildISA = BuildInfo.isa
    clock = node.clock
    rpeak = Peaks(
      fp64: node.peak("fp64")?.flopsPerSecond, fp32: node.peak("fp32")?.flopsPerSecond,
      fp16: node.peak("fp16")?.flopsPerSecond, bf16: node.peak("bf16")?.flopsPerSecond)
    rpeakDetail = node.rpeak
    accelerators = record.topology.accelerators
    networks = record.topology.networks
    pciDevices = node.machine.pciDevices.map {
      PCIEntry(
        busID: $0.busID, vendorID: hex($0.vendorID), deviceID: hex($0.deviceID),
        classID: hex($0.classID), vendor: $0.vendor, className: $0.className, name: $0.deviceName,
        accelerator: $0.isAccelerator)
    }
    measuredPeak = measured
    var notes: [String] = []
    if node.rpeak.isEmpty {
      notes.append(
        "no theoretical peak: the ISA or the clock of this topology is unknown (synthetic topologies carry neither)"
      )
    }
    if source == .host {
      let missing = BuildInfo.missing(hostFlags: node.isa.flags)
      if !missing.isEmpty {
        notes.append(
          "this binary was built without \(missing.joined(separator: ", ")) which the CPU has: rebuild with `make` (-target-cpu native) or kernels run far below peak"
        )
      }
    }
    self.notes = notes
  }

  /// Measures the FMA peak of every core at once (FP64 and FP32), to check Rpeak against.
  public static func measure(_ node: NodeProfile) throws -> Measured {
    let (team, _) = try node.makeTeam(threads: 0)
    let fp64 = CoreProbe.fmaPeak(team: team, bits: 64)
    let fp32 = CoreProbe.fmaPeak(team: team, bits: 32)
    let bf16 = CoreProbe.bf16DotPeak(team: team)
    return Measured(
      fp64: fp64, fp32: fp32, bf16: bf16, vectorBits: CoreProbe.fmaVectorBits,
      rpeakOverMeasuredFP64: node.peak("fp64").map { $0.flopsPerSecond / fp64 },
      rpeakOverMeasuredFP32: node.peak("fp32").map { $0.flopsPerSecond / fp32 },
      rpeakOverMeasuredBF16: bf16.flatMap { bf16 in
        node.peak("bf16").map { $0.flopsPerSecond / bf16 }
      })
  }
}

private func hex(_ value: UInt16) -> String {
  let digits = String(value, radix: 16)
  return "0x" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}
