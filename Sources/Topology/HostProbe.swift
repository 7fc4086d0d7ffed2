import Foundation

/// What the operating system says about this host, beyond hwloc: ISA flags, memory, the
/// cpufreq clock, OS and kernel. Only meaningful for `TopologySource.host`.
public enum HostProbe {
  public static func isa() -> ISAFeatures {
    ISAFeatures.parse(cpuinfo: read("/proc/cpuinfo") ?? "")
  }

  /// MemTotal from /proc/meminfo in bytes. hwloc's NUMA memory can be wrong inside VMs whose
  /// memory is hot-plugged (seen: 4.8 GiB from hwloc, 23.5 GiB from the OS).
  public static func memoryTotalBytes() -> Int? { meminfo("MemTotal") }

  public static func memoryAvailableBytes() -> Int? { meminfo("MemAvailable") }

  private static func meminfo(_ key: String) -> Int? {
    guard let text = read("/proc/meminfo") else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
      let fields = line.split(separator: " ")
      if fields.count >= 2, let kib = Int(fields[1]) { return kib * 1024 }
    }
    return nil
  }

  /// The highest clock cpufreq allows (cpuinfo_max_freq, kHz), when the kernel exposes cpufreq.
  public static func cpufreqMaxHertz() -> Double? {
    guard let text = read("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"),
      let khz = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)), khz > 0
    else { return nil }
    return khz * 1000
  }

  public static func hostname() -> String { ProcessInfo.processInfo.hostName }

  public static func osName() -> String {
    guard let text = read("/etc/os-release") else { return "unknown" }
    for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
      return String(line.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(
        in: CharacterSet(charactersIn: "\""))
    }
    return "unknown"
  }

  public static func kernel() -> String {
    var name = utsname()
    uname(&name)
    func field<T>(_ value: T) -> String {
      withUnsafeBytes(of: value) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
    }
    return "\(field(name.sysname)) \(field(name.release)) \(field(name.machine))"
  }

  public static func architecture() -> String {
    var name = utsname()
    uname(&name)
    return withUnsafeBytes(of: name.machine) { raw in
      String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
  }

  /// Environment variables that change performance and belong in a report.
  public static func performanceEnvironment() -> [String: String] {
    let prefixes = ["OMP_", "OPENBLAS_", "GOMP_", "KMP_", "MKL_", "BLIS_", "HWLOC_", "OMPI_MCA_"]
    return ProcessInfo.processInfo.environment.filter { key, _ in
      prefixes.contains { key.hasPrefix($0) }
    }
  }

  static func read(_ path: String) -> String? {
    try? String(contentsOfFile: path, encoding: .utf8)
  }
}
