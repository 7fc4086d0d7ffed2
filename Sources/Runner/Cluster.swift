import Benchmarks
import Communication
import Energy
import Foundation
import ReportFormat
import Topology

/// The start of a job of several ranks: the layout (nodes found through MPI, leaders), each
/// node discovered once by its leader (the other ranks of the node take its clock rather than
/// measure it at the same time), and, on rank 0, every node's record and the job block.
struct Cluster: @unchecked Sendable {
  let job: JobLayout
  let node: NodeProfile
  /// Rank 0: every node's record, by node index.
  let nodes: [NodeRecord]?
  /// Rank 0: the job block.
  let record: JobRecord?

  static func start(_ world: Communicator, energy: EnergySettings = EnergySettings()) throws
    -> Cluster
  {
    var job = try JobLayout(world: world, hostname: HostProbe.hostname())
    job.heartbeat = try JobHeartbeat.start(world: world)
    var leaderNode: NodeProfile? = nil
    var clock: [UInt8] = []
    if job.isLeader {
      var discovered = try NodeDiscovery.discover(.host)
      discovered.energySources = EnergyProbe.host(
        kinds: energy.kindSet, packages: discovered.machine.packages
      ).discover().records
      discovered.probeAccelerators()
      leaderNode = discovered
      clock = Array((try? JSONEncoder().encode(discovered.clock)) ?? Data())
    }
    // The leader's clock to the other ranks of its node.
    var length = [clock.count]
    try job.node.broadcast(&length, root: 0)
    if !job.isLeader { clock = [UInt8](repeating: 0, count: length[0]) }
    if length[0] > 0 { try job.node.broadcast(&clock, root: 0) }
    let node: NodeProfile
    if let leaderNode {
      node = leaderNode
    } else {
      let decoded = try? JSONDecoder().decode(ClockRecord?.self, from: Data(clock))
      let record: ClockRecord? = decoded ?? nil
      node = try NodeDiscovery.discover(
        .host, clock: record.map { .recorded($0) } ?? .automatic)
    }
    var nodes: [NodeRecord]? = nil
    var record: JobRecord? = nil
    if let leaders = job.leaders {
      let mine = JobAssembly.NodeReport(record: node.record(), blas: Provenance.software().blas)
      let encoded = Array((try? JSONEncoder().encode(mine)) ?? Data())
      let pieces = try leaders.gatherBytes(encoded)
      if world.rank == 0 {
        var reports: [JobAssembly.NodeReport] = []
        for piece in pieces {
          if let report = try? JSONDecoder().decode(JobAssembly.NodeReport.self, from: Data(piece))
          {
            reports.append(report)
          }
        }
        let environment = ProcessInfo.processInfo.environment
        nodes = JobAssembly.nodes(reports, job: job)
        record = JobRecord(
          launcher: JobAssembly.launcher(environment), mpi: world.library,
          threadLevel: world.threadLevel.name, ranks: world.size, nodes: job.nodeCount,
          ranksPerNode: job.ranksPerNode,
          grouping:
            "MPI_Comm_split_type(MPI_COMM_TYPE_SHARED): the ranks that share memory form a node; node i is the node of the i-th leader in rank order",
          heterogeneity: JobAssembly.heterogeneity(reports),
          environment: JobAssembly.launcherEnvironment(environment))
      }
    }
    return Cluster(job: job, node: node, nodes: nodes, record: record)
  }
}
