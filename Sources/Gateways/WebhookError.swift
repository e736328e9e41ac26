import Store

/// Why a webhook management call failed, mapped by the hub to 422, 404 or 503.
public struct WebhookError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure.
    public enum Kind: Sendable, Equatable {
        /// The input is well-formed but not acceptable (a bad pattern, a forbidden URL).
        case invalid
        /// No such endpoint or message.
        case notFound
        /// The store failed.
        case unavailable
    }

    /// What kind of failure.
    public let kind: Kind
    /// A message safe to show the client.
    public let message: String

    /// Input that cannot be accepted.
    public static func invalid(_ message: String) -> WebhookError { WebhookError(kind: .invalid, message: message) }
    /// Nothing with that id.
    public static func notFound(_ message: String) -> WebhookError { WebhookError(kind: .notFound, message: message) }

    init(_ error: GatewayError) {
        self.init(kind: .invalid, message: error.message)
    }

    init(_ error: StoreError) {
        self.init(kind: .unavailable, message: error.message)
    }

    private init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
