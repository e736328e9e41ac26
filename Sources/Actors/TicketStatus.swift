/// Where a support ticket stands in its lifecycle.
///
/// The raw values are the wire and storage names; they never change once shipped.
/// Which moves between statuses are legal is decided by ``TicketLifecycle``.
public enum TicketStatus: String, Codable, Sendable, CaseIterable {
    /// Created and not yet touched by an agent.
    case new
    /// An agent is working on it.
    case open
    /// Waiting on the customer; the resolution clock is paused.
    case pending
    /// Waiting on a third party; the resolution clock is paused.
    case onHold = "on_hold"
    /// An agent considers it resolved; a customer reply reopens it.
    case solved
    /// Final: nothing moves a closed ticket again.
    case closed
}
