/// One dimension of a block-cyclic distribution (ScaLAPACK's and HPL's): `count` items cut into
/// blocks of `block`, dealt to `processes` processes in turn starting with process 0. This is
/// process `process`'s view: which items it holds and where (HPL's numroc, indxg2p, indxg2l,
/// indxl2g).
public struct BlockCyclic: Sendable, Equatable {
  public let count: Int
  public let block: Int
  public let processes: Int
  public let process: Int
  /// Items this process holds.
  public let localCount: Int

  public init(count: Int, block: Int, processes: Int, process: Int) {
    precondition(count >= 0 && block >= 1 && processes >= 1 && (0..<processes).contains(process))
    self.count = count
    self.block = block
    self.processes = processes
    self.process = process
    localCount = Self.localCount(of: count, block: block, processes: processes, process: process)
  }

  /// How many of the items 0..<prefix process `process` holds (numroc).
  static func localCount(of prefix: Int, block: Int, processes: Int, process: Int) -> Int {
    let blocks = prefix / block
    var items = (blocks / processes) * block
    let extra = blocks % processes
    if process < extra {
      items += block
    } else if process == extra {
      items += prefix % block
    }
    return items
  }

  /// The process holding global item `global`.
  @inline(__always)
  public func owner(of global: Int) -> Int { (global / block) % processes }

  /// The local index of global item `global` on its owner.
  @inline(__always)
  public func local(of global: Int) -> Int {
    (global / (block * processes)) * block + global % block
  }

  /// The global index of this process's local item `local`.
  @inline(__always)
  public func global(of local: Int) -> Int {
    ((local / block) * processes + process) * block + local % block
  }

  /// The first local index whose global index is `global` or more (localCount if none): the
  /// local items before it are exactly the global items before `global` that this process holds.
  @inline(__always)
  public func firstLocal(atOrAfter global: Int) -> Int {
    Self.localCount(
      of: min(max(0, global), count), block: block, processes: processes, process: process)
  }

  /// This process's local items as ranges of consecutive global indices, in order.
  public var globalRanges: [Range<Int>] {
    var ranges: [Range<Int>] = []
    var start = process * block
    while start < count {
      ranges.append(start..<min(count, start + block))
      start += block * processes
    }
    return ranges
  }
}
