import ArgumentParser
import Benchmarks
import Files
import Foundation
import Topology

struct Topo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show the node's hardware topology (hwloc), ISA, clock and theoretical peak.")

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Topology to read instead of this machine: synthetic:\"pack:2 core:4 pu:2\" or an hwloc XML file.",
      valueName: "SOURCE"))
  var topology: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Export this topology as hwloc XML (lstopo -i accepts it).", valueName: "FILE"))
  var xml: String?

  @Option(
    name: .long, help: "Clock to assume for the peak, in GHz (default: cpufreq, else measured).")
  var clockGhz: Double?

  @Flag(name: .long, help: "Measure the clock even where cpufreq gives one.")
  var measureClock = false

  @Flag(
    name: .long, help: "Also measure the FMA throughput of all cores and compare it with Rpeak.")
  var measurePeak = false

  @Flag(name: .long, help: "Print JSON instead of the human view.")
  var json = false

  func validate() throws {
    if let clockGhz, !(clockGhz > 0 && clockGhz < 100) {
      throw ValidationError(
        "--clock-ghz: expected a clock in GHz between 0 and 100, got \(clockGhz)")
    }
  }

  func run() throws {
    let source = topology.map(TopologySource.init(argument:)) ?? .host
    let clock: NodeDiscovery.ClockChoice =
      clockGhz.map { .given($0 * 1e9) } ?? (measureClock ? .measure : .automatic)
    do {
      let node = try NodeDiscovery.discover(source, clock: clock)
      let measured = measurePeak && source == .host ? try NodeSummary.measure(node) : nil
      let summary = NodeSummary(node, source: source, measured: measured)
      if json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(summary), as: UTF8.self))
      } else {
        print(TopologyView.render(summary, tree: node.machine.tree))
      }
      if let xml {
        try AtomicFile.write(Array(NodeDiscovery.exportXML(node).utf8), to: xml, overwrite: true)
        Terminal.error("wrote \(xml)")
      }
    } catch let error as TopologyError {
      throw fail(error, .badInput)
    } catch let error as BenchmarkError {
      throw fail(error, .environment)
    } catch let error as FilesError {
      throw fail(error, .environment)
    }
  }
}
