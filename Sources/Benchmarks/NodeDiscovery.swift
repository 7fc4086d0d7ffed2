import Kernels
import ReportFormat
import Topology

/// Builds a `NodeProfile` from a topology source: hwloc for the structure, the OS for ISA and
/// memory, cpufreq or a measurement for the clock, then the peak model.
public enum NodeDiscovery {
  /// Info keys Suanli adds to the root of its XML exports, so a recorded machine keeps the
  /// facts hwloc does not store (ISA flags, clock, OS memory).
  public enum InfoKey {
    public static let isa = "SuanliISA"
    public static let clockHertz = "SuanliClockHz"
    public static let clockSource = "SuanliClockSource"
    public static let memoryBytes = "SuanliMemoryBytes"
  }

  public enum ClockChoice: Sendable, Equatable {
    /// cpufreq's maximum where the kernel exposes it, else a measurement.
    case automatic
    /// Always measure (dependent-add chain on every core).
    case measure
    /// The user's figure, in Hz.
    case given(Double)
    /// A figure taken elsewhere, kept with its source (a node's leader measured it; the other
    /// ranks of the node must not measure at the same time).
    case recorded(ClockRecord)
  }

  public static func discover(_ source: TopologySource, clock choice: ClockChoice = .automatic)
    throws -> NodeProfile
  {
    let topology = try HwlocTopology(source)
    var machine = topology.machine()
    let isHost = source == .host
    let isa: ISAFeatures
    var memory = (bytes: machine.hwlocMemoryBytes, source: "hwloc NUMA nodes")
    var available = machine.hwlocMemoryBytes
    var clock: ClockRecord? = nil

    if isHost {
      isa = HostProbe.isa()
      if let total = HostProbe.memoryTotalBytes() {
        memory = (total, "os: /proc/meminfo MemTotal")
      }
      available = HostProbe.memoryAvailableBytes() ?? memory.bytes
      if machine.cpu.architecture == "unknown" {
        machine.cpu.architecture = HostProbe.architecture()
      }
    } else {
      isa = ISAFeatures(
        flags: Set((machine.infos[InfoKey.isa] ?? "").split(separator: " ").map(String.init)))
      if let text = machine.infos[InfoKey.memoryBytes], let bytes = Int(text) {
        memory = (bytes, "recorded in the XML (\(InfoKey.memoryBytes))")
        available = bytes
      }
      if let text = machine.infos[InfoKey.clockHertz], let hertz = Double(text) {
        clock = ClockRecord(
          hertz: hertz,
          source: "recorded in the XML: " + (machine.infos[InfoKey.clockSource] ?? "unknown"))
      }
    }

    switch choice {
    case .given(let hertz):
      clock = ClockRecord(hertz: hertz, source: "user (--clock-ghz)")
    case .recorded(let record):
      clock = record
    case .automatic where isHost:
      if let hertz = HostProbe.cpufreqMaxHertz() {
        clock = ClockRecord(hertz: hertz, source: "cpufreq: cpuinfo_max_freq of cpu0")
      } else {
        clock = try measuredClock(topology: topology, cores: machine.cores)
      }
    case .measure where isHost:
      clock = try measuredClock(topology: topology, cores: machine.cores)
    default:
      break
    }

    var model: PeakModel? = nil
    var rpeak: [PeakRecord] = []
    if let clock, !isa.flags.isEmpty, machine.cores > 0 {
      let peakModel = PeakModel.forCPU(machine.cpu, isa: isa)
      model = peakModel
      rpeak = peakModel.peaks(isa: isa, cores: machine.cores, clockHertz: clock.hertz)
    }
    let hostname = isHost ? HostProbe.hostname() : (machine.infos["HostName"] ?? source.description)
    return NodeProfile(
      topology: topology, machine: machine, isa: isa, memoryBytes: memory.bytes,
      memorySource: memory.source, availableMemoryBytes: available, clock: clock,
      peakModel: model, rpeak: rpeak, hostname: hostname)
  }

  private static func measuredClock(topology: HwlocTopology, cores: Int) throws -> ClockRecord {
    let count = max(1, cores)
    let team = try ThreadTeam(size: count) { try topology.bindCurrentThread(toCore: $0) }
    // Another job on the node can only slow a measurement down (a preempted chain retires
    // fewer adds per second): the fastest of several short runs is the clock.
    let hertz = (0..<5).map { _ in CoreProbe.clockHertz(team: team, seconds: 0.04) }.max() ?? 0
    return ClockRecord(
      hertz: hertz,
      source:
        "measured: dependent-add chain (1 add/cycle), \(count) threads pinned one per core, median over cores, fastest of 5 runs"
    )
  }

  /// The node's topology as hwloc XML (readable by `lstopo -i FILE`), with Suanli's infos (ISA,
  /// clock, memory) on the root object.
  public static func exportXML(_ node: NodeProfile) -> String {
    if !node.isa.flags.isEmpty {
      node.topology.addRootInfo(
        name: InfoKey.isa, value: node.isa.flags.sorted().joined(separator: " "))
    }
    if let clock = node.clock {
      node.topology.addRootInfo(name: InfoKey.clockHertz, value: String(clock.hertz))
      node.topology.addRootInfo(name: InfoKey.clockSource, value: clock.source)
    }
    node.topology.addRootInfo(name: InfoKey.memoryBytes, value: String(node.memoryBytes))
    return node.topology.xml()
  }
}
