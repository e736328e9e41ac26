import Channels
import Foundation
import Logging
import Store

/// The support desk: who may do what with tickets, and the side effects of each command
/// (the mirror on the queue's stream `tickets:{queue}` and the list index).
///
/// Staff (agents, supervisors, admins, services) see and change every ticket; a customer
/// sees only tickets they requested, may comment on them, never writes internal notes,
/// and gets `forbidden` for anything else.
public struct SupportDesk: Sendable {
    /// The ticket entities.
    public let tickets: EntityRegistry<Ticket>
    private let topics: Topics
    private let index: any TicketIndexStore
    private let logger: Logger

    /// Creates the desk over the ticket registry, the topics and the ticket index.
    public init(tickets: EntityRegistry<Ticket>, topics: Topics, index: any TicketIndexStore, logger: Logger) {
        self.tickets = tickets
        self.topics = topics
        self.index = index
        self.logger = logger
    }

    /// Opens a ticket. A customer's ticket always names the customer as its requester.
    public func createTicket(_ new: NewTicket, by principal: Principal) async throws(EntityError) -> Ticket.State {
        var new = new
        if !principal.isStaff { new.requester = principal.subject }
        try new.validate()
        let id = Self.newTicketID()
        let ticket = new
        return try await run(id) { try await $0.create(ticket) }
    }

    /// A ticket as `principal` may see it.
    public func ticket(_ id: String, for principal: Principal) async throws(EntityError) -> Ticket.State {
        let state = try await perform(id) { await $0.state }
        try authorizeReading(state, principal)
        return state
    }

    /// Changes status, priority, assignee or tags (staff only).
    public func updateTicket(_ id: String, _ changes: TicketChanges, by principal: Principal) async throws(EntityError) -> Ticket.State {
        guard principal.isStaff else { throw .forbidden("only staff change tickets") }
        guard !changes.isEmpty else { throw .invalid("nothing to change: give status, priority, assignee or tags") }
        if let tags = changes.tags { try TicketRules.checkTags(tags) }
        if let assignee = changes.assignee ?? nil { try TicketRules.checkAgent(assignee) }
        return try await run(id) { try await $0.update(changes) }
    }

    /// Adds a comment, or an internal note (staff only), by `principal`.
    public func comment(_ id: String, body: String, isInternal: Bool, by principal: Principal) async throws(EntityError) -> Ticket.State {
        try TicketRules.checkBody(body)
        if isInternal, !principal.isStaff { throw .forbidden("only staff write internal notes") }
        if !principal.isStaff {
            let state = try await perform(id) { await $0.state }
            try authorizeReading(state, principal)
        }
        let fromCustomer = !principal.isStaff
        return try await run(id) {
            try await $0.comment(author: principal.subject, body: body, isInternal: isInternal, fromCustomer: fromCustomer)
        }
    }

    /// A page of tickets, newest first; a customer's list holds only their own.
    public func listTickets(
        _ filter: TicketFilter, after cursor: (createdMilliseconds: Int64, id: String)?, limit: Int, for principal: Principal
    ) async throws(EntityError) -> [TicketSummary] {
        var filter = filter
        if !principal.isStaff { filter.requester = principal.subject }
        do {
            return try await index.ticketSummaries(filter, after: cursor, limit: limit)
        } catch {
            throw .unavailable(error.message)
        }
    }

    // MARK: - Helpers

    /// Runs a command on a ticket, then mirrors its events to the queue's stream and saves
    /// the list index. Both follow the ticket's own commit: after a crash in between, the
    /// index catches up with the ticket's next change.
    private func run(_ id: String, _ command: @escaping @Sendable (Ticket) async throws -> [StoredEvent]) async throws(EntityError) -> Ticket.State {
        let (events, state) = try await perform(id) { ticket in
            let events = try await command(ticket)
            return (events, await ticket.state)
        }
        if let queue = TopicName("tickets:" + state.queue) {
            for event in events {
                do {
                    _ = try await topics.publish(
                        to: queue, name: event.name, data: Self.mirrored(event, ticket: id), key: nil, audience: event.audience)
                } catch {
                    logger.error("cannot mirror a ticket event", metadata: ["sb.ticket": "\(id)", "sb.queue": "\(queue)"])
                }
            }
        }
        do {
            try await index.saveTicketSummary(state.summary)
        } catch {
            logger.error("cannot index a ticket", metadata: ["sb.ticket": "\(id)"])
        }
        return state
    }

    private func perform<T: Sendable>(_ id: String, _ body: @escaping @Sendable (Ticket) async throws -> T) async throws(EntityError) -> T {
        do {
            return try await tickets.perform(id, body)
        } catch let error as EntityError {
            throw error
        } catch let error as ChannelError {
            throw EntityError(error)
        } catch {
            throw .unavailable("the ticket cannot be reached now")
        }
    }

    private func authorizeReading(_ state: Ticket.State, _ principal: Principal) throws(EntityError) {
        guard state.exists else { throw .notFound("no ticket \(state.id)") }
        guard principal.isStaff || state.requester == principal.subject else {
            throw .forbidden("ticket \(state.id) is not yours")
        }
    }

    /// The queue-stream copy of a ticket event: `{"ticket": id, "data": original}`.
    private static func mirrored(_ event: StoredEvent, ticket: String) -> String {
        "{\"ticket\":\(JSONText.quoted(ticket)),\"offset\":\(event.offset),\"data\":\(event.data)}"
    }

    /// `T-` and 10 characters of an unambiguous alphabet.
    static func newTicketID() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return "T-" + String((0..<10).map { _ in alphabet.randomElement()! })
    }
}
