import Store

/// A connection as topics see it: where its frames go and how presence shows it.
public struct Subscriber: Sendable {
    /// Unique among the live connections of this process.
    public let id: UInt64
    /// How presence lists this connection.
    public let member: PresenceMember
    /// The connection's outbound queue.
    public let queue: OutboundQueue
    /// Whether staff-only events reach it (see ``Principal/isStaff``).
    public let seesStaffEvents: Bool
    /// Called when the server ends one of its subscriptions (a chat closed, a token that
    /// no longer allows the topic), so the connection can forget it.
    public let ended: @Sendable (TopicName) -> Void

    /// Creates a subscriber.
    public init(
        id: UInt64, member: PresenceMember, queue: OutboundQueue, seesStaffEvents: Bool = false,
        ended: @escaping @Sendable (TopicName) -> Void = { _ in }
    ) {
        self.id = id
        self.member = member
        self.queue = queue
        self.seesStaffEvents = seesStaffEvents
        self.ended = ended
    }
}

/// What a subscription starts from.
public struct SubscribeResult: Sendable {
    /// The position the subscriber is at once the reply is sent; live events follow it.
    public var position: TopicPosition
    /// True when every event after the requested `since` is in `events`.
    public var recovered: Bool
    /// The recovered events, oldest first (empty unless recovered).
    public var events: [StoredEvent]
}
