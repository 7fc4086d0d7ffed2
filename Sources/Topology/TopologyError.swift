/// Why a topology could not be discovered, loaded or used.
public enum TopologyError: Error, CustomStringConvertible, Equatable {
  case initFailed
  case invalidSynthetic(description: String)
  case xmlNotFound(path: String)
  case invalidXML(path: String)
  case xmlCrashedReader(path: String, signal: Int?)
  case xmlImplausible(path: String)
  case xmlTooLarge(path: String, bytes: Int)
  case xmlNotChecked(path: String)
  case loadFailed(source: String)
  case exportFailed(path: String, reason: String)
  case bindFailed(core: Int, reason: String)
  case noSuchCore(index: Int, cores: Int)

  public var description: String {
    switch self {
    case .initFailed:
      return "hwloc: could not initialise a topology"
    case .invalidSynthetic(let text):
      return
        "--topology synthetic:\"\(text)\": not a valid hwloc synthetic description (expected e.g. \"pack:2 numa:2 l3:1 core:4 pu:2\")"
    case .xmlNotFound(let path):
      return "\(path): no such file (expected an hwloc XML export, e.g. from `lstopo FILE.xml`)"
    case .invalidXML(let path):
      return "\(path): not a valid hwloc XML topology (expected an export of `lstopo FILE.xml`)"
    case .xmlCrashedReader(let path, let signal):
      let how = signal.map { "crashed with signal \($0)" } ?? "did not finish within 3 s"
      return
        "\(path): not a valid hwloc XML topology (hwloc's reader \(how) on it; nothing was loaded)"
    case .xmlImplausible(let path):
      return
        "\(path): not a plausible hwloc XML topology (a processor or NUMA index of a million or more, or an infinite set)"
    case .xmlTooLarge(let path, let bytes):
      return
        "\(path): \(bytes) bytes; an hwloc XML topology must be under \(HwlocTopology.maximumXMLBytes >> 20) MiB"
    case .xmlNotChecked(let path):
      return
        "\(path): not loaded: the process that tries hwloc's reader on a file first could not be started"
    case .loadFailed(let source):
      return "hwloc: could not load the topology from \(source)"
    case .exportFailed(let path, let reason):
      return "\(path): could not write the hwloc XML export: \(reason)"
    case .bindFailed(let core, let reason):
      return "hwloc: could not bind a thread to core \(core): \(reason)"
    case .noSuchCore(let index, let cores):
      return "core \(index) does not exist: the machine has \(cores) cores"
    }
  }
}
