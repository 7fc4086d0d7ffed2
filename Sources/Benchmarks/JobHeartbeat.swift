import Communication
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A side channel beside MPI that can tell which rank stalled a job. When a collective never
/// returns, rank 0's watchdog cannot ask MPI who is missing (its only thread that may call MPI
/// is the one blocked); so every other rank keeps telling it, over a TCP connection of its own,
/// twice a second, what `RankActivity` says: inside a blocking MPI call or not, since when, how
/// many calls. A rank that has stayed outside MPI while rank 0 waits inside is computing or
/// stuck; a rank whose reports stopped is stopped, or its node is gone. Nothing here calls MPI
/// after `start`, and nothing is trusted beyond its fixed 32-byte records.
public final class JobHeartbeat: @unchecked Sendable {
  /// What one rank last said, and when it arrived (monotonic nanoseconds).
  struct Beat {
    var activity: RankActivity.Snapshot
    var received: UInt64
  }

  let size: Int
  private let beats = Mutex<[Int: Beat]>([:])
  /// Set when the channel could not be opened on rank 0 (then it says why instead).
  private let failure: String?
  static let interval = 0.5
  static let recordBytes = 32

  private init(size: Int, failure: String?) {
    self.size = size
    self.failure = failure
  }

  /// Collective over `world`: rank 0 listens on a port of its own, tells the others its
  /// addresses, and each of them connects from a thread that then reports for ever. A rank that
  /// cannot connect just stays silent (rank 0 will say so if the job stalls).
  public static func start(world: Communicator) throws -> JobHeartbeat {
    var announcement = [UInt8](repeating: 0, count: 1024)
    var heartbeat: JobHeartbeat
    if world.rank == 0 {
      let opened = Listener.open()
      heartbeat = JobHeartbeat(size: world.size, failure: opened.failure)
      if let listener = opened.listener {
        let text = ([String(listener.port)] + listener.addresses).joined(separator: " ")
        let bytes = Array(text.utf8.prefix(announcement.count - 1))
        announcement.replaceSubrange(0..<bytes.count, with: bytes)
        let receiver = heartbeat
        let expected = world.size - 1
        Thread.detachNewThread { receiver.receive(listener.socket, expected: expected) }
      }
    } else {
      heartbeat = JobHeartbeat(size: world.size, failure: nil)
    }
    try world.broadcast(&announcement, root: 0)
    if world.rank != 0 {
      let words = String(decoding: announcement.prefix { $0 != 0 }, as: UTF8.self)
        .split(separator: " ").map(String.init)
      if let port = words.first.flatMap(UInt16.init) {
        let rank = world.rank
        let addresses = Array(words.dropFirst())
        Thread.detachNewThread { Self.report(rank: rank, to: addresses, port: port) }
      }
    }
    return heartbeat
  }

  // MARK: Rank 0: reading the table

  /// Rank 0, when a collective has not returned: which ranks kept it waiting, as far as the
  /// heartbeats tell. `describe` names a rank's node ("rank 3 on node 1 (host n2)").
  public func stallDiagnosis(describe: (Int) -> String) -> String {
    if let failure { return "no heartbeat channel (\(failure)): the stalled rank cannot be named" }
    let now = RankActivity.nanoseconds()
    let table = beats.withLock { $0 }
    let silentAfter = 10 * Self.interval
    var silent: [(rank: Int, seconds: Double?)] = []
    var outside: [(rank: Int, seconds: Double)] = []
    for rank in 1..<max(1, size) {
      guard let beat = table[rank] else {
        silent.append((rank, nil))
        continue
      }
      let age = Double(now &- beat.received) * 1e-9
      if age > silentAfter {
        silent.append((rank, age))
      } else if !beat.activity.inside {
        outside.append((rank, beat.activity.seconds + age))
      }
    }
    let mine = RankActivity.snapshot()
    var parts: [String] = []
    for (rank, seconds) in outside.sorted(by: { $0.seconds > $1.seconds }) {
      parts.append(
        "\(describe(rank)) has been outside MPI for \(Int(seconds.rounded())) s (computing or stuck) while rank 0 waits inside"
      )
    }
    for (rank, seconds) in silent {
      parts.append(
        seconds.map {
          "\(describe(rank)) has sent no heartbeat for \(Int($0.rounded())) s (stopped, or its node is gone)"
        } ?? "\(describe(rank)) never reached the heartbeat channel")
    }
    if parts.isEmpty {
      return mine.inside
        ? "every rank is inside MPI (a message that never came, or ranks in different collectives)"
        : "rank 0 itself is outside MPI"
    }
    let shown = parts.prefix(4).joined(separator: "; ")
    return parts.count > 4 ? shown + "; and \(parts.count - 4) more" : shown
  }

