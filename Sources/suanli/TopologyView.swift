import Benchmarks
import Measurement
import ReportFormat
import Topology

/// The human view of `suanli topo`: a summary, a folded lstopo-like tree, caches, devices and
/// the peak table with its formula.
enum TopologyView {
  static func render(_ s: NodeSummary, tree: TreeNode) -> String {
    var out: [String] = []
    let cpu = s.cpu
    let family = cpu.family.map { " family \($0)" } ?? ""
    let model = cpu.modelNumber.map { " model \($0)" } ?? ""
    out.append(Terminal.bold("\(s.hostname)") + "  (\(s.source))")
    out.append("CPU      \(cpu.model) — \(cpu.vendor)\(family)\(model), \(cpu.architecture)")
    out.append(
      "Counts   \(s.packages) package(s), \(s.numaNodes) NUMA node(s), \(s.cores) cores, \(s.pus) PUs"
    )
    var memory =
      "Memory   \(Humanize.format(Double(s.memoryBytes), unit: .bytes)) (\(s.memorySource))"
    if s.hwlocMemoryBytes != s.memoryBytes {
      memory += "; hwloc reports \(Humanize.format(Double(s.hwlocMemoryBytes), unit: .bytes))"
    }
    out.append(memory)
    out.append("ISA      " + (cpu.isa.isEmpty ? "unknown" : cpu.isa.joined(separator: " ")))
    out.append("Build    " + s.buildISA.joined(separator: " "))
    if let clock = s.clock {
      out.append("Clock    \(Humanize.format(clock.hertz, unit: .hertz)) (\(clock.source))")
    } else {
      out.append("Clock    unknown")
    }
    out.append("")
    out.append(Terminal.bold("Topology"))
    out += treeLines(tree)
    out.append("")
    var caches = TextTable(
      ["cache", "size", "count", "shared by PUs"], alignments: [.left, .right, .right, .right])
    for cache in s.caches {
      let kind = cache.kind == "data" ? "d" : cache.kind == "instruction" ? "i" : ""
      caches.add([
        "L\(cache.level)\(kind)", Humanize.format(Double(cache.sizeBytes), unit: .bytes),
        "\(cache.count)", "\(cache.sharedByPUs)",
      ])
    }
    out.append(caches.render())
    out.append("")
    out.append(
      "Accelerators  "
        + (s.accelerators.isEmpty
          ? "none"
          : s.accelerators.map { "\($0.vendor ?? "?") \($0.kind) at \($0.pciBusID ?? "?")" }
            .joined(separator: ", ")))
    out.append(
      "Networks      "
        + (s.networks.isEmpty
          ? "none" : s.networks.map { "\($0.name) (\($0.kind))" }.joined(separator: ", ")))
    out.append("")
    out.append(Terminal.bold("Theoretical peak (Rpeak)"))
    if s.rpeakDetail.isEmpty {
      out.append("  unknown")
    } else {
      var peaks = TextTable(
        ["precision", "Rpeak", "execution", "flop/cycle/core"],
        alignments: [.left, .right, .left, .right])
      for peak in s.rpeakDetail {
        peaks.add([
          peak.precision, Humanize.format(peak.flopsPerSecond, unit: .flopsPerSecond),
          peak.execution,
          peak.flopsPerCyclePerCore == peak.flopsPerCyclePerCore.rounded()
            ? String(Int(peak.flopsPerCyclePerCore)) : String(peak.flopsPerCyclePerCore),
        ])
      }
      out.append(peaks.render())
      for peak in s.rpeakDetail { out.append(Terminal.dim("  \(peak.precision): \(peak.formula)")) }
    }
    if let measured = s.measuredPeak {
      out.append("")
      out.append(
        Terminal.bold("Measured FMA throughput (all cores, \(measured.vectorBits)-bit vectors)"))
      out.append(
        "  fp64 \(Humanize.format(measured.fp64, unit: .flopsPerSecond))"
          + (measured.rpeakOverMeasuredFP64.map {
            "   Rpeak/measured = \(Humanize.fixed($0, decimals: 3))"
          } ?? ""))
      out.append(
        "  fp32 \(Humanize.format(measured.fp32, unit: .flopsPerSecond))"
          + (measured.rpeakOverMeasuredFP32.map {
            "   Rpeak/measured = \(Humanize.fixed($0, decimals: 3))"
          } ?? ""))
      if let bf16 = measured.bf16 {
        out.append(
          "  bf16 \(Humanize.format(bf16, unit: .flopsPerSecond)) (VDPBF16PS)"
            + (measured.rpeakOverMeasuredBF16.map {
              "   Rpeak/measured = \(Humanize.fixed($0, decimals: 3))"
            } ?? ""))
      }
    }
    for note in s.notes { out.append(Terminal.bad("note: ") + note) }
    return out.joined(separator: "\n")
  }

  /// Tree lines with identical consecutive siblings folded into "N × label".
  static func treeLines(_ root: TreeNode) -> [String] {
    var lines = [root.label]
    append(children: root.children, prefix: "", to: &lines)
    return lines
  }

  private static func append(children: [TreeNode], prefix: String, to lines: inout [String]) {
    var groups: [(node: TreeNode, count: Int)] = []
    for child in children {
      if let last = groups.last, last.node == child {
        groups[groups.count - 1].count += 1
      } else {
        groups.append((child, 1))
      }
    }
    for (index, group) in groups.enumerated() {
      let isLast = index == groups.count - 1
      let label = group.count > 1 ? "\(group.count) × \(group.node.label)" : group.node.label
      lines.append(prefix + (isLast ? "└─ " : "├─ ") + label)
      append(children: group.node.children, prefix: prefix + (isLast ? "   " : "│  "), to: &lines)
    }
  }
}
