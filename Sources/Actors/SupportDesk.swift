import Channels
import Foundation
import Logging
import Store

/// The support desk: who may do what with tickets, SLA policies, queue assignment, and the
/// list index kept after each command.
///
/// Staff (agents, supervisors, admins, services) see and change every ticket; a customer
/// sees only tickets they requested, may comment on them, never writes internal notes,
/// and gets `forbidden` for anything else.
public final class SupportDesk: Sendable {
    /// The ticket entities.
    public let tickets: EntityRegistry<Ticket>
    private let index: any TicketIndexStore
    private let settings: any SupportSettingsStore
    private let picker: AgentPicker
    /// One ticket assignment at a time per queue, so tickets opened at once cannot both take
    /// an agent's last place.
    private let turns = QueueTurns()
    private let knowledgeBase: KnowledgeBase
    private let history: any EventHistoryStore
    private let slaWarningFraction: Double
    private let logger: Logger

    /// Creates the desk over the ticket registry, the topics (for who is online on a queue),
    /// the ticket index and the stored settings; an SLA warning comes at `slaWarningFraction` of each target.
    public init(
        tickets: EntityRegistry<Ticket>, topics: Topics, index: any TicketIndexStore, settings: any SupportSettingsStore,
        knowledgeBase: KnowledgeBase, history: any EventHistoryStore, slaWarningFraction: Double = 0.8, logger: Logger
    ) {
        self.tickets = tickets
        self.picker = AgentPicker(topics: topics)
        self.knowledgeBase = knowledgeBase
        self.history = history
        self.index = index
        self.settings = settings
        self.slaWarningFraction = slaWarningFraction
        self.logger = logger
    }

    /// Saves an SLA policy under its name (admins, supervisors and services); tickets
    /// created from now on that it matches are measured against it.
    public func saveSLAPolicy(_ policy: SLAPolicy, by principal: Principal) async throws(EntityError) {
        guard !principal.roles.isDisjoint(with: [.admin, .supervisor, .service]) else {
            throw .forbidden("SLA policies are set by admins, supervisors and services")
        }
        try policy.validate()
        do {
            let json = String(decoding: try JSONEncoder().encode(policy), as: UTF8.self)
            try await settings.saveSupportSetting(kind: "sla", name: policy.name, json: json)
        } catch let error as StoreError {
            throw .unavailable(error.message)
        } catch {
            throw .invalid("the policy cannot be stored")
        }
    }

    /// Every SLA policy, by name.
    public func slaPolicies() async throws(EntityError) -> [SLAPolicy] {
        do {
            return try await settings.supportSettings(kind: "sla").compactMap {
                try? JSONDecoder().decode(SLAPolicy.self, from: Data($0.json.utf8))
            }
        } catch {
            throw .unavailable(error.message)
        }
    }

    /// Opens a ticket. A customer's ticket always names the customer as its requester.
    /// With an `id` (a chat's escalation), a second creation under it is a `conflict`.
    public func createTicket(_ new: NewTicket, id: String? = nil, by principal: Principal) async throws(EntityError) -> Ticket.State {
        var new = new
        if !principal.isStaff { new.requester = principal.subject }
        try new.validate()
        let id = id ?? "T-" + Self.newID()
        let ticket = new
        let policy = SLAPolicy.matching(try await slaPolicies(), priority: new.priority, queue: new.queue)
        let fraction = slaWarningFraction
        let created = try await run(id) { try await $0.create(ticket, policy: policy, warningFraction: fraction) }
        let assigned = try await autoAssign(created)
        await suggestArticles(id, for: new.subject + "\n" + new.body)
        return assigned
    }

    /// Sets how a queue hands out new tickets (admins, supervisors and services).
    public func saveQueue(_ queue: String, _ queueSettings: QueueSettings, by principal: Principal) async throws(EntityError) {
        guard !principal.roles.isDisjoint(with: [.admin, .supervisor, .service]) else {
            throw .forbidden("queues are set by admins, supervisors and services")
        }
        try TicketRules.checkQueue(queue)
        try queueSettings.validate()
        do {
            let json = String(decoding: try JSONEncoder().encode(queueSettings), as: UTF8.self)
            try await settings.saveSupportSetting(kind: "queue", name: queue, json: json)
        } catch let error as StoreError {
            throw .unavailable(error.message)
        } catch {
            throw .invalid("the queue settings cannot be stored")
        }
    }

    /// A queue's settings (manual assignment when never set).
    public func queueSettings(_ queue: String) async throws(EntityError) -> QueueSettings {
        try await savedQueueSettings(queue) ?? QueueSettings()
    }

    /// A queue's settings, nil when they were never set.
    public func savedQueueSettings(_ queue: String) async throws(EntityError) -> QueueSettings? {
        do {
            let stored = try await settings.supportSettings(kind: "queue").first { $0.name == queue }
            return stored.flatMap { try? JSONDecoder().decode(QueueSettings.self, from: Data($0.json.utf8)) }
        } catch {
            throw .unavailable(error.message)
        }
    }

