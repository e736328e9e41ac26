import AsyncAlgorithms
import Channels
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Store
import Synchronization

/// Finds the entities of one kind by id: activates one on first use (its snapshot plus
/// the topic events after it), runs commands to it one at a time in arrival order (while
/// different entities run in parallel), passivates it when idle or when too many are
/// alive, and fires its stored timers, also after a restart.
///
/// As a `Service` it runs passivation and timers, and snapshots every live entity on
/// graceful shutdown.
public final class EntityRegistry<E: Entity>: Service, Sendable {
    /// One entity, alive or being activated.
    private final class Slot: Sendable {
        let gate = CommandGate()
        let entity: Task<E, any Error>
        /// Commands in progress or waiting, and when it was last used.
        let use: Mutex<(busy: Int, lastUsed: ContinuousClock.Instant)>

        init(entity: Task<E, any Error>) {
            self.entity = entity
            self.use = Mutex((0, .now))
        }

        var isIdle: Bool { use.withLock { $0.busy == 0 } }
        var lastUsed: ContinuousClock.Instant { use.withLock { $0.lastUsed } }
    }

    private let topics: Topics
    private let store: any EntityStore
    private let settings: EntitySettings
    private let logger: Logger
    private let slots = Mutex<[String: Slot]>([:])
    private let live: Gauge

    /// Creates the registry of kind `E.kind`.
    public init(topics: Topics, store: any EntityStore, settings: EntitySettings = EntitySettings(), logger: Logger) {
        self.topics = topics
        self.store = store
        self.settings = settings
        self.logger = logger
        self.live = Gauge(label: "switchboard_actors_live", dimensions: [("kind", E.kind)])
    }

    /// How many entities are alive (or activating) now.
    public var liveCount: Int { slots.withLock { $0.count } }

    /// Runs `body` on entity `id`, after every command sent to it earlier has finished.
    /// Throws the body's ``EntityError``; a topic failure as its code; anything else, or
    /// an entity that cannot be activated (the store failing), as `unavailable`.
    public func perform<T: Sendable>(_ id: String, _ body: @Sendable (E) async throws -> T) async throws(EntityError) -> T {
        let slot = slots.withLock { slots in
            let slot = slots[id] ?? Slot(entity: Task { try await self.activate(id) })
            slots[id] = slot
            slot.use.withLock { $0.busy += 1 }
            return slot
        }
        live.record(liveCount)
        let result: Result<T, any Error>
        do {
            let entity = try await slot.entity.value
            result = .success(try await slot.gate.run { try await body(entity) })
        } catch {
            result = .failure(error)
            if case .failure = await slot.entity.result {
                slots.withLock { slots in if slots[id] === slot { slots[id] = nil } }
            }
        }
        slot.use.withLock {
            $0.busy -= 1
            $0.lastUsed = .now
        }
        await passivate(overflow())
        switch result {
        case .success(let value): return value
        case .failure(let error as EntityError): throw error
        case .failure(let error as ChannelError): throw EntityError(error)
        case .failure: throw .unavailable("\(E.kind) \(id) cannot be reached now")
        }
    }

    public func run() async throws {
        let ticks = AsyncTimerSequence(interval: settings.timerPollInterval, clock: .continuous).cancelOnGracefulShutdown()
        for await _ in ticks {
            await fireDueTimers()
            await passivate(idle())
        }
        await passivate(slots.withLock { slots in
            defer { slots = [:] }
            return Array(slots.values)
        })
        live.record(0)
    }

    // MARK: - Activation and passivation

    private func activate(_ id: String) async throws -> E {
        guard let topic = TopicName(E.kind + ":" + id) else { throw EntityError.invalid("invalid \(E.kind) id \(id)") }
        var state = E.initialState(id: id)
        var position = TopicPosition.empty
        if let snapshot = try await store.snapshot(kind: E.kind, id: id) {
            if let decoded = try? JSONDecoder().decode(E.State.self, from: Data(snapshot.state.utf8)) {
                state = decoded
                position = snapshot.position
            } else {
                logger.warning("ignoring an unreadable snapshot", metadata: ["sb.entity": "\(topic)"])
            }
        }
        let page = 1000
        while true {
            let (head, events) = try await topics.history(of: topic, since: position, limit: page, includingStaffEvents: true)
            if position.offset > 0, head.epoch != position.epoch {
                // The topic restarted its offsets: the snapshot describes another history.
                state = E.initialState(id: id)
            }
            for event in events {
                E.apply(event, to: &state)
                position = TopicPosition(epoch: event.epoch, offset: event.offset)
            }
            if events.count < page { break }
        }
        return E(state: state, journal: Journal(
            kind: E.kind, id: id, topic: topic, topics: topics, store: store,
            snapshotEvery: settings.snapshotEvery, position: position, logger: logger))
    }

    /// Idle slots past the live bound, least recently used first, taken out of the map.
    private func overflow() -> [Slot] {
        slots.withLock { slots in
            guard slots.count > settings.maxLive else { return [] }
            // Evict a tenth more than needed, so eviction is not paid on every activation.
            let excess = slots.count - settings.maxLive + settings.maxLive / 10
            let victims = slots.filter { $0.value.isIdle }.sorted { $0.value.lastUsed < $1.value.lastUsed }.prefix(excess)
            for (id, _) in victims { slots[id] = nil }
            return victims.map(\.value)
        }
    }

    /// Idle slots unused for the idle timeout, taken out of the map.
    private func idle() -> [Slot] {
        let cutoff = ContinuousClock.now - settings.idleTimeout
        return slots.withLock { slots in
            let victims = slots.filter { $0.value.isIdle && $0.value.lastUsed < cutoff }
            for (id, _) in victims { slots[id] = nil }
            return Array(victims.values)
        }
    }

    /// Snapshots entities already taken out of the map. A command arriving meanwhile
    /// activates a new instance from the previous snapshot plus the committed events, so
    /// it sees the same state.
    private func passivate(_ victims: [Slot]) async {
        guard !victims.isEmpty else { return }
        for slot in victims {
            guard let entity = try? await slot.entity.value else { continue }
            await entity.journal.snapshot(await entity.state)
        }
        live.record(liveCount)
    }

    // MARK: - Timers

    private func fireDueTimers() async {
        let due: [EntityTimer]
        do {
            due = try await store.dueTimers(kind: E.kind, nowMilliseconds: Int64(Date().timeIntervalSince1970 * 1000), limit: 100)
        } catch {
            logger.error("cannot read entity timers", metadata: ["sb.kind": "\(E.kind)"])
            return
        }
        for timer in due {
            do {
                try await perform(timer.id) { await $0.timerFired(timer.name) }
                try await store.removeFiredTimer(timer)
            } catch {
                logger.error("an entity timer failed", metadata: ["sb.entity": "\(E.kind):\(timer.id)", "sb.timer": "\(timer.name)"])
            }
        }
    }
}
