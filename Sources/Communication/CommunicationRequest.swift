/// A non-blocking send or receive in flight. `test` completes it when it can and says whether
/// it has; `wait` blocks until it has. Completing twice is harmless.
public final class CommunicationRequest: @unchecked Sendable {
  private let testBody: () throws -> Bool
  private let waitBody: () throws -> Void
  private var done = false

  public init(test: @escaping () throws -> Bool, wait: @escaping () throws -> Void) {
    testBody = test
    waitBody = wait
  }

  /// A request that is already complete (a buffered send).
  public static func completed() -> CommunicationRequest {
    CommunicationRequest(test: { true }, wait: {})
  }

  public func test() throws -> Bool {
    if done { return true }
    done = try testBody()
    return done
  }

  public func wait() throws {
    if done { return }
    try waitBody()
    done = true
  }
}
