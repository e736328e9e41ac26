import Channels
import Foundation
import Logging
import Store
import Synchronization

/// The chat side of the support desk: who may do what with chats, assignment when a chat
/// opens, knowledge-base suggestions for its first message, typing signals, read receipts,
/// closing and escalation into a ticket.
///
/// Participants are the chat's customer and the staff who work its queue (agents of that
/// queue, supervisors, admins, services); anyone else gets `forbidden`. After each command
/// the chat index is saved, which assignment (open chats per agent) and lists read.
///
/// A chat that finds no agent with room waits; while the desk runs as a `Service`, waiting
/// chats are handed out as agents get room (`ChatDesk+Handout.swift`).
public final class ChatDesk: Sendable {
    /// The chat entities.
    public let chats: EntityRegistry<ChatSession>
    private let support: SupportDesk
    private let knowledgeBase: KnowledgeBase
    private let assistant: ReplyAssistant
    private let topics: Topics
    let index: any ChatIndexStore
    private let picker: AgentPicker
    private let turns = QueueTurns()
    private let typingInterval: Duration
    let logger: Logger
    /// Queues whose waiting chats may now find an agent, until the hand-out loop takes them.
    let handoutQueues = Mutex<Set<String>>([])
    /// Wakes the hand-out loop; many wake-ups while it works make one more round.
    let handoutWakeUps = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))

    /// Creates the desk. A participant's typing signals go out at most once per `typingInterval`.
    public init(
        chats: EntityRegistry<ChatSession>, support: SupportDesk, knowledgeBase: KnowledgeBase, assistant: ReplyAssistant,
        topics: Topics, index: any ChatIndexStore, typingInterval: Duration = .seconds(1), logger: Logger
    ) {
        self.chats = chats
        self.support = support
        self.knowledgeBase = knowledgeBase
        self.assistant = assistant
        self.topics = topics
        self.index = index
        self.picker = AgentPicker(topics: topics)
        self.typingInterval = typingInterval
        self.logger = logger
        topics.onJoin(namespace: "tickets") { [weak self] stream, member in
            if member.isAgent { self?.requestHandout(queue: stream.id) }
        }
    }

    /// How a queue whose settings were never set hands out chats: round-robin, up to five
    /// open chats per agent (a customer waiting live should not wait for a manual pick).
    public static let defaultQueueSettings = QueueSettings(assignment: .roundRobin(capacity: 5))

    /// Opens a chat and assigns it to an online agent of its queue by the queue's policy
    /// (``defaultQueueSettings`` when it has none), unless older chats of the queue still wait:
    /// then it waits behind them. A customer's chat always names the customer. Once the chat
    /// is created this succeeds: a failed assignment leaves it to the hand-out loop.
    public func createChat(_ new: NewChat, by principal: Principal) async throws(EntityError) -> ChatSession.State {
        var new = new
        if !principal.isStaff { new.customer = principal.subject }
        try new.validate()
        let request = new
        let id = "C-" + SupportDesk.newID()
        let created = try await command(id) { try await $0.create(queue: request.queue, subject: request.subject, customer: request.customer!) }
        do {
            // Chats that waited longer go first: behind them, this one waits too.
            let oldest = try await oldestWaitingChat(queue: created.queue)
            guard oldest == nil || oldest == id else {
                requestHandout(queue: created.queue)
                return created
            }
            return try await assignWaiting(id, queue: created.queue, settings: try await queueSettings(created.queue)) ?? created
        } catch {
            logger.warning("cannot assign a new chat", metadata: ["sb.chat": "\(id)", "sb.error": "\(error)"])
            requestHandout(queue: created.queue)
            return created
        }
    }

    /// A chat as `principal` may see it.
    public func chat(_ id: String, for principal: Principal) async throws(EntityError) -> ChatSession.State {
        try await participantState(id, principal)
    }

    /// Posts a message as `principal`; returns its committed event (`message.created`).
    /// With an idempotency `key`, a retry returns the first message's event.
    public func post(_ id: String, text: String, key: String?, by principal: Principal) async throws(EntityError) -> StoredEvent {
        try ChatRules.checkText(text)
        try await authorize(id, principal)
        let author = principal.subject
        let isStaff = principal.isStaff
        // Keys are scoped per author: another participant's key never swallows a message.
        let authorKey = key.map { author + "|" + $0 }
        let (event, isFirst) = try await chats.perform(id) { try await $0.post(text: text, author: author, isStaff: isStaff, key: authorKey) }
        if isFirst { await suggestArticles(id, for: text) }
        return event
    }

    /// Sends a typing indicator (`signal` frame `chat.typing` `{user, typing}`) unless the
    /// participant sent one within the typing interval; returns whether it went out.
    public func typing(_ id: String, isTyping: Bool, by principal: Principal) async throws(EntityError) -> Bool {
        try await authorize(id, principal)
        let user = principal.subject
        let interval = typingInterval
        let allowed = try await chats.perform(id) { try await $0.allowTyping(by: user, typing: isTyping, interval: interval) }
        if allowed, let topic = TopicName("chat:" + id) {
            topics.signal(to: topic, name: "chat.typing", data: "{\"user\":\(JSONText.quoted(user)),\"typing\":\(isTyping)}")
        }
        return allowed
    }

    /// Moves the participant's last-read offset forward; returns the one in force.
    public func markRead(_ id: String, through offset: Int64, by principal: Principal) async throws(EntityError) -> Int64 {
        try await authorize(id, principal)
        let user = principal.subject
        return try await chats.perform(id) { try await $0.markRead(by: user, through: offset) }
    }

    /// Hands the chat to another agent (staff only).
    public func transfer(_ id: String, to agent: String, by principal: Principal) async throws(EntityError) -> ChatSession.State {
        guard principal.isStaff else { throw .forbidden("only staff transfer chats") }
        try TicketRules.checkAgent(agent)
        try await authorize(id, principal)
        let moved = try await command(id) { try await $0.assign(to: agent) }
        requestHandout(queue: moved.queue)  // the previous agent may have room now
        return moved
    }

    /// Closes the chat (its customer or staff): participants get `chat.closed`, then every
    /// subscription to the chat ends with an `unsubscribed` frame. The transcript stays.
    public func close(_ id: String, by principal: Principal) async throws(EntityError) -> ChatSession.State {
        try await authorize(id, principal)
        let subject = principal.subject
        let closed = try await command(id) { try await $0.close(by: subject) }
        if let topic = TopicName("chat:" + id) { topics.endSubscriptions(to: topic, reason: "chat closed") }
        requestHandout(queue: closed.queue)  // its agent may have room now
        return closed
    }

    /// Opens a ticket from the chat (staff only): its customer is the requester, its
    /// transcript the first message, and it goes to the chat's agent unless the queue's
    /// policy assigned it already. The chat records the ticket (`chat.escalated`).
    public func escalate(
        _ id: String, priority: TicketPriority, subject: String?, by principal: Principal
    ) async throws(EntityError) -> (chat: ChatSession.State, ticket: Ticket.State) {
        guard principal.isStaff else { throw .forbidden("only staff escalate chats") }
        let chat = try await participantState(id, principal)
        guard chat.ticket == nil else { throw .conflict("chat \(id) was escalated into \(chat.ticket!) already") }
        let transcript = try await latestMessages(id).compactMap { event in
            event.payload(ChatSession.MessageCreated.self).map { "\($0.author): \($0.text)" }
        }.joined(separator: "\n")
        // The ticket's id comes from the chat's, so two escalations racing make one ticket.
        var ticket = try await support.createTicket(NewTicket(
            subject: subject ?? chat.subject ?? "Chat \(id)",
            body: transcript.isEmpty ? "(chat \(id) had no messages)" : String(transcript.suffix(10_000)),
            priority: priority, queue: chat.queue, requester: chat.customer), id: "T-" + chat.id.dropFirst(2), by: principal)
        if ticket.assignee == nil, let agent = chat.agent {
            ticket = try await support.updateTicket(ticket.id, TicketChanges(assignee: agent), by: principal)
        }
        let ticketID = ticket.id
        let escalated = try await command(id) { try await $0.escalated(into: ticketID) }
        return (escalated, ticket)
    }

    /// The chat's messages among its next `limit` events after `offset`, oldest first, for
    /// its participants, and the offset to continue from when more events follow.
    public func transcript(
        _ id: String, after offset: Int64, limit: Int, for principal: Principal
    ) async throws(EntityError) -> (messages: [StoredEvent], next: Int64?) {
        try await authorize(id, principal)
        return try await messages(id, after: offset, limit: limit)
    }

    /// Articles and, with an assistant provider, a drafted reply for an agent of the chat
    /// (staff participants); see ``ReplyAssistant``.
    public func assist(_ id: String, by principal: Principal) async throws(EntityError) -> ReplyAssist {
        guard principal.isStaff else { throw .forbidden("the assistant is for agents") }
        let chat = try await participantState(id, principal)
        guard let topic = TopicName("chat:" + chat.id) else { throw .invalid("invalid chat id \(id)") }
        return try await assistant.assist(chat: topic)
    }

    /// A page of chats, newest first: a customer's own, or those of the queues an agent works.
    public func listChats(
        _ filter: ChatFilter, after cursor: (createdMilliseconds: Int64, id: String)?, limit: Int, for principal: Principal
    ) async throws(EntityError) -> [ChatSummary] {
        var filter = filter
        if principal.isStaff {
            if let queue = filter.queue, !principal.works(queue: queue) { throw .forbidden("queue \(queue) is not one of yours") }
            filter.queues = principal.workedQueues
        } else {
            filter.customer = principal.subject
        }
        do {
            return try await index.chatSummaries(filter, after: cursor, limit: limit)
        } catch {
            throw .unavailable(error.message)
        }
    }

    // MARK: - Helpers

    /// Records knowledge-base articles matching the chat's first message, if any match.
    /// Best effort: a failure is logged and the chat goes on.
    private func suggestArticles(_ id: String, for text: String) async {
        let matches = await knowledgeBase.suggestions(for: text)
        guard !matches.isEmpty else { return }
        do {
            try await chats.perform(id) { try await $0.suggest(SuggestedArticles(matches)) }
        } catch {
            logger.warning("cannot suggest articles", metadata: ["sb.chat": "\(id)", "sb.error": "\(error)"])
        }
    }

    /// Refuses anyone who is not a participant of the chat.
    private func authorize(_ id: String, _ principal: Principal) async throws(EntityError) {
        _ = try await participantState(id, principal)
    }

    private func participantState(_ id: String, _ principal: Principal) async throws(EntityError) -> ChatSession.State {
        let state = try await chats.perform(id) { await $0.state }
        guard state.exists else { throw .notFound("no chat \(id)") }
        let isParticipant = principal.isStaff ? principal.works(queue: state.queue) : state.customer == principal.subject
        guard isParticipant else { throw .forbidden("not a participant of chat:\(id)") }
        return state
    }

    /// The chat's latest messages, oldest first, enough for the last 10,000 characters of a
    /// transcript (at most the last 2,500 events are read).
    private func latestMessages(_ id: String) async throws(EntityError) -> [StoredEvent] {
        guard let topic = TopicName("chat:" + id) else { throw .invalid("invalid chat id \(id)") }
        do {
            return try await topics.history(of: topic, since: nil, limit: 2500, includingStaffEvents: false).1
                .filter { $0.name == "message.created" }
        } catch {
            throw EntityError(error)
        }
    }

    private func messages(_ id: String, after offset: Int64, limit: Int) async throws(EntityError) -> (messages: [StoredEvent], next: Int64?) {
        guard let topic = TopicName("chat:" + id) else { throw .invalid("invalid chat id \(id)") }
        do {
            let events = try await topics.history(
                of: topic, since: TopicPosition(epoch: "", offset: offset), limit: limit, includingStaffEvents: false).1
            return (events.filter { $0.name == "message.created" }, events.count == limit ? events.last?.offset : nil)
        } catch {
            throw EntityError(error)
        }
    }

    /// The queue's saved settings, or ``defaultQueueSettings``.
    func queueSettings(_ queue: String) async throws(EntityError) -> QueueSettings {
        try await support.savedQueueSettings(queue) ?? Self.defaultQueueSettings
    }

    /// In the queue's turn (``QueueTurns``), assigns the chat to the agent the queue's policy
    /// picks, if it still waits; returns its state, or nil when no agent has room (or the
    /// policy is manual).
    func assignWaiting(_ id: String, queue: String, settings: QueueSettings) async throws(EntityError) -> ChatSession.State? {
        try await turns.inTurn(queue: queue) { () throws(EntityError) -> ChatSession.State? in
            let picked = try await self.picker.pick(queue: queue, settings: settings) { [index] () throws(StoreError) in
                try await index.openChatCounts(queue: queue)
            }
            guard let agent = picked else { return nil }
            return try await self.command(id) { _ = try await $0.assignIfWaiting(to: agent) }
        }
    }

    /// The id of the queue's longest-waiting chat, if any waits.
    private func oldestWaitingChat(queue: String) async throws(EntityError) -> String? {
        do {
            return try await index.waitingChats(queue: queue, limit: 1).first?.id
        } catch {
            throw .unavailable(error.message)
        }
    }

    /// Runs a command on a chat and saves the chat index before the next command to the
    /// chat may run, so the index never goes back to an older state. It follows the chat's
    /// own commit: after a crash in between, it catches up with the next change.
    func command(_ id: String, _ body: @escaping @Sendable (ChatSession) async throws -> Void) async throws(EntityError) -> ChatSession.State {
        try await chats.perform(id) { chat in
            try await body(chat)
            let state = await chat.state
            await self.save(state.summary)
            return state
        }
    }

    private func save(_ summary: ChatSummary) async {
        do {
            try await index.saveChatSummary(summary)
        } catch {
            logger.error("cannot index a chat", metadata: ["sb.chat": "\(summary.id)"])
        }
    }
}
