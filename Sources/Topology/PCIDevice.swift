/// A PCI device from hwloc, with the ids that identify accelerators and network adapters.
public struct PCIDevice: Sendable, Equatable {
  public var busID: String
  public var vendorID: UInt16
  public var deviceID: UInt16
  public var classID: UInt16
  /// Names from hwloc's PCI database when it has one (often absent).
  public var vendorName: String?
  public var deviceName: String?

  public init(
    busID: String, vendorID: UInt16, deviceID: UInt16, classID: UInt16, vendorName: String?,
    deviceName: String?
  ) {
    self.busID = busID
    self.vendorID = vendorID
    self.deviceID = deviceID
    self.classID = classID
    self.vendorName = vendorName
    self.deviceName = deviceName
  }

  /// Vendors whose display/3D/accelerator-class devices are compute accelerators.
  static let acceleratorVendors: [UInt16: String] = [
    0x10de: "NVIDIA", 0x1002: "AMD", 0x1d94: "Hygon (DCU)", 0x19e5: "Huawei (Ascend)",
    0x8086: "Intel", 0x1e3e: "Iluvatar CoreX", 0x1ed5: "Moore Threads", 0x1f0d: "Cambricon",
    0xcabc: "Cambricon",
  ]
  /// Board-management VGA chips (ASPEED, Matrox) sit on the display class but compute nothing.
  static let managementVGAVendors: Set<UInt16> = [0x1a03, 0x102b]

  static let knownVendors: [UInt16: String] = [
    0x15b3: "Mellanox/NVIDIA Networking", 0x14e4: "Broadcom", 0x1077: "QLogic",
    0x1af4: "Red Hat (virtio)",
    0x8086: "Intel", 0x1022: "AMD", 0x1d94: "Hygon", 0x19e5: "Huawei", 0x10de: "NVIDIA",
    0x1002: "AMD", 0x1a03: "ASPEED", 0x102b: "Matrox", 0x1cf0: "Cornelis (Omni-Path)",
  ]

  /// PCI base class 0x03 (display: VGA 0x0300, 3D 0x0302) or 0x12 (processing accelerator), or
  /// co-processor 0x0b40.
  public var isAccelerator: Bool {
    let baseClass = classID >> 8
    guard baseClass == 0x03 || baseClass == 0x12 || classID == 0x0b40 else { return false }
    if PCIDevice.managementVGAVendors.contains(vendorID) { return false }
    if baseClass == 0x12 || classID == 0x0b40 { return true }
    return PCIDevice.acceleratorVendors[vendorID] != nil
  }

  /// Ethernet (0x0200) or InfiniBand (0x0207) controllers.
  public var isNetworkController: Bool { classID == 0x0200 || classID == 0x0207 }

  public var vendor: String {
    if let vendorName { return vendorName }
    if isAccelerator, let name = PCIDevice.acceleratorVendors[vendorID] { return name }
    return PCIDevice.knownVendors[vendorID] ?? PCIDevice.hex(vendorID)
  }

  public var className: String {
    switch classID {
    case 0x0300: return "VGA"
    case 0x0302: return "3D controller"
    case 0x0380: return "display"
    case 0x1200: return "processing accelerator"
    case 0x0b40: return "co-processor"
    case 0x0200: return "Ethernet"
    case 0x0207: return "InfiniBand"
    case 0x0180, 0x0100, 0x0106, 0x0108: return "storage"
    default: return "class " + PCIDevice.hex(classID)
    }
  }

  static func hex(_ value: UInt16) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
  }
}
