import CHwloc
import CSuanli

#if canImport(Glibc)
  import Glibc
#endif

/// The one gateway to hwloc: owns a loaded `hwloc_topology_t`, turns its return codes into
/// `TopologyError`s, and reads it into a `Machine` value. Read-only after loading, which hwloc
/// documents as safe to share between threads (binding does not modify the topology).
public final class HwlocTopology: @unchecked Sendable {
  private let handle: hwloc_topology_t
  public let source: TopologySource

  /// Larger XML files are refused before hwloc reads them.
  public static let maximumXMLBytes = 64 << 20

  public init(_ source: TopologySource) throws {
    var optional: hwloc_topology_t?
    guard hwloc_topology_init(&optional) == 0, let topology = optional else {
      throw TopologyError.initFailed
    }
    // From here every stored property is set, so a throw runs `deinit`, which destroys the
    // topology: the error paths below must not destroy it themselves.
    handle = topology
    self.source = source
    // PCI and OS devices (GPUs, NICs, HCAs) are filtered out unless asked for.
    hwloc_topology_set_io_types_filter(topology, HWLOC_TYPE_FILTER_KEEP_IMPORTANT)
    // Instruction caches are dropped by default; lstopo keeps them, and so do we.
    hwloc_topology_set_icache_types_filter(topology, HWLOC_TYPE_FILTER_KEEP_ALL)
    switch source {
    case .host:
      break
    case .synthetic(let text):
      guard hwloc_topology_set_synthetic(topology, text) == 0 else {
        throw TopologyError.invalidSynthetic(description: text)
      }
    case .xmlFile(let path):
      var status = stat()
      guard access(path, R_OK) == 0, stat(path, &status) == 0 else {
        throw TopologyError.xmlNotFound(path: path)
      }
      // The export of a machine with thousands of processors is a few MB.
      guard Int(status.st_size) <= Self.maximumXMLBytes else {
        throw TopologyError.xmlTooLarge(path: path, bytes: Int(status.st_size))
      }
      // hwloc's XML reader can crash on malformed files: a checker process tries it first.
      switch suanli_hwloc_xml_check(path, 3_000) {
      case 0: break
      case 5: throw TopologyError.xmlImplausible(path: path)
      case -2: throw TopologyError.xmlCrashedReader(path: path, signal: nil)
      case -1: throw TopologyError.xmlNotChecked(path: path)
      case let status where status >= 128:
        throw TopologyError.xmlCrashedReader(path: path, signal: Int(status - 128))
      default: throw TopologyError.invalidXML(path: path)
      }
      guard hwloc_topology_set_xml(topology, path) == 0 else {
        throw TopologyError.invalidXML(path: path)
      }
    }
    guard hwloc_topology_load(topology) == 0 else {
      if case .xmlFile(let path) = source { throw TopologyError.invalidXML(path: path) }
      throw TopologyError.loadFailed(source: source.description)
    }
  }

  deinit { hwloc_topology_destroy(handle) }

  /// True when the topology describes the machine this process runs on (binding possible).
  public var isThisSystem: Bool { hwloc_topology_is_thissystem(handle) != 0 }

  public static var libraryVersion: String {
    let v = hwloc_get_api_version()
    return "hwloc \(v >> 16).\((v >> 8) & 0xff).\(v & 0xff)"
  }

  // MARK: Reading

  public func machine() -> Machine {
    let root = hwloc_get_root_obj(handle)
    let package = hwloc_get_obj_by_type(handle, HWLOC_OBJ_PACKAGE, 0)
    func info(_ name: String) -> String? {
      for object in [package, root] {
        if let object, let value = hwloc_obj_get_info_by_name(object, name) {
          return String(cString: value)
        }
      }
      return nil
    }
    let cpu = CPUIdentity(
      vendor: info("CPUVendor") ?? "unknown",
      family: info("CPUFamilyNumber").flatMap { Int($0) },
      model: info("CPUModelNumber").flatMap { Int($0) },
      modelName: info("CPUModel") ?? "unknown",
      architecture: info("Architecture") ?? "unknown")
    return Machine(
      packages: count(HWLOC_OBJ_PACKAGE), numaNodes: count(HWLOC_OBJ_NUMANODE),
      cores: count(HWLOC_OBJ_CORE), pus: count(HWLOC_OBJ_PU), caches: caches(),
      hwlocMemoryBytes: numaMemory(), cpu: cpu, pciDevices: pciDevices(),
      osDevices: osDevices(), infos: root.map(HwlocTopology.infos) ?? [:],
      tree: root.map(HwlocTopology.tree) ?? TreeNode(label: "Machine", children: []))
  }

  private func count(_ type: hwloc_obj_type_t) -> Int {
    Int(max(0, hwloc_get_nbobjs_by_type(handle, type)))
  }

