/// An error raised by the store, safe to map onto the wire: its message never carries
/// database text, which is logged by the store instead.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case unavailable
        case overloaded
    }

    private let code: Code
    /// A short explanation meant for operators and clients.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The database could not be reached or refused the operation.
    public static func unavailable(_ message: String = "the store is unavailable") -> StoreError {
        StoreError(.unavailable, message)
    }

    /// Too many writes are waiting for a commit; the caller should retry later.
    public static let overloaded = StoreError(.overloaded, "too many publishes are waiting to commit")

    public var description: String { message }
}
