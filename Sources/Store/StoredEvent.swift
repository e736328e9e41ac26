import Foundation

/// Who may see an event.
public enum EventAudience: String, Sendable, Codable {
    /// Everyone the topic's namespace policy lets subscribe.
    case everyone
    /// Staff only (agents, supervisors, admins, services): internal notes and the like,
    /// never sent to a customer, live or from history.
    case staff
}

/// One committed event of a topic, as the store holds it.
///
/// `data` is the event payload as compact JSON text; the store never parses it.
public struct StoredEvent: Sendable, Equatable {
    /// The topic name, `namespace:id`.
    public var topic: String
    /// The position in the topic, starting at 1 and without gaps within one epoch.
    public var offset: Int64
    /// The identity of the topic's offset sequence; it changes whenever offsets restart.
    public var epoch: String
    /// The event name, e.g. `message.created`.
    public var name: String
    /// The payload as JSON text.
    public var data: String
    /// Commit time, in whole milliseconds since 1970.
    public var timeMilliseconds: Int64
    /// Who may see it.
    public var audience: EventAudience

    /// Creates an event value.
    public init(
        topic: String, offset: Int64, epoch: String, name: String, data: String, timeMilliseconds: Int64,
        audience: EventAudience = .everyone
    ) {
        self.topic = topic
        self.offset = offset
        self.epoch = epoch
        self.name = name
        self.data = data
        self.timeMilliseconds = timeMilliseconds
        self.audience = audience
    }
}

/// A topic's position: its current epoch and the offset of its last event (0 when empty).
public struct TopicPosition: Sendable, Equatable, Codable {
    /// The identity of the offset sequence; empty for a topic that never had an event.
    public var epoch: String
    /// The last offset given out; 0 for an empty topic.
    public var offset: Int64

    /// Creates a position.
    public init(epoch: String, offset: Int64) {
        self.epoch = epoch
        self.offset = offset
    }

    /// The position of a topic that never had an event.
    public static let empty = TopicPosition(epoch: "", offset: 0)
}

/// A request to append one event to a topic.
public struct AppendRequest: Sendable {
    /// The topic to append to.
    public var topic: String
    /// The event name.
    public var name: String
    /// The payload as compact JSON text.
    public var data: String
    /// An idempotency key: a second append with the same key on the same topic within the
    /// key's lifetime returns the first event and stores nothing.
    public var key: String?
    /// How many events of this topic to keep at least; older ones are trimmed on append.
    public var retainCount: Int
    /// Who may see the event.
    public var audience: EventAudience

    /// Creates a request.
    public init(
        topic: String, name: String, data: String, key: String? = nil, retainCount: Int, audience: EventAudience = .everyone
    ) {
        self.topic = topic
        self.name = name
        self.data = data
        self.key = key
        self.retainCount = retainCount
        self.audience = audience
    }
}

/// The result of an append: the committed event, and whether it was already there.
public struct AppendOutcome: Sendable, Equatable {
    /// The committed event (for a duplicate, the first one stored under the key).
    public var event: StoredEvent
    /// True when the idempotency key matched an earlier append and nothing new was stored.
    public var isDuplicate: Bool

    /// Creates an outcome.
    public init(event: StoredEvent, isDuplicate: Bool) {
        self.event = event
        self.isDuplicate = isDuplicate
    }
}

/// A stored API key: only the SHA-256 hash of the secret is kept.
public struct APIKeyRecord: Sendable, Equatable {
    /// A public identifier, safe to log.
    public var id: String
    /// The hex SHA-256 of the full key.
    public var hash: String
    /// The role the key acts with.
    public var role: String
    /// Creation time, in milliseconds since 1970.
    public var createdMilliseconds: Int64

    /// Creates a record.
    public init(id: String, hash: String, role: String, createdMilliseconds: Int64) {
        self.id = id
        self.hash = hash
        self.role = role
        self.createdMilliseconds = createdMilliseconds
    }
}