  private func caches() -> [Cache] {
    let types: [hwloc_obj_type_t] = [
      HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L1ICACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L2ICACHE,
      HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L3ICACHE, HWLOC_OBJ_L4CACHE, HWLOC_OBJ_L5CACHE,
    ]
    return types.compactMap { type in
      let n = count(type)
      guard n > 0, let first = hwloc_get_obj_by_type(handle, type, 0) else { return nil }
      let attributes = first.pointee.attr.pointee.cache
      let kind: Cache.Kind =
        attributes.type == HWLOC_OBJ_CACHE_DATA
        ? .data : attributes.type == HWLOC_OBJ_CACHE_INSTRUCTION ? .instruction : .unified
      let shared = first.pointee.cpuset.map { Int(max(0, hwloc_bitmap_weight($0))) } ?? 0
      return Cache(
        level: Int(attributes.depth), kind: kind, sizeBytes: Int(attributes.size), count: n,
        sharedByPUs: shared)
    }
  }

  private func numaMemory() -> Int {
    (0..<count(HWLOC_OBJ_NUMANODE)).reduce(0) { sum, index in
      guard let node = hwloc_get_obj_by_type(handle, HWLOC_OBJ_NUMANODE, UInt32(index)) else {
        return sum
      }
      return sum + Int(node.pointee.attr.pointee.numanode.local_memory)
    }
  }

  private func pciDevices() -> [PCIDevice] {
    var devices: [PCIDevice] = []
    var previous: hwloc_obj_t? = nil
    while let object = hwloc_get_next_pcidev(handle, previous) {
      previous = object
      let pci = object.pointee.attr.pointee.pcidev
      let infos = HwlocTopology.infos(object)
      devices.append(
        PCIDevice(
          busID: HwlocTopology.busID(pci), vendorID: pci.vendor_id, deviceID: pci.device_id,
          classID: pci.class_id, vendorName: infos["PCIVendor"], deviceName: infos["PCIDevice"]))
    }
    return devices
  }

  private func osDevices() -> [OSDevice] {
    var devices: [OSDevice] = []
    var previous: hwloc_obj_t? = nil
    while let object = hwloc_get_next_osdev(handle, previous) {
      previous = object
      let type = object.pointee.attr.pointee.osdev.type
      let kinds: [(hwloc_obj_osdev_type_t, OSDevice.Kind)] = [
        (HWLOC_OBJ_OSDEV_BLOCK, .block), (HWLOC_OBJ_OSDEV_GPU, .gpu),
        (HWLOC_OBJ_OSDEV_NETWORK, .network), (HWLOC_OBJ_OSDEV_OPENFABRICS, .openfabrics),
        (HWLOC_OBJ_OSDEV_DMA, .dma), (HWLOC_OBJ_OSDEV_COPROC, .coprocessor),
      ]
      let kind = kinds.first { $0.0 == type }?.1 ?? .unknown
      var busID: String? = nil
      if let parent = object.pointee.parent, parent.pointee.type == HWLOC_OBJ_PCI_DEVICE {
        busID = HwlocTopology.busID(parent.pointee.attr.pointee.pcidev)
      }
      let name = object.pointee.name.map { String(cString: $0) } ?? "?"
      devices.append(
        OSDevice(name: name, kind: kind, pciBusID: busID, infos: HwlocTopology.infos(object)))
    }
    return devices
  }

