/// A new ticket as a client asks for it, validated by ``validate()``.
public struct NewTicket: Sendable, Codable, Equatable {
    /// The subject line, 1 to 200 characters.
    public var subject: String
    /// The first message, 1 to 10,000 characters.
    public var body: String
    /// How urgent.
    public var priority: TicketPriority
    /// The queue, `[a-z0-9_-]{1,32}`.
    public var queue: String
    /// Up to 20 tags, each `[a-z0-9_-]{1,32}`.
    public var tags: [String]
    /// Who asked; a customer's own tickets always name the customer.
    public var requester: String?

    /// Creates a request.
    public init(subject: String, body: String, priority: TicketPriority, queue: String, tags: [String] = [], requester: String? = nil) {
        self.subject = subject
        self.body = body
        self.priority = priority
        self.queue = queue
        self.tags = tags
        self.requester = requester
    }

    /// Refuses what cannot be stored or shown (`bad_request`).
    public func validate() throws(EntityError) {
        guard (1...200).contains(subject.count) else { throw .invalid("subject must be 1 to 200 characters") }
        try TicketRules.checkBody(body)
        try TicketRules.checkQueue(queue)
        try TicketRules.checkTags(tags)
    }
}

/// What an update may change; nil leaves a field as it is.
public struct TicketChanges: Sendable, Equatable {
    /// A new status, following ``TicketLifecycle``.
    public var status: TicketStatus?
    /// A new priority.
    public var priority: TicketPriority?
    /// A new assignee; `.some(nil)` unassigns.
    public var assignee: String??
    /// The new tag set.
    public var tags: [String]?

    /// Creates changes.
    public init(status: TicketStatus? = nil, priority: TicketPriority? = nil, assignee: String?? = nil, tags: [String]? = nil) {
        self.status = status
        self.priority = priority
        self.assignee = assignee
        self.tags = tags
    }

    /// Whether it changes nothing.
    public var isEmpty: Bool { status == nil && priority == nil && assignee == nil && tags == nil }
}

/// The field rules shared by creation, updates and comments.
enum TicketRules {
    static func checkBody(_ body: String) throws(EntityError) {
        guard (1...10_000).contains(body.count), !body.allSatisfy(\.isWhitespace) else {
            throw .invalid("body must be 1 to 10,000 characters and not blank")
        }
    }

    static func checkQueue(_ queue: String) throws(EntityError) {
        guard isName(queue) else { throw .invalid("queue must be 1 to 32 of a-z, 0-9, _ and -") }
    }

    static func checkTags(_ tags: [String]) throws(EntityError) {
        guard tags.count <= 20, tags.allSatisfy(isName) else {
            throw .invalid("tags: at most 20, each 1 to 32 of a-z, 0-9, _ and -")
        }
    }

    static func checkAgent(_ agent: String) throws(EntityError) {
        guard (1...128).contains(agent.utf8.count) else { throw .invalid("assignee must be 1 to 128 bytes") }
    }

    private static func isName(_ text: String) -> Bool {
        (1...32).contains(text.utf8.count)
            && text.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F || $0 == 0x2D }
    }
}
