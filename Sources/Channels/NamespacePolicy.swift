/// Who may do one thing (subscribe, or publish) on a namespace's topics.
///
/// Access is granted when the principal is an admin, holds one of `roles`, owns the
/// topic (`owner` and the topic id equals its subject), or has a matching `topics` claim
/// while `claims` is true. Everything else is refused.
public struct AccessRule: Sendable, Equatable, Codable {
    /// Roles always allowed.
    public var roles: Set<Role>
    /// Whether the principal whose subject equals the topic id is allowed (`inbox:{sub}`).
    public var owner: Bool
    /// Whether a `topics` claim pattern matching the topic grants access.
    public var claims: Bool

    /// Creates a rule.
    public init(roles: Set<Role>, owner: Bool = false, claims: Bool = false) {
        self.roles = roles
        self.owner = owner
        self.claims = claims
    }

    /// Decodes a rule; `owner` and `claims` default to false.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            roles: try container.decodeIfPresent(Set<Role>.self, forKey: .roles) ?? [],
            owner: try container.decodeIfPresent(Bool.self, forKey: .owner) ?? false,
            claims: try container.decodeIfPresent(Bool.self, forKey: .claims) ?? false)
    }

    /// Whether `principal` may act on `topic` under this rule.
    public func allows(_ principal: Principal, on topic: TopicName) -> Bool {
        if principal.roles.contains(.admin) || !principal.roles.isDisjoint(with: roles) { return true }
        if owner && topic.id == principal.subject { return true }
        return claims && principal.claims(topic)
    }
}

/// The policy of one namespace: access, history bounds and presence.
public struct NamespacePolicy: Sendable, Equatable, Codable {
    /// Who may subscribe, read history and see presence.
    public var subscribe: AccessRule
    /// Who may publish.
    public var publish: AccessRule
    /// Events kept per topic, at least (default 10,000).
    public var historySize: Int
    /// Seconds an event is kept, at least (default 7 days); the last event of a topic is
    /// kept regardless, so its position survives.
    public var historyAgeSeconds: Int
    /// Whether subscribers are announced with presence frames and listed by `presence`.
    public var presence: Bool

    /// Creates a policy.
    public init(
        subscribe: AccessRule, publish: AccessRule,
        historySize: Int = 10_000, historyAgeSeconds: Int = 7 * 24 * 3600, presence: Bool = false
    ) {
        self.subscribe = subscribe
        self.publish = publish
        self.historySize = historySize
        self.historyAgeSeconds = historyAgeSeconds
        self.presence = presence
    }
}

extension NamespacePolicy {
    /// Decodes a policy; a missing rule allows only admins, and missing bounds take the
    /// defaults of ``init(subscribe:publish:historySize:historyAgeSeconds:presence:)``.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = NamespacePolicy(subscribe: AccessRule(roles: []), publish: AccessRule(roles: []))
        self.init(
            subscribe: try container.decodeIfPresent(AccessRule.self, forKey: .subscribe) ?? defaults.subscribe,
            publish: try container.decodeIfPresent(AccessRule.self, forKey: .publish) ?? defaults.publish,
            historySize: try container.decodeIfPresent(Int.self, forKey: .historySize) ?? defaults.historySize,
            historyAgeSeconds: try container.decodeIfPresent(Int.self, forKey: .historyAgeSeconds) ?? defaults.historyAgeSeconds,
            presence: try container.decodeIfPresent(Bool.self, forKey: .presence) ?? defaults.presence)
    }

    private static let staff: Set<Role> = [.agent, .supervisor, .service]

    /// The built-in namespaces. Customers reach `room:`, `campaign:` and `events:` topics
    /// only through a `topics` claim, their own chats and tickets as their participant
    /// (checked by the hub against the chat or ticket), their own `inbox:` only as its
    /// owner, and never `tickets:` (agent queue streams); services may publish anywhere.
    /// `outbox:` carries what only services may read (the rendered notifications the
    /// webhook channel hands to the webhook outbox).
    /// `room:` is the general-purpose namespace for application-defined live topics;
    /// `chat:` and `ticket:` topics are written through their actors.
    public static let defaults: [String: NamespacePolicy] = [
        "room": NamespacePolicy(
            subscribe: AccessRule(roles: staff, claims: true),
            publish: AccessRule(roles: staff, claims: true),
            presence: true),
        "chat": NamespacePolicy(
            subscribe: AccessRule(roles: staff, claims: true),
            publish: AccessRule(roles: staff, claims: true),
            presence: true),
        "ticket": NamespacePolicy(
            subscribe: AccessRule(roles: staff, claims: true),
            publish: AccessRule(roles: staff, claims: true)),
        "tickets": NamespacePolicy(
            subscribe: AccessRule(roles: staff),
            publish: AccessRule(roles: staff),
            presence: true),
        "campaign": NamespacePolicy(
            subscribe: AccessRule(roles: staff, claims: true),
            publish: AccessRule(roles: [.service])),
        "inbox": NamespacePolicy(
            subscribe: AccessRule(roles: [.service], owner: true),
            publish: AccessRule(roles: [.service])),
        "events": NamespacePolicy(
            subscribe: AccessRule(roles: staff, claims: true),
            publish: AccessRule(roles: [.service])),
        "outbox": NamespacePolicy(
            subscribe: AccessRule(roles: [.service]),
            publish: AccessRule(roles: [.service])),
    ]
}
