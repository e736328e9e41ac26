/// A ticket as lists show it: the projection each ticket entity keeps up to date after
/// its events, so `GET /support/tickets` pages through an index instead of actors.
public struct TicketSummary: Sendable, Equatable, Codable {
    /// `T-...`.
    public var id: String
    /// The queue it belongs to.
    public var queue: String
    /// The status, as its wire name (`new`, `open`, `pending`, `on_hold`, `solved`, `closed`).
    public var status: String
    /// The priority (`low`, `normal`, `high`, `urgent`).
    public var priority: String
    /// The subject line.
    public var subject: String
    /// Who asked (a customer subject), if known.
    public var requester: String?
    /// The agent it is assigned to.
    public var assignee: String?
    /// Tags.
    public var tags: [String]
    /// Creation time, in milliseconds since 1970.
    public var createdMilliseconds: Int64
    /// Last change, in milliseconds since 1970.
    public var updatedMilliseconds: Int64

    /// Creates a summary.
    public init(
        id: String, queue: String, status: String, priority: String, subject: String, requester: String?,
        assignee: String?, tags: [String], createdMilliseconds: Int64, updatedMilliseconds: Int64
    ) {
        self.id = id
        self.queue = queue
        self.status = status
        self.priority = priority
        self.subject = subject
        self.requester = requester
        self.assignee = assignee
        self.tags = tags
        self.createdMilliseconds = createdMilliseconds
        self.updatedMilliseconds = updatedMilliseconds
    }
}

/// What a ticket list asks for; nil fields do not filter.
public struct TicketFilter: Sendable, Equatable {
    /// Only this status.
    public var status: String?
    /// Only this queue.
    public var queue: String?
    /// Only this assignee.
    public var assignee: String?
    /// Only this priority.
    public var priority: String?
    /// Only tickets of this requester (a customer's own).
    public var requester: String?
    /// Only tickets of these queues (an agent's own).
    public var queues: [String]?

    /// Creates a filter.
    public init(
        status: String? = nil, queue: String? = nil, assignee: String? = nil, priority: String? = nil,
        requester: String? = nil, queues: [String]? = nil
    ) {
        self.status = status
        self.queue = queue
        self.assignee = assignee
        self.priority = priority
        self.requester = requester
        self.queues = queues
    }
}

/// The ticket index: written by ticket entities, read by lists.
public protocol TicketIndexStore: Sendable {
    /// Inserts or replaces a ticket's summary.
    func saveTicketSummary(_ summary: TicketSummary) async throws(StoreError)

    /// How many unsolved tickets (`new`, `open`, `pending`, `on_hold`) each assignee holds in a queue.
    func openTicketCounts(queue: String) async throws(StoreError) -> [String: Int]

    /// Newest first; `after` is the cursor of the last summary of the previous page
    /// (its creation time and id). Returns at most `limit`.
    func ticketSummaries(
        _ filter: TicketFilter, after: (createdMilliseconds: Int64, id: String)?, limit: Int
    ) async throws(StoreError) -> [TicketSummary]
}

/// Named support settings (SLA policies today, queue policies later) stored as JSON,
/// so the store need not know their types.
public protocol SupportSettingsStore: Sendable {
    /// Inserts or replaces the setting `name` of `kind`.
    func saveSupportSetting(kind: String, name: String, json: String) async throws(StoreError)

    /// Every setting of `kind`, by name.
    func supportSettings(kind: String) async throws(StoreError) -> [(name: String, json: String)]
}
