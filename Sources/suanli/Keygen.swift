import ArgumentParser
import Foundation
import Signing

struct Keygen: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Create an Ed25519 key pair for signing reports.",
    discussion: """
      Writes private-key.pem (PKCS#8, mode 0600) and public-key.pem (SubjectPublicKeyInfo) into \
      the folder, and trusts the public key under --name in its trusted/ subfolder. Default \
      folder: $XDG_CONFIG_HOME/suanli, else ~/.config/suanli.
      """)

  @Option(name: .long, help: "Folder for the key pair.")
  var output: String?

  @Option(name: .long, help: "Name under which the public key is trusted.")
  var name = "self"

  func validate() throws {
    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
    else {
      throw ValidationError("--name: expected letters, digits, '-', '_' or '.', got \"\(name)\"")
    }
  }

  func run() throws {
    do {
      let (privatePath, publicPath, key) = try KeyFiles.generate(
        folder: output ?? KeyFiles.defaultFolder, name: name)
      print("private key \(privatePath) (keep it secret)")
      print("public key  \(publicPath)")
      print("key id      \(key.keyID)")
    } catch let error as SigningError {
      throw fail(error, .environment)
    }
  }
}
