import Communication
import Foundation

/// Where a rank sits in a job of several ranks. Nodes are found through the communicator
/// (MPI_Comm_split_type: the ranks that can share memory), never by host name: fake nodes on
/// one machine share a host name, and real clusters may repeat short names. Node i is the node
/// whose leader (its lowest rank) is the i-th leader in rank order.
public struct JobLayout: Sendable {
  /// One rank as the roll call at the start of the job saw it.
  public struct Member: Sendable, Equatable {
    public var rank: Int
    public var node: Int
    public var hostname: String
    public var pid: Int32
  }

  public let world: Communicator
  /// The ranks of this rank's node; rank 0 of it is the node's leader.
  public let node: Communicator
  /// The node leaders, in rank order (nil on ranks that do not lead a node).
  public let leaders: Communicator?
  public let nodeIndex: Int
  public let nodeCount: Int
  /// Every rank of the job: its node, host and process id.
  public let members: [Member]
  /// The side channel that names a rank that stalls the job (set once the job has started).
  public var heartbeat: JobHeartbeat? = nil

  public var isLeader: Bool { node.rank == 0 }

  /// Ranks on each node, by node index.
  public var ranksPerNode: [Int] {
    (0..<nodeCount).map { index in members.filter { $0.node == index }.count }
  }

  /// The job ranks on node `index`.
  public func ranks(onNode index: Int) -> [Int] {
    members.filter { $0.node == index }.map(\.rank)
  }

  /// Collective over `world`.
  public init(world: Communicator, hostname: String) throws {
    self.world = world
    node = try world.splitByNode()
    let leading = node.rank == 0
    let group = try world.split(color: leading ? 0 : 1, key: world.rank)
    leaders = leading ? group : nil
    var index = [leading ? group.rank : 0]
    try node.broadcast(&index, root: 0)
    nodeIndex = index[0]
    nodeCount = try world.allreduce(leading ? 1 : 0, .sum)
    let roll = try world.allgather("\(nodeIndex) \(getpid()) \(hostname)", width: 256)
    members = roll.enumerated().map { rank, line in
      let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
      return Member(
        rank: rank, node: parts.count > 0 ? Int(parts[0]) ?? 0 : 0,
        hostname: parts.count > 2 ? parts[2] : "?",
        pid: parts.count > 1 ? Int32(parts[1]) ?? 0 : 0)
    }
  }

  /// "node 1 (host n002, ranks 2–3)".
  public func describe(node index: Int) -> String {
    let ranks = self.ranks(onNode: index)
    let host = members.first { $0.node == index }?.hostname ?? "?"
    let list =
      ranks.count == 1
      ? "rank \(ranks[0])" : "ranks \(ranks.map(String.init).joined(separator: ", "))"
    return "node \(index) (host \(host), \(list))"
  }

  /// "rank 3 on node 1 (host n002)".
  public func describe(rank: Int) -> String {
    guard members.indices.contains(rank) else { return "rank \(rank)" }
    return "rank \(rank) on node \(members[rank].node) (host \(members[rank].hostname))"
  }

  /// Ranks on this host whose process is gone (a killed rank), from the roll call: what can be
  /// told without MPI once the launcher is tearing the job down.
  public func vanishedRanks(hostname: String) -> [Member] {
    members.filter {
      $0.hostname == hostname && $0.pid > 0 && kill($0.pid, 0) != 0 && errno == ESRCH
    }
  }
}
