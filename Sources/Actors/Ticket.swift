import Channels
import Foundation
import Store

/// A support ticket on topic `ticket:{id}`: its lifecycle, assignment and comments.
///
/// Events: `ticket.created`, `ticket.updated` (priority, tags), `ticket.assigned`,
/// `ticket.status_changed`, `comment.created`, and for SLAs `ticket.sla_applied`,
/// `ticket.sla_warning`, `ticket.sla_breached` (each alert once per target; the timers
/// behind them are stored, so they fire after a restart too), and `ticket.articles_suggested`
/// (knowledge-base articles matching the first message). Internal notes are `comment.created`
/// with the staff audience: no customer ever receives them. Who may call which command is
/// decided by ``SupportDesk``; the ticket checks its own rules (existence, lifecycle).
///
/// Every event is mirrored on the queue's stream `tickets:{queue}` as `{"ticket", "offset",
/// "data"}`, after the ticket's own commit (a crash in between loses that one mirror).
public actor Ticket: Entity {
    /// What a ticket knows; rebuilt from its events.
    public struct State: Codable, Sendable, Equatable {
        /// The ticket id (`T-...`).
        public var id: String
        /// False until `ticket.created`.
        public var exists = false
        public var subject = ""
        public var queue = ""
        public var priority = TicketPriority.normal
        public var status = TicketStatus.new
        public var requester: String?
        public var assignee: String?
        public var tags: [String] = []
        /// Public comments, the first message included.
        public var comments = 0
        /// Internal notes.
        public var notes = 0
        /// Creation and last change, in milliseconds since 1970.
        public var createdMilliseconds: Int64 = 0
        public var updatedMilliseconds: Int64 = 0
        /// The SLA targets, when a policy matched at creation.
        public var sla: TicketSLA?

        /// The list projection of this state.
        public var summary: TicketSummary {
            TicketSummary(
                id: id, queue: queue, status: status.rawValue, priority: priority.rawValue, subject: subject,
                requester: requester, assignee: assignee, tags: tags,
                createdMilliseconds: createdMilliseconds, updatedMilliseconds: updatedMilliseconds)
        }
    }

    // The payloads of the ticket's events.
    struct Created: Codable { var subject, body, queue: String; var priority: TicketPriority; var tags: [String]; var requester: String? }
    struct Updated: Codable { var priority: TicketPriority?; var tags: [String]? }
    struct Assigned: Codable { var assignee: String? }
    struct StatusChanged: Codable { var from, to: TicketStatus }
    struct CommentCreated: Codable { var author: String; var body: String; var `internal`: Bool; var staff: Bool? }
    struct SLAApplied: Codable { var policy: SLAPolicy; var warningFraction: Double }
    struct SLAAlert: Codable { var target: TicketSLA.Target; var due: String }

    public static let kind = "ticket"
    public static func initialState(id: String) -> State { State(id: id) }

    public static func apply(_ event: StoredEvent, to state: inout State) {
        state.updatedMilliseconds = event.timeMilliseconds
        switch event.name {
        case "ticket.created":
            guard let created = event.payload(Created.self) else { return }
            state.exists = true
            state.subject = created.subject
            state.queue = created.queue
            state.priority = created.priority
            state.tags = created.tags
            state.requester = created.requester
            state.status = .new
            state.comments = 1
            state.createdMilliseconds = event.timeMilliseconds
        case "ticket.updated":
            guard let updated = event.payload(Updated.self) else { return }
            if let priority = updated.priority { state.priority = priority }
            if let tags = updated.tags { state.tags = tags }
        case "ticket.assigned":
            guard let assigned = event.payload(Assigned.self) else { return }
            state.assignee = assigned.assignee
        case "ticket.status_changed":
            guard let changed = event.payload(StatusChanged.self) else { return }
            state.status = changed.to
            if changed.to == .solved || changed.to == .closed { state.sla?.stopAwaitingReply() }
            if let policy = state.sla?.policy {
                let at = Date(milliseconds: event.timeMilliseconds)
                if TicketLifecycle.resolutionClockRuns(in: changed.to) {
                    state.sla?.resolution.start(at: at)
                } else {
                    state.sla?.resolution.pause(at: at, policy: policy)
                }
            }
        case "comment.created":
            guard let comment = event.payload(CommentCreated.self) else { return }
            if comment.internal {
                state.notes += 1
            } else {
                state.comments += 1
                state.sla?.notePublicComment(byStaff: comment.staff == true, at: event.timeMilliseconds)
            }
        case "ticket.sla_applied":
            guard let applied = event.payload(SLAApplied.self) else { return }
            state.sla = TicketSLA(
                policy: applied.policy, warningFraction: applied.warningFraction, startedMilliseconds: state.createdMilliseconds)
        case "ticket.sla_warning", "ticket.sla_breached":
            guard let alert = event.payload(SLAAlert.self) else { return }
            let kind = event.name == "ticket.sla_warning" ? TicketSLA.Alert.warning : .breached
            state.sla?.recorded.insert("\(alert.target.rawValue).\(kind.rawValue)")
        default:
            break
        }
    }

    public var state: State
    public let journal: Journal

    public init(state: State, journal: Journal) {
        self.state = state
        self.journal = journal
    }

    /// Opens the ticket, under `policy` when one matched; `conflict` if it exists.
    func create(_ new: NewTicket, policy: SLAPolicy?, warningFraction: Double) async throws(EntityError) {
        guard !state.exists else { throw .conflict("ticket \(id) exists") }
        try await record("ticket.created", Created(
            subject: new.subject, body: new.body, queue: new.queue, priority: new.priority, tags: new.tags,
            requester: new.requester))
        if let policy {
            try await record("ticket.sla_applied", SLAApplied(policy: policy, warningFraction: warningFraction))
            await syncSLATimers()
        }
    }

    /// Records articles that may answer the ticket (`ticket.articles_suggested`).
    func suggest(_ articles: SuggestedArticles) async throws(EntityError) {
        try requireExists()
        try await record("ticket.articles_suggested", articles)
    }

    /// Applies changes, one event per kind of change; `conflict` for a transition the
    /// lifecycle does not allow.
    func update(_ changes: TicketChanges) async throws(EntityError) {
        try requireExists()
        if let status = changes.status { try TicketLifecycle.check(state.status, status) }
        if changes.priority != nil || changes.tags != nil {
            try await record("ticket.updated", Updated(priority: changes.priority, tags: changes.tags))
        }
        if let assignee = changes.assignee, assignee != state.assignee {
            try await record("ticket.assigned", Assigned(assignee: assignee))
        }
        if let status = changes.status {
            try await record("ticket.status_changed", StatusChanged(from: state.status, to: status))
        }
        await syncSLATimers()
    }

    /// Adds a comment. A customer's reply reopens a solved or pending ticket; an internal
    /// note is recorded for staff only.
    func comment(author: String, body: String, isInternal: Bool, fromCustomer: Bool) async throws(EntityError) {
        try requireExists()
        let reopened = fromCustomer ? try TicketLifecycle.afterCustomerReply(state.status) : state.status
        if state.status == .closed { throw .conflict("ticket \(id) is closed") }
        try await record(
            "comment.created", CommentCreated(author: author, body: body, internal: isInternal, staff: !fromCustomer),
            audience: isInternal ? .staff : .everyone)
        if reopened != state.status {
            try await record("ticket.status_changed", StatusChanged(from: state.status, to: reopened))
        }
        await syncSLATimers()
    }

    /// An SLA alert's time came: records it if it is still due (a response or a pause may
    /// have moved or cancelled it meanwhile), then re-arms the timers.
    public func timerFired(_ name: String) async {
        if let due = state.sla?.dueAlerts[name], due <= Date() {
            for target in TicketSLA.Target.allCases {
                for alert in TicketSLA.Alert.allCases where TicketSLA.timerName(target, alert) == name {
                    let dueText = JSONText.timestamp(milliseconds: Int64(due.timeIntervalSince1970 * 1000))
                    _ = try? await record(alert.eventName, SLAAlert(target: target, due: dueText))
                }
            }
        }
        await syncSLATimers()
    }

    /// Sets a stored timer for every SLA alert still to come and cancels the others. A
    /// failure is logged by the caller's next sync; the timers are rebuilt from the state.
    private func syncSLATimers() async {
        guard let sla = state.sla else { return }
        let due = sla.dueAlerts
        for target in TicketSLA.Target.allCases {
            for alert in TicketSLA.Alert.allCases {
                let name = TicketSLA.timerName(target, alert)
                if let date = due[name] {
                    try? await journal.setTimer(name, at: date)
                } else {
                    try? await journal.cancelTimer(name)
                }
            }
        }
    }

    private func requireExists() throws(EntityError) {
        guard state.exists else { throw .notFound("no ticket \(id)") }
    }

    @discardableResult
    private func record(_ name: String, _ payload: some Encodable, audience: EventAudience = .everyone) async throws(EntityError) -> StoredEvent {
        try await emit(name, payload, audience: audience, mirrorTo: TopicName("tickets:" + state.queue))
    }
}
