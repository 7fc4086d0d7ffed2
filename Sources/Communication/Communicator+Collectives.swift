/// Tags the default collectives use: negative, so they never match a user's message (MPI
/// requires tags ≥ 0; the MPI gateway implements every collective natively).
enum ReservedTag {
  static let broadcast = -1
  static let reduce = -2
  static let gather = -3
  static let release = -4
  static let allgatherv = -5
}

/// Collectives on point-to-point messages, for implementations that have only those
/// (InProcessWorld). Trees are binomial (MPICH's algorithms); the reduction order is fixed by
/// the ranks, so a floating-point sum gives the same bits on every rank and every run.
extension Communicator {
  func checkRank(_ peer: Int) throws {
    guard peer >= 0, peer < size else {
      throw CommunicationError.invalidRank(rank: rank, peer: peer, size: size)
    }
  }

  public func barrier() throws {
    let token: UInt8 = 0
    var result: UInt8 = 0
    try withUnsafeBytes(of: token) { input in
      try allreduce(input.baseAddress!, &result, count: 1, type: .byte, operation: .max)
    }
  }

  public func broadcast(
    _ buffer: UnsafeMutableRawPointer, count: Int, type: ElementType, root: Int
  ) throws {
    try checkRank(root)
    let relative = (rank - root + size) % size
    var mask = 1
    while mask < size {
      if relative & mask != 0 {
        let parent = (relative - mask + root) % size
        try receive(buffer, count: count, type: type, from: parent, tag: ReservedTag.broadcast)
        break
      }
      mask <<= 1
    }
    mask >>= 1
    while mask > 0 {
      if relative + mask < size {
        let child = (relative + mask + root) % size
        try send(buffer, count: count, type: type, to: child, tag: ReservedTag.broadcast)
      }
      mask >>= 1
    }
  }

