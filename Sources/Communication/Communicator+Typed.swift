/// Typed conveniences over the raw-buffer operations: arrays and single values of any
/// `CommunicationElement`, and the text gathers reports use.
extension Communicator {
  public func send<T: CommunicationElement>(_ values: [T], to peer: Int, tag: Int) throws {
    try values.withUnsafeBytes {
      try send(
        $0.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, count: values.count,
        type: T.elementType, to: peer, tag: tag)
    }
  }

  /// Receives exactly `count` elements.
  public func receive<T: CommunicationElement & Numeric>(
    _: T.Type = T.self, count: Int, from peer: Int, tag: Int
  ) throws -> [T] {
    var values = [T](repeating: 0, count: count)
    try values.withUnsafeMutableBytes {
      try receive(
        $0.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 8)!, count: count,
        type: T.elementType, from: peer, tag: tag)
    }
    return values
  }

  /// `values` combined element by element over all ranks.
  public func allreduce<T: CommunicationElement & Numeric>(
    _ values: [T], _ operation: ReduceOperation
  ) throws -> [T] {
    guard !values.isEmpty else { return [] }
    var output = [T](repeating: 0, count: values.count)
    try values.withUnsafeBytes { input in
      try output.withUnsafeMutableBytes { out in
        try allreduce(
          input.baseAddress!, out.baseAddress!, count: values.count, type: T.elementType,
          operation: operation)
      }
    }
    return output
  }

  public func allreduce<T: CommunicationElement & Numeric>(
    _ value: T, _ operation: ReduceOperation
  ) throws -> T {
    try allreduce([value], operation)[0]
  }

  /// The largest of every rank's value.
  public func maxOverRanks(_ value: Double) throws -> Double { try allreduce(value, .max) }

  /// Root's `values` on every rank (`values.count` must agree on every rank).
  public func broadcast<T: CommunicationElement>(_ values: inout [T], root: Int) throws {
    let count = values.count
    guard count > 0 else { return }
    try values.withUnsafeMutableBytes {
      try broadcast($0.baseAddress!, count: count, type: T.elementType, root: root)
    }
  }

  /// Every rank's value, in rank order, on every rank.
  public func allgather<T: CommunicationElement & Numeric>(_ value: T) throws -> [T] {
    try allgather([value])
  }

  /// Every rank's `values` (the same count on every rank) concatenated in rank order.
  public func allgather<T: CommunicationElement & Numeric>(_ values: [T]) throws -> [T] {
    var output = [T](repeating: 0, count: values.count * size)
    guard !values.isEmpty else { return output }
    try values.withUnsafeBytes { input in
      try output.withUnsafeMutableBytes { out in
        try allgather(
          input.baseAddress!, count: values.count, type: T.elementType, into: out.baseAddress!)
      }
    }
    return output
  }

  /// Every rank's text on rank 0 (empty elsewhere), each cut to `width` − 1 bytes of UTF-8.
  public func gather(_ text: String, width: Int = 1024) throws -> [String] {
    var mine = [UInt8](repeating: 0, count: width)
    for (i, byte) in text.utf8.prefix(width - 1).enumerated() { mine[i] = byte }
    var all = [UInt8](repeating: 0, count: rank == 0 ? width * size : 1)
    try mine.withUnsafeBytes { input in
      try all.withUnsafeMutableBytes { output in
        try gather(
          input.baseAddress!, count: width, type: .byte, into: rank == 0 ? output.baseAddress : nil,
          root: 0)
      }
    }
    guard rank == 0 else { return [] }
    return (0..<size).map { r in
      let slot = all[(r * width)..<((r + 1) * width)]
      return String(decoding: slot.prefix { $0 != 0 }, as: UTF8.self)
    }
  }

  /// Every rank's text on every rank (the gather above, then a broadcast).
  public func allgather(_ text: String, width: Int = 1024) throws -> [String] {
    var mine = [UInt8](repeating: 0, count: width)
    for (i, byte) in text.utf8.prefix(width - 1).enumerated() { mine[i] = byte }
    let all = try allgather(mine)
    return (0..<size).map { r in
      String(decoding: all[(r * width)..<((r + 1) * width)].prefix { $0 != 0 }, as: UTF8.self)
    }
  }

  /// Every rank's bytes (any length) on `root`, in rank order; empty elsewhere. The root
  /// receives each rank's length, then its bytes; `waiting(r)` is called before it waits for
  /// rank r, so that a watchdog can name the rank that never answers.
  public func gatherBytes(
    _ bytes: [UInt8], root: Int = 0, waiting: ((Int) -> Void)? = nil
  ) throws -> [[UInt8]] {
    guard rank == root else {
      try send([bytes.count], to: root, tag: InternalTag.gatherLength)
      if !bytes.isEmpty { try send(bytes, to: root, tag: InternalTag.gatherBytes) }
      return []
    }
    var all: [[UInt8]] = []
    for peer in 0..<size {
      if peer == rank {
        all.append(bytes)
        continue
      }
      waiting?(peer)
      let length = try receive(Int.self, count: 1, from: peer, tag: InternalTag.gatherLength)[0]
      all.append(
        length > 0
          ? try receive(UInt8.self, count: length, from: peer, tag: InternalTag.gatherBytes) : [])
    }
    return all
  }
}

/// Tags Suanli's own point-to-point exchanges use (MPI guarantees tags up to 32767).
public enum InternalTag {
  public static let gatherLength = 32_001
  public static let gatherBytes = 32_002
}
