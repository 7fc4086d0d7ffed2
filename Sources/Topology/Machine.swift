/// A node's hardware as discovered through hwloc: a plain value, independent of hwloc's handle.
public struct Machine: Sendable, Equatable {
  public var packages: Int
  public var numaNodes: Int
  public var cores: Int
  public var pus: Int
  public var caches: [Cache]
  /// Sum of the NUMA nodes' local memory as hwloc reports it (unreliable inside some VMs).
  public var hwlocMemoryBytes: Int
  public var cpu: CPUIdentity
  public var pciDevices: [PCIDevice]
  public var osDevices: [OSDevice]
  /// Info attributes of the root object (OSName, HostName, Architecture, Suanli* records...).
  public var infos: [String: String]
  /// The object tree, for the human-readable view.
  public var tree: TreeNode

  public init(
    packages: Int, numaNodes: Int, cores: Int, pus: Int, caches: [Cache], hwlocMemoryBytes: Int,
    cpu: CPUIdentity, pciDevices: [PCIDevice], osDevices: [OSDevice], infos: [String: String],
    tree: TreeNode
  ) {
    self.packages = packages
    self.numaNodes = numaNodes
    self.cores = cores
    self.pus = pus
    self.caches = caches
    self.hwlocMemoryBytes = hwlocMemoryBytes
    self.cpu = cpu
    self.pciDevices = pciDevices
    self.osDevices = osDevices
    self.infos = infos
    self.tree = tree
  }

  /// The last-level cache: the largest level present, with its instance size and count.
  public var lastLevelCache: Cache? {
    caches.filter { $0.kind != .instruction }.max { $0.level < $1.level }
  }

  /// Accelerators recognised from PCI vendor and class (GPUs, DCUs, NPUs).
  public var accelerators: [PCIDevice] { pciDevices.filter(\.isAccelerator) }
}

public struct Cache: Sendable, Equatable {
  public enum Kind: String, Sendable { case data, instruction, unified }
  public var level: Int
  public var kind: Kind
  /// Size of one instance.
  public var sizeBytes: Int
  public var count: Int
  public var sharedByPUs: Int

  public init(level: Int, kind: Kind, sizeBytes: Int, count: Int, sharedByPUs: Int) {
    self.level = level
    self.kind = kind
    self.sizeBytes = sizeBytes
    self.count = count
    self.sharedByPUs = sharedByPUs
  }
}

public struct CPUIdentity: Sendable, Equatable {
  public var vendor: String
  public var family: Int?
  public var model: Int?
  public var modelName: String
  public var architecture: String

  public init(vendor: String, family: Int?, model: Int?, modelName: String, architecture: String) {
    self.vendor = vendor
    self.family = family
    self.model = model
    self.modelName = modelName
    self.architecture = architecture
  }
}

public struct OSDevice: Sendable, Equatable {
  public enum Kind: String, Sendable {
    case block, gpu, network, openfabrics, dma, coprocessor, unknown
  }
  public var name: String
  public var kind: Kind
  /// PCI bus id of the device it belongs to, "0000:00:03.0".
  public var pciBusID: String?
  public var infos: [String: String]

  public init(name: String, kind: Kind, pciBusID: String?, infos: [String: String]) {
    self.name = name
    self.kind = kind
    self.pciBusID = pciBusID
    self.infos = infos
  }

  /// Network adapters: Ethernet interfaces, and InfiniBand / RoCE / Omni-Path HCAs.
  public var isNetwork: Bool { kind == .network || kind == .openfabrics }

  /// "Ethernet", "InfiniBand", "RoCE" (an HCA whose link layer is Ethernet), ...
  public var networkKind: String {
    // IP-over-InfiniBand interfaces are named ib0, ib1, ... by the Linux ipoib driver.
    if kind == .network { return name.hasPrefix("ib") ? "IPoIB" : "Ethernet" }
    let linkLayer = infos.first { $0.key.hasPrefix("Port") && $0.key.hasSuffix("LinkLayer") }
    if linkLayer?.value == "Ethernet" { return "RoCE" }
    if name.hasPrefix("hfi") { return "Omni-Path" }
    return "InfiniBand"
  }
}

/// One object of the topology tree, labelled without indices so that identical siblings can
/// be folded ("2 x Core").
public struct TreeNode: Sendable, Equatable {
  public var label: String
  public var children: [TreeNode]

  public init(label: String, children: [TreeNode]) {
    self.label = label
    self.children = children
  }
}
