import ArgumentParser
import Devices
import Foundation
import Measurement
import Topology

struct DevicesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "devices",
    abstract:
      "List the accelerators (CUDA GPUs; AMD's HIP and ROCm SMI found or not) with their dense peaks, and each absent backend's reason.",
    discussion: """
      Vendor libraries are loaded at run time, never linked: SUANLI_CUDA_LIB_DIR names a folder \
      of CUDA libraries (libcudart.so.13 or .12, libnvidia-ml.so.1; e.g. a Python environment's \
      nvidia/cu13/lib), SUANLI_ROCM_LIB_DIR one of ROCm's.
      """)

  @Flag(name: .long, help: "Print JSON instead of the human view.")
  var json = false

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Topology whose PCI objects name the devices (by bus id) instead of this machine's: an hwloc XML file.",
      valueName: "SOURCE"))
  var topology: String?

  func run() throws {
    var inventory = DeviceInventory.discover()
    // The hwloc PCI object at each device's bus id (what `suanli topo` lists), when hwloc sees it.
    let source = topology.map(TopologySource.init(argument:)) ?? .host
    let machine: Machine?
    do { machine = try HwlocTopology(source).machine() } catch let error as TopologyError {
      // A topology the user named must load; this machine's may fail (then no names).
      if topology != nil { throw fail(error, .badInput) }
      machine = nil
    }
    if let machine {
      let pci = Dictionary(
        machine.accelerators.map { ($0.busID.lowercased(), $0.deviceName ?? $0.className) },
        uniquingKeysWith: { first, _ in first })
      for index in inventory.devices.indices {
        inventory.devices[index].hwlocName = inventory.devices[index].pciBusID.flatMap { pci[$0] }
      }
    }
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      print(String(decoding: try encoder.encode(inventory), as: UTF8.self))
      return
    }
    print(Self.render(inventory))
  }

  static func render(_ inventory: DeviceInventory) -> String {
    var out: [String] = []
    var backends = TextTable(
      ["backend", "state", "version", "library"], alignments: [.left, .left, .left, .left])
    for backend in inventory.backends {
      backends.add([
        backend.name,
        backend.state == .present
          ? Terminal.ok("present") + (backend.devices.map { " (\($0))" } ?? "")
          : Terminal.dim("absent"),
        backend.version ?? "—", backend.library ?? "—",
      ])
    }
    out.append(backends.render())
    for backend in inventory.backends {
      for text in [backend.reason, backend.note].compactMap({ $0 }) {
        out.append("\(backend.name): \(text)")
      }
    }
    let versions = [
      inventory.cudaRuntime.map { "CUDA runtime \($0)" },
      inventory.cudaDriver.map { "driver supports CUDA \($0)" },
      inventory.nvidiaDriver.map { "NVIDIA driver \($0)" },
    ].compactMap { $0 }
    if !versions.isEmpty { out.append(versions.joined(separator: ", ")) }
    for device in inventory.devices {
      out.append("")
      let fake = device.fake ? Terminal.bad(" FAKE (a test library, not a GPU)") : ""
      out.append(Terminal.bold("\(device.identifier)  \(device.name)") + fake)
      var facts = [
        "\(device.architecture), \(device.multiprocessors) SMs at up to \(device.clockMHz) MHz"
      ]
      if let memory = device.memoryBytes {
        facts.append("\(Humanize.format(Double(memory), unit: .bytes)) memory")
      }
      if let bandwidth = device.memoryBandwidth {
        facts.append("\(Humanize.format(bandwidth, unit: .bytesPerSecond)) peak bandwidth")
      }
      if let l2 = device.l2CacheBytes { facts.append("L2 \(Humanize.format(Double(l2), unit: .bytes))") }
      if let ecc = device.ecc { facts.append("ECC \(ecc ? "on" : "off")") }
      if let mig = device.mig { facts.append("MIG \(mig ? "on" : "off")") }
      if let bus = device.pciBusID {
        facts.append("PCI \(bus)" + (device.hwlocName.map { " (hwloc: \($0))" } ?? ""))
      }
      out.append("  " + facts.joined(separator: ", "))
      if let note = device.peakNote { out.append("  peaks: \(note)") }
      for peak in device.peaks {
        let value = Humanize.format(
          peak.flopsPerSecond, unit: peak.precision == "int8" ? .operationsPerSecond : .flopsPerSecond)
        out.append("  \(peak.precision.padding(toLength: 12, withPad: " ", startingAt: 0)) \(value)  = \(peak.formula)")
      }
    }
    if inventory.devices.isEmpty { out.append("No accelerator found: benchmarks run on the CPU.") }
    return out.joined(separator: "\n")
  }
}
