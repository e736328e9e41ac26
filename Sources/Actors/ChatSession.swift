import Channels
import Foundation
import Store

/// A live chat between a customer and the support agents of a queue, on topic `chat:{id}`.
///
/// Events: `chat.created`, `chat.assigned` (auto-assignment and transfers),
/// `message.created` `{id, author, text, staff}`, `chat.read` `{user, offset}` (a
/// participant's last-read offset only ever moves forward), `chat.escalated` `{ticket}`,
/// `chat.closed` `{by}`, and `chat.articles_suggested` `{articles: [{id, title, snippet}]}`
/// after the first message. Typing indicators are ephemeral: the actor only rate-limits them,
/// and ``ChatDesk`` sends them as `signal` frames that are never stored.
///
/// `chat.created`, `chat.assigned`, `chat.escalated` and `chat.closed` are mirrored to the
/// queue's stream `tickets:{queue}` as `{"chat", "offset", "data"}`, so agents' consoles see
/// chats arrive and move; messages stay on the chat's own topic.
public actor ChatSession: Entity {
    /// What a chat knows; rebuilt from its events.
    public struct State: Codable, Sendable, Equatable {
        /// The chat id (`C-...`).
        public var id: String
        /// False until `chat.created`.
        public var exists = false
        public var queue = ""
        public var subject: String?
        /// The customer's subject; the chat's one non-staff participant.
        public var customer = ""
        public var agent: String?
        public var isClosed = false
        /// Messages so far.
        public var messages = 0
        /// Each participant's last-read offset.
        public var lastRead: [String: Int64] = [:]
        /// The ticket it was escalated into.
        public var ticket: String?
        /// When the first staff message came, for analytics.
        public var firstStaffMessageMilliseconds: Int64?
        /// Creation and last change, in milliseconds since 1970.
        public var createdMilliseconds: Int64 = 0
        public var updatedMilliseconds: Int64 = 0

        /// The list projection of this state.
        public var summary: ChatSummary {
            ChatSummary(
                id: id, queue: queue, status: isClosed ? "closed" : "open", subject: subject, customer: customer,
                agent: agent, ticket: ticket, createdMilliseconds: createdMilliseconds, updatedMilliseconds: updatedMilliseconds)
        }
    }

    // The payloads of the chat's events.
    struct Created: Codable { var queue: String; var subject: String?; var customer: String }
    struct Assigned: Codable { var agent: String; var previous: String? }
    struct MessageCreated: Codable { var id: String; var author: String; var text: String; var staff: Bool }
    struct Read: Codable { var user: String; var offset: Int64 }
    struct Escalated: Codable { var ticket: String }
    struct Closed: Codable { var by: String }

    public static let kind = "chat"
    public static func initialState(id: String) -> State { State(id: id) }

    public static func apply(_ event: StoredEvent, to state: inout State) {
        state.updatedMilliseconds = event.timeMilliseconds
        switch event.name {
        case "chat.created":
            guard let created = event.payload(Created.self) else { return }
            state.exists = true
            state.queue = created.queue
            state.subject = created.subject
            state.customer = created.customer
            state.createdMilliseconds = event.timeMilliseconds
        case "chat.assigned":
            guard let assigned = event.payload(Assigned.self) else { return }
            state.agent = assigned.agent
        case "message.created":
            guard let message = event.payload(MessageCreated.self) else { return }
            state.messages += 1
            if message.staff, state.firstStaffMessageMilliseconds == nil {
                state.firstStaffMessageMilliseconds = event.timeMilliseconds
            }
        case "chat.read":
            guard let read = event.payload(Read.self) else { return }
            state.lastRead[read.user] = max(state.lastRead[read.user] ?? 0, read.offset)
        case "chat.escalated":
            guard let escalated = event.payload(Escalated.self) else { return }
            state.ticket = escalated.ticket
        case "chat.closed":
            state.isClosed = true
        default:
            break
        }
    }

    public var state: State
    public let journal: Journal
    /// When each participant last had a typing indicator sent; in memory only.
    private var lastTyping: [String: ContinuousClock.Instant] = [:]

    public init(state: State, journal: Journal) {
        self.state = state
        self.journal = journal
    }

    /// Opens the chat; `conflict` if it exists.
    func create(queue: String, subject: String?, customer: String) async throws(EntityError) {
        guard !state.exists else { throw .conflict("chat \(id) exists") }
        try await record("chat.created", Created(queue: queue, subject: subject, customer: customer), mirrored: true)
    }

    /// Assigns (or transfers) the chat to an agent; nothing happens when it is theirs already.
    func assign(to agent: String) async throws(EntityError) {
        try requireOpen()
        guard agent != state.agent else { return }
        try await record("chat.assigned", Assigned(agent: agent, previous: state.agent), mirrored: true)
    }

    /// Assigns the chat to `agent` if it is open and nobody holds it; returns whether it did.
    /// A chat closed or taken meanwhile (a transfer, another hand-out) is left as it is.
    func assignIfWaiting(to agent: String) async throws(EntityError) -> Bool {
        guard state.exists, !state.isClosed, state.agent == nil else { return false }
        try await record("chat.assigned", Assigned(agent: agent, previous: nil), mirrored: true)
        return true
    }

    /// Posts a message; with an idempotency `key`, a retry returns the first message's
    /// event. `isFirst` tells whether it opened the conversation (the chat's first message).
    func post(text: String, author: String, isStaff: Bool, key: String?) async throws(EntityError) -> (event: StoredEvent, isFirst: Bool) {
        try requireOpen()
        let isFirst = state.messages == 0
        let message = MessageCreated(id: "m_" + UUID().uuidString.lowercased(), author: author, text: text, staff: isStaff)
        return (try await record("message.created", message, key: key), isFirst)
    }

    /// Records articles that may answer the chat (`chat.articles_suggested`).
    func suggest(_ articles: SuggestedArticles) async throws(EntityError) {
        try requireOpen()
        try await record("chat.articles_suggested", articles)
    }

    /// Moves `user`'s last-read offset forward to `offset` (at most the topic's last
    /// offset); returns the last-read offset in force. Moving it backwards changes nothing.
    func markRead(by user: String, through offset: Int64) async throws(EntityError) -> Int64 {
        try requireExists()
        let current = state.lastRead[user] ?? 0
        guard offset > current else { return current }
        let last = journal.position.offset
        guard offset <= last else { throw .invalid("offset \(offset) is past the chat's last offset \(last)") }
        try await record("chat.read", Read(user: user, offset: offset))
        return offset
    }

    /// Whether a typing indicator from `user` may go out now: at most one per
    /// `interval` per participant while typing; a stop always may.
    func allowTyping(by user: String, typing: Bool, interval: Duration) throws(EntityError) -> Bool {
        try requireOpen()
        let now = ContinuousClock.now
        guard typing else {
            lastTyping[user] = nil
            return true
        }
        if let last = lastTyping[user], now - last < interval { return false }
        lastTyping[user] = now
        return true
    }

    /// Records the ticket the chat was escalated into.
    func escalated(into ticket: String) async throws(EntityError) {
        try requireExists()
        guard state.ticket == nil else { throw .conflict("chat \(id) was escalated into \(state.ticket!) already") }
        try await record("chat.escalated", Escalated(ticket: ticket), mirrored: true)
    }

    /// Closes the chat; `conflict` when it is closed already.
    func close(by principal: String) async throws(EntityError) {
        try requireOpen()
        try await record("chat.closed", Closed(by: principal), mirrored: true)
    }

    /// Chats set no timers.
    public func timerFired(_ name: String) async {}

    func requireExists() throws(EntityError) {
        guard state.exists else { throw .notFound("no chat \(id)") }
    }

    private func requireOpen() throws(EntityError) {
        try requireExists()
        guard !state.isClosed else { throw .conflict("chat \(id) is closed") }
    }

    /// Records an event; `mirrored` ones also go to the queue's stream.
    @discardableResult
    private func record(_ name: String, _ payload: some Encodable, key: String? = nil, mirrored: Bool = false) async throws(EntityError) -> StoredEvent {
        try await emit(name, payload, key: key, mirrorTo: mirrored ? TopicName("tickets:" + state.queue) : nil)
    }
}
