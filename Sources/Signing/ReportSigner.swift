import Foundation

/// What verification found.
public enum VerificationResult: Equatable, Sendable {
  case unsigned
  case invalid(String)
  /// The signature is valid; `trustedName` is the trust store's name for the key, if trusted.
  case valid(keyID: String, trustedName: String?)
}

/// Signs and verifies JSON documents (reports): Ed25519 over the RFC 8785 canonical form of the
/// document without its `signature` member, which then carries
/// `{algorithm, canonicalization, keyId, publicKey, value}`.
public enum ReportSigner {
  public static let algorithm = "Ed25519"
  public static let canonicalization = "RFC8785"

  /// Returns the signed document (indented, canonical member order). An existing signature is
  /// replaced.
  public static func sign(_ document: [UInt8], with key: SigningKey) throws -> [UInt8] {
    let node = try JSONParser.parse(document)
    guard case .object = node else {
      throw SigningError.signature("a report must be a JSON object")
    }
    let message = Canonicalizer.canonical(node.removing("signature"))
    let signature = try key.signature(for: message)
    let publicKey = key.publicKey
    let record: JSONNode = .object([
      ("algorithm", .string(algorithm)),
      ("canonicalization", .string(canonicalization)),
      ("keyId", .string(publicKey.keyID)),
      ("publicKey", .string(publicKey.base64)),
      ("value", .string(Data(signature).base64EncodedString())),
    ])
    return Canonicalizer.pretty(node.setting("signature", to: record))
  }

  public static func verify(_ document: [UInt8], trust: TrustStore) -> VerificationResult {
    let node: JSONNode
    do { node = try JSONParser.parse(document) } catch {
      return .invalid("not valid JSON for RFC 8785: \(error)")
    }
    return verify(node: node, trust: trust)
  }

  /// The same, on an already parsed document.
  public static func verify(node: JSONNode, trust: TrustStore) -> VerificationResult {
    guard case .object = node else { return .invalid("not a JSON object") }
    guard let signature = node["signature"] else { return .unsigned }
    guard signature["algorithm"]?.stringValue == algorithm else {
      return .invalid("signature.algorithm: expected \"\(algorithm)\"")
    }
    guard signature["canonicalization"]?.stringValue == canonicalization else {
      return .invalid("signature.canonicalization: expected \"\(canonicalization)\"")
    }
    guard let keyText = signature["publicKey"]?.stringValue,
      let keyData = Data(base64Encoded: keyText)
    else {
      return .invalid("signature.publicKey: expected base64")
    }
    guard let key = try? PublicKey(raw: Array(keyData)) else {
      return .invalid("signature.publicKey: expected 32 bytes, got \(keyData.count)")
    }
    guard signature["keyId"]?.stringValue == key.keyID else {
      return .invalid("signature.keyId does not match the SHA-256 of signature.publicKey")
    }
    guard let valueText = signature["value"]?.stringValue,
      let value = Data(base64Encoded: valueText)
    else {
      return .invalid("signature.value: expected base64")
    }
    guard value.count == 64 else {
      return .invalid("signature.value: expected 64 bytes, got \(value.count)")
    }
    let message = Canonicalizer.canonical(node.removing("signature"))
    guard key.isValidSignature(Array(value), for: message) else {
      return .invalid(
        "the signature does not match the content: the report was changed after signing")
    }
    return .valid(keyID: key.keyID, trustedName: trust.names[key.keyID])
  }
}
