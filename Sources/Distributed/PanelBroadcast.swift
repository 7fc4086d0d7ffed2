import Communication

/// How a factored panel travels along its process row.
public enum PanelBroadcast: String, Sendable, CaseIterable {
  /// HPL's 1ringM (BCAST 1): the root sends to the next two processes, then the panel runs
  /// round the row; receives and forwards are posted early and progressed between chunks of
  /// the trailing update, so the broadcast overlaps it.
  case ringModified
  /// The library's broadcast (MPI_Bcast) at the end of each step: no overlap.
  case library

  /// HPL's BCAST digit in the T/V code (1 = 1ringM); "B" for the library's broadcast, which
  /// HPL does not have.
  var code: String { self == .ringModified ? "1" : "B" }
}

/// One panel's broadcast from the process column `root` to the rest of a process row.
final class PanelTransfer {
  let comm: Communicator
  let root: Int
  let kind: PanelBroadcast
  let buffer: UnsafeMutablePointer<Double>
  let count: Int
  let tag: Int
  private var receiving: CommunicationRequest? = nil
  private var sending: [CommunicationRequest] = []
  private var forwarded = false

  init(
    _ comm: Communicator, root: Int, kind: PanelBroadcast, buffer: UnsafeMutablePointer<Double>,
    count: Int, tag: Int
  ) {
    self.comm = comm
    self.root = root
    self.kind = kind
    self.buffer = buffer
    self.count = count
    self.tag = tag
  }

  /// This process's position in the ring, counted from the root.
  private var relative: Int { (comm.rank - root + comm.size) % comm.size }

  private func actual(_ relative: Int) -> Int { (root + relative) % comm.size }

  /// 1ringM: 0 → 1 and 0 → 2, then 2 → 3 → 4 → ...
  private var successors: [Int] {
    let q = comm.size
    switch relative {
    case 0: return [1, 2].filter { $0 < q }
    case 1: return []
    default: return relative + 1 < q ? [relative + 1] : []
    }
  }

  private var predecessor: Int { relative <= 2 ? 0 : relative - 1 }

  /// Non-roots post their receive (before the panel exists anywhere).
  func post() throws {
    guard kind == .ringModified, comm.size > 1, relative != 0, receiving == nil else { return }
    receiving = try comm.startReceive(
      buffer, count: count, type: .float64, from: actual(predecessor), tag: tag)
  }

  /// The root, once the panel is packed: starts its sends.
  func send() throws {
    guard kind == .ringModified, comm.size > 1, relative == 0 else { return }
    try forward()
  }

  private func forward() throws {
    guard !forwarded else { return }
    forwarded = true
    for next in successors {
      sending.append(
        try comm.startSend(buffer, count: count, type: .float64, to: actual(next), tag: tag))
    }
  }

  /// Between update chunks: completes what has arrived and forwards it.
  func progress() throws {
    guard kind == .ringModified, comm.size > 1 else { return }
    if relative != 0, !forwarded, let receiving, try receiving.test() { try forward() }
    for request in sending { _ = try request.test() }
  }

  /// At the end of the step: the panel is here and passed on.
  func finish() throws {
    guard comm.size > 1 else { return }
    if kind == .library {
      try comm.broadcast(buffer, count: count, type: .float64, root: root)
      return
    }
    if relative != 0 {
      try post()
      try receiving?.wait()
      try forward()
    }
    for request in sending { try request.wait() }
  }
}
