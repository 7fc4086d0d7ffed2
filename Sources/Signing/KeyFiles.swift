import Crypto
import Files
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// An Ed25519 public key, identified by the hex SHA-256 of its 32 raw bytes.
public struct PublicKey: Sendable, Equatable {
  public let raw: [UInt8]

  public init(raw: [UInt8]) throws {
    guard raw.count == 32 else {
      throw SigningError.signature("an Ed25519 public key has 32 bytes, this one has \(raw.count)")
    }
    self.raw = raw
  }

  public var keyID: String { SHA256.hash(data: raw).map { String(format: "%02x", $0) }.joined() }
  public var base64: String { Data(raw).base64EncodedString() }

  func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
    guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
    return key.isValidSignature(signature, for: message)
  }
}

/// An Ed25519 private key loaded for signing. It never enters a report or a log.
public struct SigningKey: Sendable {
  /// The 32-byte seed (swift-crypto's key type is not Sendable; it is rebuilt to sign).
  private let seed: [UInt8]
  public let publicKey: PublicKey

  init(key: Curve25519.Signing.PrivateKey) {
    seed = Array(key.rawRepresentation)
    // 32 raw bytes by construction.
    publicKey = try! PublicKey(raw: Array(key.publicKey.rawRepresentation))
  }

  func signature(for message: [UInt8]) throws -> [UInt8] {
    Array(try Curve25519.Signing.PrivateKey(rawRepresentation: seed).signature(for: message))
  }
}

/// Key files: PEM, PKCS#8 for the private key and SubjectPublicKeyInfo for the public key (RFC
/// 8410), the formats `openssl pkey` and Python's `cryptography` read.
public enum KeyFiles {
  /// DER of PKCS#8 PrivateKeyInfo for Ed25519 (OID 1.3.101.112) up to the 32-byte seed.
  static let privatePrefix: [UInt8] = [
    0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
  ]
  /// DER of SubjectPublicKeyInfo for Ed25519 up to the 32-byte key.
  static let publicPrefix: [UInt8] = [
    0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00,
  ]

  public static let privateName = "private-key.pem"
  public static let publicName = "public-key.pem"

  /// `$XDG_CONFIG_HOME/suanli`, else `~/.config/suanli`.
  public static var defaultFolder: String {
    let environment = ProcessInfo.processInfo.environment
    if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/suanli" }
    return (environment["HOME"] ?? NSHomeDirectory()) + "/.config/suanli"
  }

  public static var defaultPrivateKey: String { defaultFolder + "/" + privateName }
  public static var defaultTrustFolder: String { defaultFolder + "/trusted" }

  /// Writes a new key pair into `folder` (private 0600, public 0644) and trusts its public key
  /// under `name`. Refuses to replace an existing private key.
  public static func generate(folder: String, name: String) throws -> (
    privatePath: String, publicPath: String, key: PublicKey
  ) {
    let privatePath = folder + "/" + privateName
    let publicPath = folder + "/" + publicName
    guard !FileManager.default.fileExists(atPath: privatePath) else {
      throw SigningError.key(
        path: privatePath, message: "a private key is already there; not overwritten")
    }
    do {
      try FileManager.default.createDirectory(
        atPath: folder + "/trusted", withIntermediateDirectories: true)
    } catch {
      throw SigningError.io(path: folder, message: "cannot create the key folder")
    }
    let key = Curve25519.Signing.PrivateKey()
    let signing = SigningKey(key: key)
    try write(
      pem("PRIVATE KEY", privatePrefix + Array(key.rawRepresentation)), to: privatePath, mode: 0o600
    )
    let publicPEM = pem("PUBLIC KEY", publicPrefix + signing.publicKey.raw)
    try write(publicPEM, to: publicPath, mode: 0o644)
    try write(publicPEM, to: folder + "/trusted/\(name).pem", mode: 0o644)
    return (privatePath, publicPath, signing.publicKey)
  }

  /// Loads a private key. Refuses a world-readable file; warns about group access.
  public static func loadPrivate(path: String) throws -> (SigningKey, warnings: [String]) {
    var status = stat()
    guard stat(path, &status) == 0 else {
      throw SigningError.key(path: path, message: "no such key file")
    }
    let mode = status.st_mode & 0o777
    if mode & 0o004 != 0 {
      throw SigningError.key(
        path: path,
        message:
          "is readable by everyone (mode \(String(mode, radix: 8))); refusing to sign: chmod 600 \(path)"
      )
    }
    var warnings: [String] = []
    if mode & 0o070 != 0 {
      warnings.append(
        "\(path): private key readable by its group (mode \(String(mode, radix: 8))); chmod 600 recommended"
      )
    }
    let der = try readPEM(path: path, label: "PRIVATE KEY")
    guard der.count == privatePrefix.count + 32,
      Array(der.prefix(privatePrefix.count)) == privatePrefix
    else {
      throw SigningError.key(
        path: path, message: "not an Ed25519 PKCS#8 private key (expected 48 DER bytes)")
    }
    let key = try Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32))
    return (SigningKey(key: key), warnings)
  }

  public static func loadPublic(path: String) throws -> PublicKey {
    let der = try readPEM(path: path, label: "PUBLIC KEY")
    guard der.count == publicPrefix.count + 32,
      Array(der.prefix(publicPrefix.count)) == publicPrefix
    else {
      throw SigningError.key(
        path: path, message: "not an Ed25519 public key (expected 44 DER bytes)")
    }
    return try PublicKey(raw: Array(der.suffix(32)))
  }

  static func pem(_ label: String, _ der: [UInt8]) -> String {
    let body = Data(der).base64EncodedString(options: [
      .lineLength64Characters, .endLineWithLineFeed,
    ])
    return "-----BEGIN \(label)-----\n\(body)\n-----END \(label)-----\n"
  }

  static func readPEM(path: String, label: String) throws -> [UInt8] {
    let data: [UInt8]
    do { data = try BoundedFile.read(path, limit: 64 << 10) } catch {
      throw SigningError.key(path: path, message: "\(error)")
    }
    let text = String(decoding: data, as: UTF8.self)
    let begin = "-----BEGIN \(label)-----"
    let end = "-----END \(label)-----"
    guard let start = text.range(of: begin), let stop = text.range(of: end),
      start.upperBound <= stop.lowerBound
    else { throw SigningError.key(path: path, message: "expected a PEM block \(begin)") }
    let body = text[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
    guard let der = Data(base64Encoded: String(body)) else {
      throw SigningError.key(path: path, message: "the PEM body is not base64")
    }
    return Array(der)
  }

  /// Atomically, never over an existing file: a crash mid-write leaves no half key behind.
  static func write(_ text: String, to path: String, mode: mode_t) throws {
    do { try AtomicFile.write(Array(text.utf8), to: path, overwrite: false, mode: mode) } catch {
      guard case .unwritable(_, let reason) = error else { throw error }
      throw SigningError.io(path: path, message: reason)
    }
  }
}

/// Public keys a verifier trusts: the `*.pem` files of a folder, named by their file names.
public struct TrustStore: Sendable {
  public let names: [String: String]  // keyID -> name

  public init(folder: String) {
    var names: [String: String] = [:]
    let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    for file in files.sorted() where file.hasSuffix(".pem") {
      if let key = try? KeyFiles.loadPublic(path: folder + "/" + file) {
        names[key.keyID] = String(file.dropLast(4))
      }
    }
    self.names = names
  }

  public init(names: [String: String]) { self.names = names }
}
