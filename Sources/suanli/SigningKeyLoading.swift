import Signing

/// The private key at `path` (default: the one `suanli keygen` wrote), its warnings (group
/// access) printed; an unusable key is one line and exit 2. Shared by `run` and `sign`.
func loadSigningKey(_ path: String?) throws -> SigningKey {
  do {
    let (key, warnings) = try KeyFiles.loadPrivate(path: path ?? KeyFiles.defaultPrivateKey)
    for warning in warnings { Terminal.error("suanli: warning: \(warning)") }
    return key
  } catch {
    throw fail(String(describing: error), .badInput)
  }
}