  /// Binomial reduction to `root`: each rank combines its children's partial results in a
  /// fixed order. `output` is written on the root only.
  public func reduce(
    _ input: UnsafeRawPointer, _ output: UnsafeMutableRawPointer?, count: Int, type: ElementType,
    operation: ReduceOperation, root: Int
  ) throws {
    try checkRank(root)
    let bytes = count * type.size
    let accumulator = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes), alignment: 16)
    let incoming = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes), alignment: 16)
    defer {
      accumulator.deallocate()
      incoming.deallocate()
    }
    accumulator.copyMemory(from: input, byteCount: bytes)
    let relative = (rank - root + size) % size
    var mask = 1
    while mask < size {
      if relative & mask == 0 {
        let child = relative | mask
        if child < size {
          try receive(
            incoming, count: count, type: type, from: (child + root) % size, tag: ReservedTag.reduce
          )
          operation.combine(into: accumulator, incoming, count: count, type: type)
        }
      } else {
        let parent = ((relative & ~mask) + root) % size
        try send(accumulator, count: count, type: type, to: parent, tag: ReservedTag.reduce)
        break
      }
      mask <<= 1
    }
    if rank == root, let output { output.copyMemory(from: accumulator, byteCount: bytes) }
  }

  public func allreduce(
    _ input: UnsafeRawPointer, _ output: UnsafeMutableRawPointer, count: Int, type: ElementType,
    operation: ReduceOperation
  ) throws {
    try reduce(input, output, count: count, type: type, operation: operation, root: 0)
    try broadcast(output, count: count, type: type, root: 0)
  }

  public func gather(
    _ input: UnsafeRawPointer, count: Int, type: ElementType, into output: UnsafeMutableRawPointer?,
    root: Int
  ) throws {
    try checkRank(root)
    let bytes = count * type.size
    guard rank == root else {
      try send(input, count: count, type: type, to: root, tag: ReservedTag.gather)
      return
    }
    guard let output else { return }
    for peer in 0..<size {
      let slot = output + peer * bytes
      if peer == rank {
        slot.copyMemory(from: input, byteCount: bytes)
      } else {
        try receive(slot, count: count, type: type, from: peer, tag: ReservedTag.gather)
      }
    }
  }

  public func allgather(
    _ input: UnsafeRawPointer, count: Int, type: ElementType, into output: UnsafeMutableRawPointer
  ) throws {
    try gather(input, count: count, type: type, into: output, root: 0)
    try broadcast(output, count: count * size, type: type, root: 0)
  }

  /// Every rank sends its piece to every other (pieces differ in size): P−1 messages a rank.
  public func allgatherv(
    _ input: UnsafeRawPointer, count: Int, type: ElementType, into output: UnsafeMutableRawPointer,
    counts: [Int], displacements: [Int]
  ) throws {
    guard counts.count == size, displacements.count == size, counts[rank] == count else {
      throw CommunicationError.invalidRank(rank: rank, peer: counts.count, size: size)
    }
    let receives = try (0..<size).filter { $0 != rank }.map { peer in
      try startReceive(
        output + displacements[peer] * type.size, count: counts[peer], type: type, from: peer,
        tag: ReservedTag.allgatherv)
    }
    (output + displacements[rank] * type.size).copyMemory(from: input, byteCount: count * type.size)
    for peer in 0..<size where peer != rank {
      try send(input, count: count, type: type, to: peer, tag: ReservedTag.allgatherv)
    }
    for request in receives { try request.wait() }
  }

  public func sendReceive(
    _ sendBuffer: UnsafeRawPointer, sendCount: Int, to destination: Int,
    _ receiveBuffer: UnsafeMutableRawPointer, receiveCount: Int, from source: Int,
    type: ElementType, tag: Int
  ) throws {
    let pending = try startReceive(
      receiveBuffer, count: receiveCount, type: type, from: source, tag: tag)
    try send(sendBuffer, count: sendCount, type: type, to: destination, tag: tag)
    try pending.wait()
  }

  public func pingPong(
    send sendBuffer: UnsafeRawPointer, receive receiveBuffer: UnsafeMutableRawPointer, bytes: Int,
    iterations: Int, initiator: Bool, peer: Int, tag: Int
  ) throws {
    for _ in 0..<iterations {
      if initiator {
        try send(sendBuffer, count: bytes, type: .byte, to: peer, tag: tag)
        try receive(receiveBuffer, count: bytes, type: .byte, from: peer, tag: tag)
      } else {
        try receive(receiveBuffer, count: bytes, type: .byte, from: peer, tag: tag)
        try send(sendBuffer, count: bytes, type: .byte, to: peer, tag: tag)
      }
    }
  }

  public func sendWindow(
    _ buffer: UnsafeRawPointer, bytes: Int, count: Int, to peer: Int, tag: Int
  ) throws {
    let requests = try (0..<count).map { _ in
      try startSend(buffer, count: bytes, type: .byte, to: peer, tag: tag)
    }
    for request in requests { try request.wait() }
  }

  public func receiveWindow(
    _ buffer: UnsafeMutableRawPointer, bytes: Int, count: Int, from peer: Int, tag: Int
  ) throws {
    let requests = try (0..<count).map { _ in
      try startReceive(buffer, count: bytes, type: .byte, from: peer, tag: tag)
    }
    for request in requests { try request.wait() }
  }

  public func exchangeWindow(
    send sendBuffer: UnsafeRawPointer, receive receiveBuffer: UnsafeMutableRawPointer, bytes: Int,
    count: Int, peer: Int, tag: Int
  ) throws {
    let receives = try (0..<count).map { _ in
      try startReceive(receiveBuffer, count: bytes, type: .byte, from: peer, tag: tag)
    }
    let sends = try (0..<count).map { _ in
      try startSend(sendBuffer, count: bytes, type: .byte, to: peer, tag: tag)
    }
    for request in receives + sends { try request.wait() }
  }

  public func release() throws {
    guard rank == 0 else { return }
    var token: UInt8 = 1
    for peer in 1..<max(1, size) {
      try send(&token, count: 1, type: .byte, to: peer, tag: ReservedTag.release)
    }
  }

  public func waitForRelease() throws {
    guard rank != 0 else { return }
    var token: UInt8 = 0
    try receive(&token, count: 1, type: .byte, from: 0, tag: ReservedTag.release)
  }
}
