import Devices
import Foundation
import ReportFormat

extension NodeProfile {
  /// Probes the accelerator libraries as `suanli devices` does and keeps what they found for
  /// the node's record: each device with its peaks, joined with the hwloc PCI object at the
  /// same bus id, and each backend present or absent with the reason.
  public mutating func probeAccelerators(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) {
    let inventory = DeviceInventory.discover(environment: environment)
    let pci = Dictionary(
      machine.accelerators.map { ($0.busID.lowercased(), $0.deviceName ?? $0.className) },
      uniquingKeysWith: { first, _ in first })
    accelerators = inventory.devices.map { device in
      AcceleratorRecord(
        id: device.identifier, name: device.name, architecture: device.architecture,
        multiprocessors: device.multiprocessors, clockMHz: device.clockMHz,
        memoryBytes: device.memoryBytes, memoryBandwidth: device.memoryBandwidth,
        pciBusID: device.pciBusID, hwlocName: device.pciBusID.flatMap { pci[$0] },
        ecc: device.ecc, mig: device.mig, fake: device.fake,
        peaks: device.peaks,
        peakNote: device.peakNote)
    }
    acceleratorBackends = inventory.backends.map { backend in
      AcceleratorBackendRecord(
        name: backend.name, present: backend.state == .present, version: backend.version,
        library: backend.library, reason: backend.reason ?? backend.note)
    }
  }
}
