/// The latest snapshot of an entity: its state as JSON and the position of its topic the
/// state covers. Activation starts from it and replays the events after `offset`.
public struct EntitySnapshot: Sendable, Equatable {
    /// The entity kind, e.g. `ticket`.
    public var kind: String
    /// The entity id within its kind.
    public var id: String
    /// The state, as JSON text (the entity's `Codable` state).
    public var state: String
    /// The topic position the state includes.
    public var position: TopicPosition
    /// When it was taken, in milliseconds since 1970.
    public var takenMilliseconds: Int64

    /// Creates a snapshot.
    public init(kind: String, id: String, state: String, position: TopicPosition, takenMilliseconds: Int64) {
        self.kind = kind
        self.id = id
        self.state = state
        self.position = position
        self.takenMilliseconds = takenMilliseconds
    }
}

/// A named timer of an entity, stored as a due time so it fires after a restart too.
public struct EntityTimer: Sendable, Hashable {
    /// The entity kind.
    public var kind: String
    /// The entity id.
    public var id: String
    /// The timer's name within the entity; setting it again moves it.
    public var name: String
    /// When it is due, in milliseconds since 1970.
    public var dueMilliseconds: Int64

    /// Creates a timer.
    public init(kind: String, id: String, name: String, dueMilliseconds: Int64) {
        self.kind = kind
        self.id = id
        self.name = name
        self.dueMilliseconds = dueMilliseconds
    }
}

/// Storage for entity actors: snapshots and timers. Their events live in topics.
public protocol EntityStore: Sendable {
    /// The latest snapshot of an entity, or nil.
    func snapshot(kind: String, id: String) async throws(StoreError) -> EntitySnapshot?

    /// Replaces an entity's snapshot, unless the stored one covers a later offset of the
    /// same epoch (a late save of a passivated instance never rolls state back).
    func saveSnapshot(_ snapshot: EntitySnapshot) async throws(StoreError)

    /// Sets (or moves) a timer.
    func setTimer(_ timer: EntityTimer) async throws(StoreError)

    /// Removes a timer; nothing happens when there is none.
    func cancelTimer(kind: String, id: String, name: String) async throws(StoreError)

    /// Removes a timer that fired, unless it was set again meanwhile (another due time).
    func removeFiredTimer(_ timer: EntityTimer) async throws(StoreError)

    /// Timers of a kind due at `nowMilliseconds`, earliest first.
    func dueTimers(kind: String, nowMilliseconds: Int64, limit: Int) async throws(StoreError) -> [EntityTimer]
}
