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

    /// Creates a principal.
    public init(subject: String, roles: Set<Role>, topicPatterns: [String] = []) {
        self.subject = subject
        self.roles = roles
        self.topicPatterns = topicPatterns
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
