import Channels
import Foundation
import Logging
import Store
import Synchronization

/// One entity's link to storage: its topic (where its events are committed), its
/// snapshots (taken every `snapshotEvery` events and on passivation) and its timers.
public final class Journal: Sendable {
    /// The entity kind.
    public let kind: String
    /// The entity id.
    public let id: String
    /// The entity's topic, `kind:id`.
    public let topic: TopicName

    private let topics: Topics
    private let store: any EntityStore
    private let snapshotEvery: Int
    /// The entity's logger.
    let logger: Logger
    /// The position the state includes, and events applied since the last snapshot.
    private let progress: Mutex<(position: TopicPosition, sinceSnapshot: Int)>

    init(kind: String, id: String, topic: TopicName, topics: Topics, store: any EntityStore,
         snapshotEvery: Int, position: TopicPosition, logger: Logger) {
        self.kind = kind
        self.id = id
        self.topic = topic
        self.topics = topics
        self.store = store
        self.snapshotEvery = snapshotEvery
        self.logger = logger
        self.progress = Mutex((position, 0))
    }

    /// Commits an event on the entity's topic (it reaches subscribers as any event does,
    /// staff-only ones only staff).
    func append(_ name: String, data: String, audience: EventAudience, key: String?) async throws(ChannelError) -> AppendOutcome {
        try await topics.publish(to: topic, name: name, data: data, key: key, audience: audience)
    }

    /// The position of the last event the state includes.
    var position: TopicPosition { progress.withLock { $0.position } }

    /// Publishes on another topic, such as a queue's stream that mirrors the entity's
    /// events; it is not part of the entity's history and is not replayed.
    public func publish(to other: TopicName, name: String, data: String, audience: EventAudience) async throws(ChannelError) {
        _ = try await topics.publish(to: other, name: name, data: data, key: nil, audience: audience)
    }

    /// Notes an applied event; takes a snapshot when `snapshotEvery` events have passed.
    func didApply(_ event: StoredEvent, state: some Encodable & Sendable) async {
        let due = progress.withLock { progress -> Bool in
            progress.position = TopicPosition(epoch: event.epoch, offset: event.offset)
            progress.sinceSnapshot += 1
            return progress.sinceSnapshot >= snapshotEvery
        }
        if due { await snapshot(state) }
    }

    /// Saves the state with the position it includes. A failure is logged: the events
    /// are committed, so the next activation replays them instead.
    func snapshot(_ state: some Encodable & Sendable) async {
        let position = progress.withLock { progress in
            progress.sinceSnapshot = 0
            return progress.position
        }
        guard position.offset > 0 else { return }
        do {
            let json = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
            try await store.saveSnapshot(EntitySnapshot(
                kind: kind, id: id, state: json, position: position,
                takenMilliseconds: Int64(Date().timeIntervalSince1970 * 1000)))
        } catch {
            logger.error("cannot save a snapshot", metadata: ["sb.entity": "\(kind):\(id)"])
        }
    }

    /// Sets (or moves) a named timer; it fires through ``Entity/timerFired(_:)``.
    public func setTimer(_ name: String, at due: Date) async throws(StoreError) {
        try await store.setTimer(EntityTimer(
            kind: kind, id: id, name: name, dueMilliseconds: Int64(due.timeIntervalSince1970 * 1000)))
    }

    /// Cancels a named timer.
    public func cancelTimer(_ name: String) async throws(StoreError) {
        try await store.cancelTimer(kind: kind, id: id, name: name)
    }
}
