import Store

/// An error from topic operations, with a stable wire code.
public struct ChannelError: Error, Sendable, Equatable {
    /// The stable code clients see (`bad_request`, `unavailable`, ...).
    public let code: String
    /// A message safe to show a client.
    public let message: String

    private init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// The topic's namespace is not configured.
    public static func unknownNamespace(_ namespace: String) -> ChannelError {
        ChannelError(code: "not_found", message: "unknown namespace \(namespace)")
    }

    /// The connection is already subscribed to the topic.
    public static func alreadySubscribed(_ topic: TopicName) -> ChannelError {
        ChannelError(code: "conflict", message: "already subscribed to \(topic)")
    }

    /// The store could not serve the request.
    public static func store(_ error: StoreError) -> ChannelError {
        ChannelError(code: "unavailable", message: error.message)
    }
}
