import Kernels
import ReportFormat
import Topology

/// Everything a run needs to know about the node: the hwloc topology (for pinning), the machine
/// value, ISA, memory, clock and theoretical peak, with where each figure came from.
public struct NodeProfile: @unchecked Sendable {
  public let topology: HwlocTopology
  public let machine: Machine
  public let isa: ISAFeatures
  public let memoryBytes: Int
  public let memorySource: String
  /// Memory a benchmark may allocate (MemAvailable on a host; total memory otherwise).
  public let availableMemoryBytes: Int
  public let clock: ClockRecord?
  public let peakModel: PeakModel?
  public let rpeak: [PeakRecord]
  public let hostname: String
  /// The energy sources the node was probed for (set by the run, which knows the suite's
  /// choice of sources).
  public var energySources: [EnergySourceRecord]? = nil
  /// The node's accelerators and the libraries probed for (probeAccelerators).
  public var accelerators: [AcceleratorRecord]? = nil
  public var acceleratorBackends: [AcceleratorBackendRecord]? = nil

  /// The peak of one precision ("fp64", ...), if known.
  public func peak(_ precision: String) -> PeakRecord? {
    rpeak.first { $0.precision == precision }
  }

  /// A team of `threads` workers (0 = one per core), worker i bound to core (firstCore + i) mod
  /// cores when the topology is this machine's (several ranks of one node take consecutive
  /// cores). Returns the team and a sentence saying how it was placed.
  public func makeTeam(threads: Int, firstCore: Int = 0) throws -> (ThreadTeam, String) {
    let cores = max(1, machine.cores)
    let size = threads > 0 ? threads : cores
    guard topology.isThisSystem else {
      return (ThreadTeam(unpinnedSize: size), "\(size) threads, not pinned (not this system)")
    }
    let topology = self.topology
    let team = try ThreadTeam(size: size) { index in
      try topology.bindCurrentThread(toCore: (firstCore + index) % cores)
    }
    let over = size > cores ? ", oversubscribed: \(size) threads on \(cores) cores" : ""
    let from = firstCore > 0 ? " from core \(firstCore % cores)" : ""
    return (team, "\(size) threads, one per core\(from), pinned with hwloc_set_cpubind\(over)")
  }

  /// The node as it goes into a report.
  public func record() -> NodeRecord {
    let caches = machine.caches.map {
      CacheRecord(
        level: $0.level, kind: $0.kind.rawValue, sizeBytes: $0.sizeBytes, count: $0.count,
        sharedByPUs: $0.sharedByPUs)
    }
    let accelerators = machine.accelerators.map {
      DeviceRecord(
        name: $0.deviceName ?? "\($0.className) \(PCIDeviceFormat.ids($0))", kind: $0.className,
        vendor: $0.vendor, pciBusID: $0.busID)
    }
    let networks = machine.osDevices.filter(\.isNetwork).map {
      DeviceRecord(name: $0.name, kind: $0.networkKind, vendor: nil, pciBusID: $0.pciBusID)
    }
    var record = NodeRecord(
      hostname: hostname,
      topology: TopologySummary(
        packages: machine.packages, numaNodes: machine.numaNodes, cores: machine.cores,
        pus: machine.pus, caches: caches, accelerators: accelerators, networks: networks),
      cpu: CPUSummary(
        model: machine.cpu.modelName, vendor: machine.cpu.vendor, family: machine.cpu.family,
        modelNumber: machine.cpu.model, architecture: machine.cpu.architecture,
        isa: isa.relevantFlags),
      memoryBytes: memoryBytes, memorySource: memorySource, clock: clock, rpeak: rpeak,
      hwlocXML: topology.xml())
    record.energySources = energySources
    record.accelerators = self.accelerators
    record.acceleratorBackends = acceleratorBackends
    return record
  }
}

enum PCIDeviceFormat {
  static func ids(_ device: PCIDevice) -> String {
    func hex(_ v: UInt16) -> String {
      let d = String(v, radix: 16)
      return String(repeating: "0", count: max(0, 4 - d.count)) + d
    }
    return "\(hex(device.vendorID)):\(hex(device.deviceID))"
  }
}
