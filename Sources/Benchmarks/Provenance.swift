import Kernels
import ReportFormat
import Topology

/// What ran: the tool's build and the software around it, as every report records them.
public enum Provenance {
  public static let toolVersion = "0.1.0"

  public static func tool() -> Report.Tool {
    Report.Tool(
      name: "suanli", version: toolVersion, gitCommit: BuildInfo.gitCommit,
      buildISA: BuildInfo.isa)
  }

  public static func software() -> Software {
    Software(
      os: HostProbe.osName(), kernel: HostProbe.kernel(), compiler: compilerVersion,
      blas: BLAS.configuration, mpi: nil, hwloc: HwlocTopology.libraryVersion,
      environment: HostProbe.performanceEnvironment())
  }

  static var compilerVersion: String {
    #if compiler(>=6.3)
      return "Swift 6.3 or later"
    #elseif compiler(>=6.2)
      return "Swift 6.2"
    #elseif compiler(>=6.1)
      return "Swift 6.1"
    #else
      return "Swift 6.0"
    #endif
  }
}
