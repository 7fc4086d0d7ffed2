import Foundation
import XCTest

@testable import Signing

final class SignatureTests: XCTestCase {
  var folder: String = ""

  override func setUpWithError() throws {
    folder =
      FileManager.default.temporaryDirectory.appendingPathComponent(
        "suanli-keys-\(UUID().uuidString)"
      ).path
    addTeardownBlock { [folder] in try? FileManager.default.removeItem(atPath: folder) }
  }

  func key() throws -> SigningKey {
    _ = try KeyFiles.generate(folder: folder, name: "test-center")
    return try KeyFiles.loadPrivate(path: folder + "/" + KeyFiles.privateName).0
  }

  let document = #"""
    {"schemaVersion":1,"center":"C","nodes":[{"hostname":"h","rpeak":[{"precision":"fp64","flopsPerSecond":1.171e11}]}],
     "results":[{"id":"stream.triad","samples":[0.0123,0.0125],"valid":true,"notes":["x"]}],"complete":true,"nothing":null}
    """#

  func testSignThenVerifyWithATrustedKey() throws {
    let signingKey = try key()
    let signed = try ReportSigner.sign(Array(document.utf8), with: signingKey)
    let result = ReportSigner.verify(signed, trust: TrustStore(folder: folder + "/trusted"))
    XCTAssertEqual(result, .valid(keyID: signingKey.publicKey.keyID, trustedName: "test-center"))
    XCTAssertEqual(
      ReportSigner.verify(signed, trust: TrustStore(names: [:])),
      .valid(keyID: signingKey.publicKey.keyID, trustedName: nil))
    XCTAssertEqual(
      ReportSigner.verify(Array(document.utf8), trust: TrustStore(names: [:])), .unsigned)
  }

  /// Changing any single leaf anywhere breaks the signature.
  func testChangingAnyLeafBreaksTheSignature() throws {
    let signed = try ReportSigner.sign(Array(document.utf8), with: try key())
    let root = try JSONParser.parse(signed)
    var count = 0
    for mutated in mutations(of: root.removing("signature")) {
      let tampered = Canonicalizer.pretty(mutated.setting("signature", to: root["signature"]!))
      guard case .invalid = ReportSigner.verify(tampered, trust: TrustStore(names: [:])) else {
        return XCTFail(
          "a change was not detected: \(String(decoding: Canonicalizer.canonical(mutated), as: UTF8.self))"
        )
      }
      count += 1
    }
    XCTAssertEqual(count, 12, "every leaf of the test document (12) was changed once")
  }

  func testReorderingAndWhitespaceDoNotMatter() throws {
    let signed = try ReportSigner.sign(Array(document.utf8), with: try key())
    let root = try JSONParser.parse(signed)
    guard case .object(let members) = root else { return XCTFail() }
    let reordered = JSONNode.object(members.reversed())
    var text = Array("  \n".utf8) + Canonicalizer.canonical(reordered) + Array("\n\n".utf8)
    XCTAssertEqual(ReportSigner.verify(text, trust: TrustStore(names: [:])).isValid, true)
    text = Canonicalizer.pretty(reordered)
    XCTAssertEqual(ReportSigner.verify(text, trust: TrustStore(names: [:])).isValid, true)
  }

  func testBadSignatureFieldsAreInvalidWithAReason() throws {
    let signed = try JSONParser.parse(try ReportSigner.sign(Array(document.utf8), with: try key()))
    let signature = signed["signature"]!
    let cases: [(String, JSONNode, String)] = [
      ("value", .string("not base64!"), "signature.value: expected base64"),
      ("value", .string(Data(count: 12).base64EncodedString()), "expected 64 bytes"),
      ("publicKey", .string(Data(count: 31).base64EncodedString()), "expected 32 bytes"),
      ("keyId", .string(String(repeating: "0", count: 64)), "keyId does not match"),
      ("algorithm", .string("RSA"), "signature.algorithm"),
    ]
    for (field, value, fragment) in cases {
      let broken = signed.setting("signature", to: signature.setting(field, to: value))
      let result = ReportSigner.verify(
        Canonicalizer.canonical(broken), trust: TrustStore(names: [:]))
      guard case .invalid(let reason) = result, reason.contains(fragment) else {
        return XCTFail("\(field): \(result)")
      }
    }
    for text in ["", "{", "[1,2]", "{\"a\":1,\"a\":2}", "{\"x\":NaN}"] {
      guard case .invalid = ReportSigner.verify(Array(text.utf8), trust: TrustStore(names: [:]))
      else {
        return XCTFail("\(text) should be invalid")
      }
    }
  }

  func testKeyFilesRoundTripAndPermissions() throws {
    let (privatePath, publicPath, publicKey) = try KeyFiles.generate(folder: folder, name: "me")
    XCTAssertEqual(try KeyFiles.loadPublic(path: publicPath), publicKey)
    XCTAssertEqual(try KeyFiles.loadPrivate(path: privatePath).0.publicKey, publicKey)
    XCTAssertEqual(publicKey.keyID.count, 64)
    var status = stat()
    stat(privatePath, &status)
    XCTAssertEqual(status.st_mode & 0o777, 0o600)
    XCTAssertThrowsError(try KeyFiles.generate(folder: folder, name: "me")) {
      XCTAssertTrue(String(describing: $0).contains("not overwritten"))
    }
    chmod(privatePath, 0o640)
    XCTAssertEqual(try KeyFiles.loadPrivate(path: privatePath).warnings.count, 1)
    chmod(privatePath, 0o644)
    XCTAssertThrowsError(try KeyFiles.loadPrivate(path: privatePath)) {
      XCTAssertTrue(String(describing: $0).contains("refusing to sign"))
    }
    let wrong = folder + "/wrong.pem"
    try "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".write(
      toFile: wrong, atomically: true, encoding: .utf8)
    chmod(wrong, 0o600)
    XCTAssertThrowsError(try KeyFiles.loadPrivate(path: wrong)) {
      XCTAssertTrue(String(describing: $0).contains("not an Ed25519 PKCS#8 private key"))
    }
  }

  /// Every way of changing one leaf: numbers, strings, booleans and null each get another value.
  func mutations(of node: JSONNode) -> [JSONNode] {
    switch node {
    case .null: return [.bool(false)]
    case .bool(let b): return [.bool(!b)]
    case .number(let x): return [.number(x == 0 ? 1 : x.nextUp)]
    case .string(let s): return [.string(s + "!")]
    case .array(let elements):
      return elements.indices.flatMap { i in
        mutations(of: elements[i]).map { changed in
          var copy = elements
          copy[i] = changed
          return JSONNode.array(copy)
        }
      }
    case .object(let members):
      return members.indices.flatMap { i in
        mutations(of: members[i].1).map { changed in
          var copy = members
          copy[i].1 = changed
          return JSONNode.object(copy)
        }
      }
    }
  }
}

extension VerificationResult {
  var isValid: Bool {
    if case .valid = self { return true }
    return false
  }
}
