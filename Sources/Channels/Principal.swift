/// A role a token or API key acts with.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    case customer, agent, supervisor, admin, service
}

/// Who is asking: the authenticated identity behind a connection or request.
public struct Principal: Sendable, Equatable {
    /// The subject (`sub` claim, or `key:<id>` for an API key).
    public var subject: String
    /// The roles granted.
    public var roles: Set<Role>
    /// Topic patterns from the token's `topics` claim (`chat:8f2c`, `chat:*`); empty when absent.
    public var topicPatterns: [String]
    /// The support queues an agent works, from the token's `queues` claim; nil when absent.
    public var queues: [String]?

    /// Creates a principal.
    public init(subject: String, roles: Set<Role>, topicPatterns: [String] = [], queues: [String]? = nil) {
        self.subject = subject
        self.roles = roles
        self.topicPatterns = topicPatterns
        self.queues = queues
    }

    /// The support queues the principal is limited to, nil when it works every queue:
    /// supervisors, admins and services work every queue; an agent those of its `queues`
    /// claim, or every queue when its token has none.
    public var workedQueues: [String]? {
        roles.isDisjoint(with: [.supervisor, .admin, .service]) ? queues : nil
    }

    /// Whether the principal may work tickets of `queue` (see ``workedQueues``).
    public func works(queue: String) -> Bool {
        workedQueues?.contains(queue) ?? true
    }

    /// Agents, supervisors, admins and services: they see staff-only events (internal
    /// notes); customers never do.
    public var isStaff: Bool { !roles.isDisjoint(with: [.agent, .supervisor, .admin, .service]) }

    /// Whether any of the principal's topic patterns matches `topic`.
    /// A pattern is a topic name, optionally ending in `*` to match any suffix.
    public func claims(_ topic: TopicName) -> Bool {
        topicPatterns.contains { pattern in
            if pattern.hasSuffix("*") {
                return topic.rawValue.hasPrefix(pattern.dropLast())
            }
            return pattern == topic.rawValue
        }
    }
}
