import Benchmarks
import Crypto
import Foundation
import Measurement
import ReportFormat

/// What rank 0 makes of a job of several ranks for the report: every node's record (hwloc XML
/// once per distinct topology), the job block with the ways its nodes differ, and each node
/// metric's spread over the nodes with its outliers.
public enum JobAssembly {
  /// What each node's leader sends rank 0 at the start of the job.
  public struct NodeReport: Codable, Sendable {
    public var record: NodeRecord
    public var blas: String?
  }

  /// "mpirun (Open MPI)", "srun (Slurm)", from the variables the launchers set.
  public static func launcher(_ environment: [String: String]) -> String {
    if environment["SLURM_STEP_ID"] != nil, environment["OMPI_COMM_WORLD_SIZE"] == nil {
      return "srun (Slurm)"
    }
    if environment["OMPI_COMM_WORLD_SIZE"] != nil {
      return environment["SLURM_JOB_ID"] != nil
        ? "mpirun (Open MPI) in a Slurm job" : "mpirun (Open MPI)"
    }
    if environment["PMI_SIZE"] != nil || environment["PMIX_RANK"] != nil { return "a PMI launcher" }
    return "unknown launcher"
  }

  /// The launcher's own description of the job, kept as provenance.
  public static func launcherEnvironment(_ environment: [String: String]) -> [String: String] {
    let keys = [
      "SLURM_JOB_ID", "SLURM_JOB_NODELIST", "SLURM_NNODES", "SLURM_NTASKS", "SLURM_TASKS_PER_NODE",
      "SLURM_CPUS_ON_NODE", "SLURM_STEP_ID", "OMPI_COMM_WORLD_SIZE", "OMPI_UNIVERSE_SIZE",
    ]
    return environment.filter { keys.contains($0.key) }
  }

  /// Node records in node order, each with its index and ranks; the hwloc XML kept on the
  /// first node of each distinct topology, the others naming it by its SHA-256.
  public static func nodes(_ reports: [NodeReport], job: JobLayout) -> [NodeRecord] {
    var seen = Set<String>()
    return reports.enumerated().map { index, report in
      var record = report.record
      record.index = index
      record.ranks = job.ranks(onNode: index)
      if let xml = record.hwlocXML {
        let hash = SHA256.hash(data: Data(xml.utf8)).map { String(format: "%02x", $0) }.joined()
        record.topologySHA256 = hash
        if !seen.insert(hash).inserted { record.hwlocXML = nil }
      }
      return record
    }
  }

  /// How the nodes differ: CPU model, cores, memory (beyond 5 %), clock (beyond 2 %), BLAS.
  public static func heterogeneity(_ reports: [NodeReport]) -> [String] {
    guard let first = reports.first else { return [] }
    var differences: [String] = []
    func describe<T: Hashable>(_ name: String, _ value: (NodeReport) -> T, _ text: (T) -> String) {
      let groups = Dictionary(grouping: reports.indices, by: { value(reports[$0]) })
      guard groups.count > 1 else { return }
      let parts = groups.sorted { $0.value[0] < $1.value[0] }.map {
        "\(text($0.key)) on node(s) \($0.value.map(String.init).joined(separator: ", "))"
      }
      differences.append("\(name): " + parts.joined(separator: "; "))
    }
    describe("CPU", { $0.record.cpu.model }, { $0 })
    describe("cores", { $0.record.topology.cores }, { "\($0)" })
    describe("BLAS", { $0.blas ?? "?" }, { $0 })
    let memory = reports.map { Double($0.record.memoryBytes) }
    if let low = memory.min(), let high = memory.max(), high > low * 1.05 {
      differences.append(
        "memory: \(Humanize.format(low, unit: .bytes)) to \(Humanize.format(high, unit: .bytes)); distributed HPL is sized by the smallest"
      )
    }
    let clocks = reports.compactMap { $0.record.clock?.hertz }
    if let low = clocks.min(), let high = clocks.max(), high > low * 1.02 {
      differences.append(
        "clock: \(Humanize.format(low, unit: .hertz)) to \(Humanize.format(high, unit: .hertz))")
    }
    _ = first
    return differences
  }
}
