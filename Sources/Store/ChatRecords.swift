/// A chat session as lists and assignment see it: the projection each chat entity keeps
/// up to date after its events, so counting an agent's open chats or listing a queue's
/// chats reads an index instead of activating actors.
public struct ChatSummary: Sendable, Equatable, Codable {
    /// The chat id (`C-...`).
    public var id: String
    /// The support queue it belongs to.
    public var queue: String
    /// `open` or `closed`.
    public var status: String
    /// The subject, when the customer gave one.
    public var subject: String?
    /// The customer's subject (token `sub`).
    public var customer: String
    /// The agent it is assigned to.
    public var agent: String?
    /// The ticket it was escalated into.
    public var ticket: String?
    /// Creation time, in milliseconds since 1970.
    public var createdMilliseconds: Int64
    /// Last change, in milliseconds since 1970.
    public var updatedMilliseconds: Int64

    /// Creates a summary.
    public init(
        id: String, queue: String, status: String, subject: String?, customer: String, agent: String?, ticket: String?,
        createdMilliseconds: Int64, updatedMilliseconds: Int64
    ) {
        self.id = id
        self.queue = queue
        self.status = status
        self.subject = subject
        self.customer = customer
        self.agent = agent
        self.ticket = ticket
        self.createdMilliseconds = createdMilliseconds
        self.updatedMilliseconds = updatedMilliseconds
    }
}

/// What a chat list asks for; nil fields do not filter.
public struct ChatFilter: Sendable, Equatable {
    /// Only this status (`open`, `closed`).
    public var status: String?
    /// Only this queue.
    public var queue: String?
    /// Only chats assigned to this agent.
    public var agent: String?
    /// Only chats of this customer (a customer's own).
    public var customer: String?
    /// Only chats of these queues (an agent's own).
    public var queues: [String]?

    /// Creates a filter.
    public init(status: String? = nil, queue: String? = nil, agent: String? = nil, customer: String? = nil, queues: [String]? = nil) {
        self.status = status
        self.queue = queue
        self.agent = agent
        self.customer = customer
        self.queues = queues
    }
}

/// The chat index: written by chat entities, read by lists and assignment.
public protocol ChatIndexStore: Sendable {
    /// Inserts or replaces a chat's summary.
    func saveChatSummary(_ summary: ChatSummary) async throws(StoreError)

    /// How many open chats each agent holds in a queue.
    func openChatCounts(queue: String) async throws(StoreError) -> [String: Int]

    /// The open chats of a queue that no agent holds, oldest first, at most `limit`.
    func waitingChats(queue: String, limit: Int) async throws(StoreError) -> [ChatSummary]

    /// Newest first; `after` is the cursor of the last summary of the previous page
    /// (its creation time and id). Returns at most `limit`.
    func chatSummaries(
        _ filter: ChatFilter, after: (createdMilliseconds: Int64, id: String)?, limit: Int
    ) async throws(StoreError) -> [ChatSummary]
}