  /// The receiving thread: accepts up to `expected` connections and keeps the latest record of
  /// each rank. Bad records (a stray client) are dropped with their connection.
  private func receive(_ listener: Int32, expected: Int) {
    var clients: [(socket: Int32, pending: [UInt8])] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      // The listener is polled only while connections are still expected (once all are in,
      // a readable listener would wake the loop for ever).
      let accepting = clients.count < expected
      var polled = clients.map { pollfd(fd: $0.socket, events: Int16(POLLIN), revents: 0) }
      if accepting { polled.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0)) }
      guard poll(&polled, nfds_t(polled.count), 1000) >= 0 || errno == EINTR else { return }
      var closed: [Int] = []
      for index in clients.indices where polled[index].revents != 0 {
        let got = read(clients[index].socket, &buffer, buffer.count)
        guard got > 0 else {
          closed.append(index)
          continue
        }
        clients[index].pending += buffer[0..<got]
        while clients[index].pending.count >= Self.recordBytes {
          let record = Array(clients[index].pending.prefix(Self.recordBytes))
          clients[index].pending.removeFirst(Self.recordBytes)
          guard let (rank, snapshot) = Self.decode(record), rank > 0, rank < size else {
            closed.append(index)
            break
          }
          let beat = Beat(activity: snapshot, received: RankActivity.nanoseconds())
          beats.withLock { $0[rank] = beat }
        }
      }
      for index in Set(closed).sorted(by: >) {
        close(clients[index].socket)
        clients.remove(at: index)
      }
      if accepting, polled[polled.count - 1].revents & Int16(POLLIN) != 0 {
        let client = accept(listener, nil, nil)
        if client >= 0 { clients.append((client, [])) }
      }
    }
  }

  // MARK: Other ranks: reporting

  /// Connects to the first of rank 0's addresses that answers, then sends a record every
  /// `interval` until the connection breaks.
  private static func report(rank: Int, to addresses: [String], port: UInt16) {
    for address in addresses {
      let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      guard socket >= 0 else { return }
      // connect(2) honours the send time-out: an unreachable address costs 2 s, not minutes.
      var timeout = timeval(tv_sec: 2, tv_usec: 0)
      setsockopt(
        socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
      var target = sockaddr_in()
      target.sin_family = sa_family_t(AF_INET)
      target.sin_port = port.bigEndian
      guard inet_pton(AF_INET, address, &target.sin_addr) == 1 else {
        close(socket)
        continue
      }
      let connected = withUnsafePointer(to: &target) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
      guard connected == 0 else {
        close(socket)
        continue
      }
      while true {
        let record = encode(rank: rank, RankActivity.snapshot())
        let sent = record.withUnsafeBytes {
          send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
        }
        guard sent == record.count else {
          close(socket)
          return
        }
        Thread.sleep(forTimeInterval: interval)
      }
    }
  }

  /// rank (Int64), inside (Int64: 0 or 1), calls (Int64), seconds (Float64), little-endian.
  static func encode(rank: Int, _ snapshot: RankActivity.Snapshot) -> [UInt8] {
    var bytes: [UInt8] = []
    for word in [UInt64(rank), snapshot.inside ? 1 : 0, UInt64(snapshot.calls)] {
      withUnsafeBytes(of: word.littleEndian) { bytes += $0 }
    }
    withUnsafeBytes(of: snapshot.seconds.bitPattern.littleEndian) { bytes += $0 }
    return bytes
  }

  static func decode(_ bytes: [UInt8]) -> (Int, RankActivity.Snapshot)? {
    guard bytes.count == recordBytes else { return nil }
    func word(_ index: Int) -> UInt64 {
      (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[index * 8 + $1]) << (8 * UInt64($1)) }
    }
    let seconds = Double(bitPattern: word(3))
    guard word(0) < 1 << 31, word(1) <= 1, word(2) < 1 << 62, seconds.isFinite, seconds >= 0
    else { return nil }
    return (
      Int(word(0)),
      RankActivity.Snapshot(inside: word(1) == 1, calls: Int(word(2)), seconds: seconds)
    )
  }

  /// Rank 0's listening socket, on every interface, a port the kernel picks; its IPv4
  /// addresses, the loopback last (fake nodes on one host reach it there).
  struct Listener {
    let socket: Int32
    let port: UInt16
    let addresses: [String]

    static func open() -> (listener: Listener?, failure: String?) {
      let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      guard socket >= 0 else { return (nil, "socket: \(String(cString: strerror(errno)))") }
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_addr.s_addr = INADDR_ANY
      address.sin_port = 0
      var length = socklen_t(MemoryLayout<sockaddr_in>.size)
      let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
      }
      guard bound == 0, listen(socket, 64) == 0 else {
        let reason = String(cString: strerror(errno))
        close(socket)
        return (nil, "bind/listen: \(reason)")
      }
      let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
      }
      guard named == 0 else {
        close(socket)
        return (nil, "getsockname: \(String(cString: strerror(errno)))")
      }
      return (
        Listener(socket: socket, port: UInt16(bigEndian: address.sin_port), addresses: ipv4()),
        nil
      )
    }

    static func ipv4() -> [String] {
      var list: UnsafeMutablePointer<ifaddrs>? = nil
      guard getifaddrs(&list) == 0 else { return ["127.0.0.1"] }
      defer { freeifaddrs(list) }
      var external: [String] = []
      var loopback: [String] = []
      var cursor = list
      while let entry = cursor {
        defer { cursor = entry.pointee.ifa_next }
        guard let raw = entry.pointee.ifa_addr, raw.pointee.sa_family == sa_family_t(AF_INET)
        else { continue }
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
          var inet = $0.pointee.sin_addr
          _ = inet_ntop(AF_INET, &inet, &text, socklen_t(INET_ADDRSTRLEN))
        }
        let name = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if Int(entry.pointee.ifa_flags) & IFF_LOOPBACK != 0 {
          loopback.append(name)
        } else {
          external.append(name)
        }
      }
      return Array((external + loopback).prefix(16))
    }
  }
}
