import Foundation
import ReportFormat

/// Finds the energy sources a node has: Linux powercap (RAPL, Intel's and AMD's), hwmon energy
/// and power sensors, and a BMC's DCMI power reading through `ipmitool` or FreeIPMI's
/// `ipmi-dcmi`. What it cannot read it records with the reason, so a report says why 能效 is
/// missing ("no /sys/class/powercap", "permission denied: ...").
public struct EnergyProbe: Sendable {
  public var root: String
  public var reader: SysfsReading
  /// Which kinds to look for: "powercap", "hwmon", "ipmi".
  public var kinds: Set<String>
  /// CPU packages hwloc counts: a package zone missing for one of them is said.
  public var packages: Int?
  /// Where to look for the IPMI tools (PATH).
  public var searchPath: String
  /// Seconds a BMC tool may take to answer before it counts as absent.
  public var toolTimeout: Double = 10

  public static let allKinds: Set<String> = ["powercap", "hwmon", "ipmi"]

  public init(
    root: String, reader: SysfsReading = Sysfs(), kinds: Set<String> = EnergyProbe.allKinds,
    packages: Int? = nil, searchPath: String
  ) {
    self.root = root
    self.reader = reader
    self.kinds = kinds
    self.packages = packages
    self.searchPath = searchPath
  }