  private static func busID(_ pci: hwloc_pcidev_attr_s) -> String {
    func hex(_ value: UInt, width: Int) -> String {
      let digits = String(value, radix: 16)
      return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    return
      "\(hex(UInt(pci.domain), width: 4)):\(hex(UInt(pci.bus), width: 2)):\(hex(UInt(pci.dev), width: 2)).\(pci.func)"
  }

  private static func infos(_ object: hwloc_obj_t) -> [String: String] {
    var result: [String: String] = [:]
    for index in 0..<Int(object.pointee.infos_count) {
      let entry = object.pointee.infos[index]
      if let name = entry.name, let value = entry.value {
        result[String(cString: name)] = String(cString: value)
      }
    }
    return result
  }

  private static func tree(_ object: hwloc_obj_t) -> TreeNode {
    var children: [TreeNode] = []
    var child = object.pointee.memory_first_child
    while let current = child {
      children.append(tree(current))
      child = current.pointee.next_sibling
    }
    child = object.pointee.first_child
    while let current = child {
      children.append(tree(current))
      child = current.pointee.next_sibling
    }
    child = object.pointee.io_first_child
    while let current = child {
      children.append(tree(current))
      child = current.pointee.next_sibling
    }
    return TreeNode(label: label(object), children: children)
  }

  private static func label(_ object: hwloc_obj_t) -> String {
    let type = object.pointee.type
    var buffer = [CChar](repeating: 0, count: 64)
    hwloc_obj_type_snprintf(&buffer, buffer.count, object, 0)
    var text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    if hwloc_obj_type_is_cache(type) != 0 {
      text += " " + formatBytes(Int(object.pointee.attr.pointee.cache.size))
    } else if type == HWLOC_OBJ_NUMANODE {
      text += " " + formatBytes(Int(object.pointee.attr.pointee.numanode.local_memory))
    } else if type == HWLOC_OBJ_PCI_DEVICE {
      let pci = object.pointee.attr.pointee.pcidev
      let device = PCIDevice(
        busID: busID(pci), vendorID: pci.vendor_id, deviceID: pci.device_id,
        classID: pci.class_id, vendorName: nil, deviceName: nil)
      text +=
        " \(device.busID) \(PCIDevice.hex(pci.vendor_id)):\(PCIDevice.hex(pci.device_id)) \(device.className)"
    } else if type == HWLOC_OBJ_OS_DEVICE, let name = object.pointee.name {
      text += " \"\(String(cString: name))\""
    }
    return text
  }

  // MARK: Export

  /// Adds a name/value info attribute to the root object: it travels in XML exports.
  public func addRootInfo(name: String, value: String) {
    if let root = hwloc_get_root_obj(handle) { hwloc_obj_add_info(root, name, value) }
  }

  /// The topology as an hwloc XML document (what `lstopo FILE.xml` writes).
  public func xml() -> String {
    var buffer: UnsafeMutablePointer<CChar>? = nil
    var length: Int32 = 0
    guard hwloc_topology_export_xmlbuffer(handle, &buffer, &length, 0) == 0, let buffer else {
      return ""
    }
    defer { hwloc_free_xmlbuffer(handle, buffer) }
    return String(cString: buffer)
  }

  // MARK: Binding

  /// Binds the calling thread to core `index` (logical index, all its PUs then singlified to
  /// one PU so the thread cannot wander between hyper-threads).
  public func bindCurrentThread(toCore index: Int) throws {
    let cores = count(HWLOC_OBJ_CORE)
    guard index >= 0, index < cores,
      let core = hwloc_get_obj_by_type(handle, HWLOC_OBJ_CORE, UInt32(index)),
      let set = hwloc_bitmap_dup(core.pointee.cpuset)
    else { throw TopologyError.noSuchCore(index: index, cores: cores) }
    defer { hwloc_bitmap_free(set) }
    hwloc_bitmap_singlify(set)
    guard hwloc_set_cpubind(handle, set, Int32(HWLOC_CPUBIND_THREAD.rawValue)) == 0 else {
      throw TopologyError.bindFailed(core: index, reason: String(cString: strerror(errno)))
    }
  }

  /// Lets this process run on every processing unit it is allowed (its cgroup's), undoing a
  /// binding inherited from a launcher (mpirun binds rank 0 to one core): a node benchmark's
  /// library threads (OpenBLAS) would otherwise share that core. Returns false when it could not.
  @discardableResult
  public func bindProcessToAllowedPUs() -> Bool {
    guard isThisSystem, let allowed = hwloc_topology_get_allowed_cpuset(handle) else {
      return false
    }
    return hwloc_set_cpubind(handle, allowed, Int32(HWLOC_CPUBIND_PROCESS.rawValue)) == 0
  }

  /// How many processing units this process is bound to (hwloc_get_cpubind), nil if unknown.
  public func processBindingSize() -> Int? {
    guard isThisSystem, let set = hwloc_bitmap_alloc() else { return nil }
    defer { hwloc_bitmap_free(set) }
    guard hwloc_get_cpubind(handle, set, Int32(HWLOC_CPUBIND_PROCESS.rawValue)) == 0 else {
      return nil
    }
    let weight = Int(hwloc_bitmap_weight(set))
    return weight >= 0 ? weight : nil
  }

  /// The smallest object two cores share: "L2 cache", "L3 cache", "Package", "NUMA node",
  /// "Machine" (hwloc's common ancestor).
  public func sharedLevel(coreA: Int, coreB: Int) -> String {
    guard let a = hwloc_get_obj_by_type(handle, HWLOC_OBJ_CORE, UInt32(coreA)),
      let b = hwloc_get_obj_by_type(handle, HWLOC_OBJ_CORE, UInt32(coreB)),
      let common = hwloc_get_common_ancestor_obj(handle, a, b)
    else { return "unknown" }
    var buffer = [CChar](repeating: 0, count: 64)
    hwloc_obj_type_snprintf(&buffer, buffer.count, common, 1)
    return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
  }

  /// The OS index of the PU the calling thread last ran on (-1 if unknown).
  public func currentPU() -> Int {
    guard let set = hwloc_bitmap_alloc() else { return -1 }
    defer { hwloc_bitmap_free(set) }
    guard hwloc_get_last_cpu_location(handle, set, Int32(HWLOC_CPUBIND_THREAD.rawValue)) == 0
    else { return -1 }
    return Int(hwloc_bitmap_first(set))
  }
}

/// "32 KiB", "1 MiB", "4.6 GiB": binary units, as lstopo prints them.
func formatBytes(_ bytes: Int) -> String {
  let units = ["B", "KiB", "MiB", "GiB", "TiB"]
  var value = Double(bytes)
  var unit = 0
  while value >= 1024, unit < units.count - 1 {
    value /= 1024
    unit += 1
  }
  if value == value.rounded() { return "\(Int(value)) \(units[unit])" }
  return "\(Double(Int(value * 10)) / 10) \(units[unit])"
}