    /// Assigns a new ticket by its queue's policy (see ``AgentPicker``), in the queue's
    /// turn (``QueueTurns``: the pick reads open tickets per agent from the index, which the
    /// assignment updates before the turn passes on); leaves it unassigned when the policy is
    /// manual or everyone is full.
    private func autoAssign(_ ticket: Ticket.State) async throws(EntityError) -> Ticket.State {
        let settings = try await queueSettings(ticket.queue)
        return try await turns.inTurn(queue: ticket.queue) { () throws(EntityError) -> Ticket.State in
            let index = self.index
            let agent = try await self.picker.pick(queue: ticket.queue, settings: settings) { () throws(StoreError) in
                try await index.openTicketCounts(queue: ticket.queue)
            }
            guard let agent else { return ticket }
            return try await self.run(ticket.id) { try await $0.update(TicketChanges(assignee: agent)) }
        }
    }

    /// Records knowledge-base articles matching a new ticket, if any match. Best effort: a
    /// failure is logged and the ticket goes on.
    private func suggestArticles(_ id: String, for text: String) async {
        let matches = await knowledgeBase.suggestions(for: text)
        guard !matches.isEmpty else { return }
        do {
            try await tickets.perform(id) { try await $0.suggest(SuggestedArticles(matches)) }
        } catch {
            logger.warning("cannot suggest articles", metadata: ["sb.ticket": "\(id)", "sb.error": "\(error)"])
        }
    }

    /// A ticket as `principal` may see it.
    public func ticket(_ id: String, for principal: Principal) async throws(EntityError) -> Ticket.State {
        let state = try await tickets.perform(id) { await $0.state }
        try authorizeReading(state, principal)
        return state
    }

    /// Changes status, priority, assignee or tags (staff only).
    public func updateTicket(_ id: String, _ changes: TicketChanges, by principal: Principal) async throws(EntityError) -> Ticket.State {
        guard principal.isStaff else { throw .forbidden("only staff change tickets") }
        guard !changes.isEmpty else { throw .invalid("nothing to change: give status, priority, assignee or tags") }
        if principal.workedQueues != nil { try authorizeReading(try await tickets.perform(id) { await $0.state }, principal) }
        if let tags = changes.tags { try TicketRules.checkTags(tags) }
        if let assignee = changes.assignee ?? nil { try TicketRules.checkAgent(assignee) }
        return try await run(id) { try await $0.update(changes) }
    }

    /// Adds a comment, or an internal note (staff only), by `principal`.
    public func comment(_ id: String, body: String, isInternal: Bool, by principal: Principal) async throws(EntityError) -> Ticket.State {
        try TicketRules.checkBody(body)
        if isInternal, !principal.isStaff { throw .forbidden("only staff write internal notes") }
        if !principal.isStaff || principal.workedQueues != nil {
            try authorizeReading(try await tickets.perform(id) { await $0.state }, principal)
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
        if let queue = filter.queue, principal.isStaff, !principal.works(queue: queue) {
            throw .forbidden("queue \(queue) is not one of yours")
        }
        if principal.isStaff { filter.queues = principal.workedQueues }
        do {
            return try await index.ticketSummaries(filter, after: cursor, limit: limit)
        } catch {
            throw .unavailable(error.message)
        }
    }

    /// Per-agent figures for events from `from` to `to` (milliseconds since 1970), computed
    /// from the stored history of tickets and chats (supervisors, admins and services).
    public func agentAnalytics(from: Int64, to: Int64, by principal: Principal) async throws(EntityError) -> [AgentReport] {
        guard !principal.roles.isDisjoint(with: [.admin, .supervisor, .service]) else {
            throw .forbidden("agent analytics are for supervisors, admins and services")
        }
        guard from <= to else { throw .invalid("from must not be after to") }
        do {
            return try await history.foldHistory(
                ofNamespaces: [Ticket.kind, ChatSession.kind], touchedFrom: from, to: to, into: AgentAnalytics(from: from, to: to)
            ) { $0.add($1) }.report
        } catch {
            throw .unavailable(error.message)
        }
    }

    // MARK: - Helpers

    /// Runs a command on a ticket, then saves the list index. The index follows the
    /// ticket's own commit: after a crash in between, it catches up with the next change.
    private func run(_ id: String, _ command: @escaping @Sendable (Ticket) async throws -> Void) async throws(EntityError) -> Ticket.State {
        let state = try await tickets.perform(id) { ticket in
            try await command(ticket)
            return await ticket.state
        }
        do {
            try await index.saveTicketSummary(state.summary)
        } catch {
            logger.error("cannot index a ticket", metadata: ["sb.ticket": "\(id)"])
        }
        return state
    }

    private func authorizeReading(_ state: Ticket.State, _ principal: Principal) throws(EntityError) {
        guard state.exists else { throw .notFound("no ticket \(state.id)") }
        if principal.isStaff {
            guard principal.works(queue: state.queue) else { throw .forbidden("ticket \(state.id) is in a queue not yours") }
        } else {
            guard state.requester == principal.subject else { throw .forbidden("ticket \(state.id) is not yours") }
        }
    }

    /// 10 characters of an unambiguous alphabet: the random part of ticket and chat ids.
    static func newID() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String((0..<10).map { _ in alphabet.randomElement()! })
    }
}
