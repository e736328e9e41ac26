/// The rules for moving a support ticket between ``TicketStatus`` values.
///
/// Pure: no state, no clock. The ticket entity asks before it records a change, so a
/// refused move never reaches the journal.
///
/// Allowed moves:
/// - `new` → `open`, `pending`, `on_hold`, `solved`
/// - `open` → `pending`, `on_hold`, `solved`
/// - `pending` → `open`, `on_hold`, `solved`
/// - `on_hold` → `open`, `pending`, `solved`
/// - `solved` → `open`, `closed`
/// - `closed` is final.
///
/// Staying in the same status is not a move and is refused.
public enum TicketLifecycle {
    /// Whether a ticket may move from `from` to `to`; `false` whenever `from == to`.
    public static func allows(_ from: TicketStatus, _ to: TicketStatus) -> Bool {
        targets(from).contains(to)
    }

    /// Succeeds exactly when ``allows(_:_:)`` does.
    ///
    /// - Throws: `EntityError.conflict("cannot move a ticket from X to Y")`, with the raw
    ///   status names, when the move is not allowed.
    public static func check(_ from: TicketStatus, _ to: TicketStatus) throws(EntityError) {
        guard allows(from, to) else {
            throw .conflict("cannot move a ticket from \(from.rawValue) to \(to.rawValue)")
        }
    }

    /// The status a ticket takes when the customer replies.
    ///
    /// A `solved` or `pending` ticket reopens (→ `open`), because the customer has answered
    /// or the fix did not hold; `new`, `open` and `on_hold` keep their status.
    ///
    /// - Throws: `EntityError.conflict` for a `closed` ticket: a reply must open a new one.
    public static func afterCustomerReply(_ status: TicketStatus) throws(EntityError) -> TicketStatus {
        switch status {
        case .solved, .pending: .open
        case .new, .open, .onHold: status
        case .closed: throw .conflict("cannot reply to a closed ticket")
        }
    }

    /// Whether the resolution SLA clock runs in `status`: only in `new` and `open`, the
    /// statuses where the ticket waits on the team rather than on someone else.
    public static func resolutionClockRuns(in status: TicketStatus) -> Bool {
        switch status {
        case .new, .open: true
        case .pending, .onHold, .solved, .closed: false
        }
    }

    /// The statuses reachable from `status` in one move.
    private static func targets(_ status: TicketStatus) -> Set<TicketStatus> {
        switch status {
        case .new: [.open, .pending, .onHold, .solved]
        case .open: [.pending, .onHold, .solved]
        case .pending: [.open, .onHold, .solved]
        case .onHold: [.open, .pending, .solved]
        case .solved: [.open, .closed]
        case .closed: []
        }
    }
}
