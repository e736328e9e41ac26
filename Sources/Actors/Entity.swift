import Channels
import Foundation
import Store

/// A persistent entity of the domain (a ticket, a chat session), modelled as a Swift actor.
///
/// Its state changes only by events it ``emit(_:data:)``s on its own topic; ``apply(_:to:)``
/// folds an event into the state and is used both live and when the entity is activated
/// again from its snapshot plus the events after it, so replay and live never differ.
/// An ``EntityRegistry`` creates entities, serializes commands to each and passivates them.
public protocol Entity: Actor {
    /// The state, stored as JSON in snapshots.
    associatedtype State: Codable & Sendable

    /// The kind: the topic namespace of its events and the key of its snapshots and timers.
    static var kind: String { get }

    /// The state of an entity that has no event yet.
    static func initialState(id: String) -> State

    /// Folds one of the entity's events into a state. Pure: no I/O, no clock.
    static func apply(_ event: StoredEvent, to state: inout State)

    /// Creates the actor around a recovered (or initial) state.
    init(state: State, journal: Journal)

    /// The current state.
    var state: State { get set }

    /// The entity's way to its topic, snapshots and timers.
    var journal: Journal { get }

    /// A timer set through the journal fell due (after a restart, too). Timers fire at
    /// least once: the timer is removed only after this returns.
    func timerFired(_ name: String) async
}

extension Entity {
    /// The entity's id.
    public var id: String { journal.id }

    /// Records an event on the entity's topic, then applies it to the state. Returns once
    /// the event is committed; on failure the state is unchanged. A `.staff` event (an
    /// internal note) never reaches a customer, live or from history. With an idempotency
    /// `key`, a repeat returns the first event and applies nothing again.
    @discardableResult
    public func emit(
        _ name: String, data: String, audience: EventAudience = .everyone, key: String? = nil
    ) async throws(ChannelError) -> StoredEvent {
        let outcome = try await journal.append(name, data: data, audience: audience, key: key)
        guard !outcome.isDuplicate else { return outcome.event }
        Self.apply(outcome.event, to: &state)
        await journal.didApply(outcome.event, state: state)
        return outcome.event
    }

    /// Encodes `payload` as the event's data and emits it. When `stream` (evaluated after
    /// the commit, so it sees the new state) names a queue stream, the event is mirrored
    /// there as `{"<kind>": id, "offset", "data"}`; a failed mirror is logged, as the
    /// entity's own event is what counts.
    @discardableResult
    func emit(
        _ name: String, _ payload: some Encodable, audience: EventAudience = .everyone, key: String? = nil,
        mirrorTo stream: @autoclosure () -> TopicName? = nil
    ) async throws(EntityError) -> StoredEvent {
        let data: Data
        do { data = try JSONEncoder().encode(payload) } catch { throw .invalid("cannot encode \(name)") }
        let event: StoredEvent
        do {
            event = try await emit(name, data: String(decoding: data, as: UTF8.self), audience: audience, key: key)
        } catch {
            throw EntityError(error)
        }
        if let stream = stream() {
            let mirror = "{\(JSONText.quoted(Self.kind)):\(JSONText.quoted(id)),\"offset\":\(event.offset),\"data\":\(event.data)}"
            do {
                try await journal.publish(to: stream, name: name, data: mirror, audience: audience)
            } catch {
                journal.logger.error("cannot mirror an event", metadata: ["sb.entity": "\(journal.topic)", "sb.stream": "\(stream)"])
            }
        }
        return event
    }
}

extension StoredEvent {
    /// The event's data decoded as an entity's event payload; nil when it does not decode
    /// (an entity's `apply` skips such an event rather than fail a replay).
    func payload<T: Decodable>(_ type: T.Type) -> T? {
        try? JSONDecoder().decode(type, from: Data(data.utf8))
    }
}
