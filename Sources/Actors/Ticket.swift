import Channels
import Foundation
import Store

/// A support ticket on topic `ticket:{id}`: its lifecycle, assignment and comments.
///
/// Events: `ticket.created`, `ticket.updated` (priority, tags), `ticket.assigned`,
/// `ticket.status_changed`, `comment.created`. Internal notes are `comment.created` with
/// the staff audience: no customer ever receives them. Who may call which command is
/// decided by ``SupportDesk``; the ticket checks its own rules (existence, lifecycle).
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
    struct CommentCreated: Codable { var author: String; var body: String; var `internal`: Bool }

    public static let kind = "ticket"
    public static func initialState(id: String) -> State { State(id: id) }

    public static func apply(_ event: StoredEvent, to state: inout State) {
        let data = Data(event.data.utf8)
        let decoder = JSONDecoder()
        state.updatedMilliseconds = event.timeMilliseconds
        switch event.name {
        case "ticket.created":
            guard let created = try? decoder.decode(Created.self, from: data) else { return }
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
            guard let updated = try? decoder.decode(Updated.self, from: data) else { return }
            if let priority = updated.priority { state.priority = priority }
            if let tags = updated.tags { state.tags = tags }
        case "ticket.assigned":
            guard let assigned = try? decoder.decode(Assigned.self, from: data) else { return }
            state.assignee = assigned.assignee
        case "ticket.status_changed":
            guard let changed = try? decoder.decode(StatusChanged.self, from: data) else { return }
            state.status = changed.to
        case "comment.created":
            guard let comment = try? decoder.decode(CommentCreated.self, from: data) else { return }
            if comment.internal { state.notes += 1 } else { state.comments += 1 }
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

    /// Opens the ticket; `conflict` if it exists.
    func create(_ new: NewTicket) async throws(EntityError) -> [StoredEvent] {
        guard !state.exists else { throw .conflict("ticket \(id) exists") }
        return [try await record("ticket.created", Created(
            subject: new.subject, body: new.body, queue: new.queue, priority: new.priority, tags: new.tags,
            requester: new.requester))]
    }

    /// Applies changes, one event per kind of change; `conflict` for a transition the
    /// lifecycle does not allow.
    func update(_ changes: TicketChanges) async throws(EntityError) -> [StoredEvent] {
        try requireExists()
        if let status = changes.status { try TicketLifecycle.check(state.status, status) }
        var events: [StoredEvent] = []
        if changes.priority != nil || changes.tags != nil {
            events.append(try await record("ticket.updated", Updated(priority: changes.priority, tags: changes.tags)))
        }
        if let assignee = changes.assignee, assignee != state.assignee {
            events.append(try await record("ticket.assigned", Assigned(assignee: assignee)))
        }
        if let status = changes.status {
            events.append(try await record("ticket.status_changed", StatusChanged(from: state.status, to: status)))
        }
        return events
    }

    /// Adds a comment. A customer's reply reopens a solved or pending ticket; an internal
    /// note is recorded for staff only.
    func comment(author: String, body: String, isInternal: Bool, fromCustomer: Bool) async throws(EntityError) -> [StoredEvent] {
        try requireExists()
        let reopened = fromCustomer ? try TicketLifecycle.afterCustomerReply(state.status) : state.status
        if state.status == .closed { throw .conflict("ticket \(id) is closed") }
        var events = [try await record(
            "comment.created", CommentCreated(author: author, body: body, internal: isInternal),
            audience: isInternal ? .staff : .everyone)]
        if reopened != state.status {
            events.append(try await record("ticket.status_changed", StatusChanged(from: state.status, to: reopened)))
        }
        return events
    }

    public func timerFired(_ name: String) async {}

    private func requireExists() throws(EntityError) {
        guard state.exists else { throw .notFound("no ticket \(id)") }
    }

    private func record(_ name: String, _ payload: some Encodable, audience: EventAudience = .everyone) async throws(EntityError) -> StoredEvent {
        let data: Data
        do { data = try JSONEncoder().encode(payload) } catch { throw .invalid("cannot encode \(name)") }
        do {
            return try await emit(name, data: String(decoding: data, as: UTF8.self), audience: audience)
        } catch {
            throw EntityError(error)
        }
    }
}
