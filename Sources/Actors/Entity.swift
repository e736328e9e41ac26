import Channels
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
    /// internal note) never reaches a customer, live or from history.
    @discardableResult
    public func emit(_ name: String, data: String, audience: EventAudience = .everyone) async throws(ChannelError) -> StoredEvent {
        let event = try await journal.append(name, data: data, audience: audience)
        Self.apply(event, to: &state)
        await journal.didApply(event, state: state)
        return event
    }
}