  /// The probe of this host: the sysfs root and PATH from `environment`.
  public static func host(
    environment: [String: String] = ProcessInfo.processInfo.environment,
    kinds: Set<String> = allKinds, packages: Int? = nil
  ) -> EnergyProbe {
    EnergyProbe(
      root: Sysfs.root(environment: environment), kinds: kinds, packages: packages,
      searchPath: environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
  }

  public struct Found: Sendable {
    public var channels: [EnergyChannel]
    public var records: [EnergySourceRecord]

    /// One line for a terminal: what was found, or why nothing was.
    public var summary: String {
      if channels.isEmpty {
        let reasons = records.map { "\($0.kind): \($0.reason ?? "absent")" }
        return "no energy source: " + reasons.joined(separator: "; ")
      }
      return "energy sources: "
        + records.filter(\.present).map { "\($0.kind) \($0.name) [\($0.scope ?? "?")]" }
        .joined(separator: ", ")
    }
  }

  public func discover() -> Found {
    var found = Found(channels: [], records: [])
    for kind in ["powercap", "hwmon", "ipmi"] where kinds.contains(kind) {
      switch kind {
      case "powercap": powercap(&found)
      case "hwmon": hwmon(&found)
      default: ipmi(&found)
      }
    }
    return found
  }

  // MARK: powercap (RAPL)

  static let accessAdvice =
    "run as root, or grant read access (chmod a+r on each file; it resets at boot, so a udev rule or systemd-tmpfiles line keeps it) — Linux restricts RAPL's energy_uj since CVE-2020-8694"

  /// Why a sensor file could not be read: permission (with what to do about it) or the error.
  static func unreadable(_ error: SysfsError, _ path: String) -> String {
    if case .permissionDenied = error {
      return "permission denied reading \(path): " + accessAdvice
    }
    return error.description
  }

  func powercap(_ found: inout Found) {
    let base = root + "/class/powercap"
    guard let entries = reader.entries(base) else {
      found.records.append(
        EnergySourceRecord(
          kind: "powercap", name: "RAPL", present: false, scope: nil,
          reason:
            "no \(base) (no RAPL driver loaded, or a virtual machine or container that hides it)"))
      return
    }
    struct Zone {
      var entry: String
      var name: String
      var mmio: Bool
      var depth: Int
    }
    var zones: [Zone] = []
    for entry in entries {
      let mmio = entry.hasPrefix("intel-rapl-mmio:")
      guard entry.hasPrefix("intel-rapl:") || mmio else { continue }
      let depth = entry.split(separator: ":").count - 1
      guard let name = try? reader.text("\(base)/\(entry)/name").trimmingWhitespace, !name.isEmpty
      else { continue }
      zones.append(Zone(entry: entry, name: String(name), mmio: mmio, depth: depth))
    }
    guard !zones.isEmpty else {
      found.records.append(
        EnergySourceRecord(
          kind: "powercap", name: "RAPL", present: false, scope: nil,
          reason: "\(base) has no RAPL zones"))
      return
    }
    // The MSR interface's top-level zone names, to drop an MMIO zone that repeats one.
    let msrNames = Set(zones.filter { !$0.mmio && $0.depth == 1 }.map(\.name))
    var packageCount = 0
    var seen: Set<String> = []
    for zone in zones {
      let label = "\(zone.entry) (\(zone.name))"
      let path = "\(base)/\(zone.entry)"
      if zone.mmio && zone.depth == 1 && msrNames.contains(zone.name) {
        found.records.append(
          EnergySourceRecord(
            kind: "powercap", name: label, present: false, scope: nil,
            reason: "the MMIO interface's copy of the MSR zone \(zone.name): counted once"))
        continue
      }
      let role: EnergyChannel.Role
      switch (zone.depth, zone.name) {
      case (_, "dram"): role = .dram
      case (1, let name) where name.hasPrefix("package"): role = .package
      case (1, "psys"): role = .component(scope: "platform-psys")
      case (_, "core"), (_, "uncore"):
        found.records.append(
          EnergySourceRecord(
            kind: "powercap", name: label, present: true, scope: "cpu-package",
            reason: "inside its package: counted in the package, not again"))
        continue
      default:
        found.records.append(
          EnergySourceRecord(
            kind: "powercap", name: label, present: false, scope: nil,
            reason: "a zone of unknown scope: not counted"))
        continue
      }
      // The same zone under two names (a parent listed twice) is counted once.
      let identity = "\(zone.depth):\(zone.name):\(zone.entry.split(separator: ":").dropFirst().first ?? "")"
      guard seen.insert(identity).inserted else { continue }
      let energyPath = path + "/energy_uj"
      do {
        _ = try reader.integer(energyPath)
      } catch {
        found.records.append(
          EnergySourceRecord(
            kind: "powercap", name: label, present: false, scope: nil,
            reason: Self.unreadable(error, energyPath)))
        continue
      }
      let range = (try? reader.integer(path + "/max_energy_range_uj")).map { Double($0) * 1e-6 }
      let limit =
        (try? reader.integer(path + "/constraint_0_max_power_uw")).map { Double($0) * 1e-6 }
      let reader = self.reader
      let channel = EnergyChannel(
        kind: "powercap", name: label, measure: .counter(wrap: range), role: role,
        period: 0.001,  // RAPL updates about every millisecond
        // Without a stated limit: 1 kW, beyond any CPU package or its DRAM today.
        maximumWatts: limit.map { max($0 * 1.5, 1) } ?? 1000,
        read: { Double(try reader.integer(energyPath)) * 1e-6 })
      if role == .package { packageCount += 1 }
      found.channels.append(channel)
      found.records.append(
        EnergySourceRecord(
          kind: "powercap", name: label, present: true,
          scope: role == .dram ? "cpu-package+dram" : Self.scope(of: role), reason: nil))
    }
    if let packages, packageCount > 0, packageCount < packages {
      found.records.append(
        EnergySourceRecord(
          kind: "powercap", name: "packages", present: false, scope: "cpu-package",
          reason:
            "RAPL package zones for \(packageCount) of the \(packages) packages hwloc counts: the package figures cover part of the CPUs"
        ))
    }
  }

  static func scope(of role: EnergyChannel.Role) -> String {
    switch role {
    case .package: return "cpu-package"
    case .dram: return "dram"
    case .node(let scope): return scope
    case .gpu: return "gpu-board"
    case .component(let scope): return scope
    }
  }

  // MARK: hwmon

  func hwmon(_ found: inout Found) {
    let base = root + "/class/hwmon"
    guard let chips = reader.entries(base) else {
      found.records.append(
        EnergySourceRecord(
          kind: "hwmon", name: "hwmon", present: false, scope: nil,
          reason: "no \(base) (no hardware-monitoring driver, or a virtual machine)"))
      return
    }
    var any = false
    for chip in chips where chip.hasPrefix("hwmon") {
      let path = "\(base)/\(chip)"
      let name = (try? reader.text(path + "/name"))
        .map { String($0.trimmingWhitespace) } ?? chip
      let files = reader.entries(path) ?? []
      let energies = files.filter { $0.hasPrefix("energy") && $0.hasSuffix("_input") }
      // One power attribute per sensor: its average where the chip has one.
      var powers: [String] = []
      for file in files where file.hasPrefix("power") && file.hasSuffix("_average") {
        powers.append(file)
      }
      for file in files where file.hasPrefix("power") && file.hasSuffix("_input") {
        let sensor = file.dropLast("_input".count)
        if !files.contains(sensor + "_average") { powers.append(file) }
      }
      guard !energies.isEmpty || !powers.isEmpty else { continue }
      any = true
      let role: EnergyChannel.Role
      switch name {
      // ACPI 4.0's power meter: the platform's own, usually the BMC's, reading of the node.
      case "acpi_power_meter": role = .node(scope: "node-acpi")
      case "amdgpu": role = .gpu
      default: role = .component(scope: "component-hwmon-\(name)")
      }
      // Energy counters are exact between two readings; power readings only sample.
      let chosen = energies.isEmpty ? powers : energies
      for file in chosen.sorted() {
        let sensor = String(file.prefix(while: { $0 != "_" }))
        let label =
          (try? reader.text("\(path)/\(sensor)_label")).map { " " + $0.trimmingWhitespace } ?? ""
        let display = "\(chip) \(sensor)\(label) (\(name))"
        let filePath = "\(path)/\(file)"
        do {
          _ = try reader.integer(filePath)
        } catch {
          found.records.append(
            EnergySourceRecord(
              kind: "hwmon", name: display, present: false, scope: nil,
              reason: Self.unreadable(error, filePath)))
          continue
        }
        let reader = self.reader
        let channel: EnergyChannel
        if energies.isEmpty {
          // µW; the chip's own averaging window (ms) bounds how often a new value appears.
          let window = (try? reader.integer("\(path)/\(sensor)_average_interval"))
            .map { Double($0) * 1e-3 }
          channel = EnergyChannel(
            kind: "hwmon", name: display, measure: .power, role: role,
            period: max(1, window ?? 1), maximumWatts: 100_000,
            read: { Double(try reader.integer(filePath)) * 1e-6 })
        } else {
          channel = EnergyChannel(
            kind: "hwmon", name: display, measure: .counter(wrap: nil), role: role, period: 0.001,
            maximumWatts: 100_000, read: { Double(try reader.integer(filePath)) * 1e-6 })
        }
        found.channels.append(channel)
        found.records.append(
          EnergySourceRecord(
            kind: "hwmon", name: display, present: true, scope: Self.scope(of: role), reason: nil))
      }
    }
    if !any {
      found.records.append(
        EnergySourceRecord(
          kind: "hwmon", name: "hwmon", present: false, scope: nil,
          reason: "no hwmon chip under \(base) has an energy or power sensor"))
    }
  }

  // MARK: IPMI DCMI

  func ipmi(_ found: inout Found) {
    let tools: [(name: String, arguments: [String])] = [
      ("ipmi-dcmi", ["--get-system-power-statistics"]), ("ipmitool", ["dcmi", "power", "reading"]),
    ]
    let directories = searchPath.split(separator: ":").map(String.init)
    var tried: [String] = []
    for tool in tools {
      guard
        let path = directories.map({ "\($0)/\(tool.name)" })
          .first(where: { FileManager.default.isExecutableFile(atPath: $0) })
      else { continue }
      let command = ([tool.name] + tool.arguments).joined(separator: " ")
      let timeout = toolTimeout
      let read: @Sendable () throws -> Double = {
        try DCMIReading.watts(
          from: ToolRun.output(path, tool.arguments, timeout: timeout), command: command)
      }
      do {
        _ = try read()
      } catch {
        tried.append("\(command): \(error)")
        continue
      }
      let role = EnergyChannel.Role.node(scope: "node-bmc")
      found.channels.append(
        EnergyChannel(
          kind: "ipmi", name: command, measure: .power, role: role, period: 1,
          maximumWatts: 100_000, read: read))
      found.records.append(
        EnergySourceRecord(
          kind: "ipmi", name: command, present: true, scope: "node-bmc", reason: nil))
      return
    }
    found.records.append(
      EnergySourceRecord(
        kind: "ipmi", name: "DCMI power reading", present: false, scope: nil,
        reason: tried.isEmpty
          ? "neither ipmi-dcmi (freeipmi-tools) nor ipmitool is installed"
          : tried.joined(separator: "; ")))
  }
}

/// A BMC's DCMI "Get Power Reading" as ipmitool and FreeIPMI's ipmi-dcmi print it.
public enum DCMIReading {
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// The current reading in watts: ipmitool's "Instantaneous power reading: 245 Watts",
  /// ipmi-dcmi's "Current Power : 245 Watts". A BMC that says the measurement is not active,
  /// or prints neither line, is a failure with its first line.
  public static func watts(from output: String, command: String) throws -> Double {
    let lines = output.split(whereSeparator: \.isNewline).map { String($0) }
    for line in lines {
      let lower = line.lowercased()
      if lower.contains("power measurement"),
        lower.contains("not available") || lower.contains("deactivated")
      {
        throw Failure(description: "the BMC's power measurement is not active")
      }
    }
    for line in lines {
      let lower = line.lowercased()
      guard lower.contains("instantaneous power reading") || lower.contains("current power")
      else { continue }
      guard let colon = line.firstIndex(of: ":") else { continue }
      let words = line[line.index(after: colon)...].split(separator: " ")
      guard let number = words.first.flatMap({ Double($0) }), number.isFinite, number >= 0,
        words.dropFirst().first?.lowercased().hasPrefix("watt") == true
      else {
        throw Failure(description: "unexpected reading \"\(line.trimmingWhitespace)\"")
      }
      return number
    }
    let first = lines.first.map { String($0.trimmingWhitespace.prefix(160)) } ?? "no output"
    throw Failure(description: "no power reading in its output (\(first))")
  }
}

/// Runs a tool with a time limit and returns what it printed; a non-zero exit is an error with
/// its first line of output.
enum ToolRun {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  static func output(_ path: String, _ arguments: [String], timeout: Double) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    // Read while it runs (a full pipe would block it), then wait.
    let data = Collected()
    let reading = Thread {
      data.set(pipe.fileHandleForReading.readDataToEndOfFile())
    }
    reading.start()
    while process.isRunning {
      if Date() > deadline {
        process.terminate()
        throw Failure(description: "no answer within \(Int(timeout)) s")
      }
      usleep(10_000)
    }
    while !data.done { usleep(1_000) }
    let text = String(decoding: data.value ?? Data(), as: UTF8.self)
    guard process.terminationStatus == 0 else {
      let first = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
      throw Failure(
        description: "exit \(process.terminationStatus)"
          + (first.isEmpty ? "" : ": \(first.prefix(160))"))
    }
    return text
  }

  final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Data? = nil
    private var finished = false

    func set(_ data: Data) {
      lock.lock()
      stored = data
      finished = true
      lock.unlock()
    }

    var done: Bool {
      lock.lock()
      defer { lock.unlock() }
      return finished
    }

    var value: Data? {
      lock.lock()
      defer { lock.unlock() }
      return stored
    }
  }
}
