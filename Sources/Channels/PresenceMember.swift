import Store

/// One subscriber as presence shows it.
public struct PresenceMember: Sendable, Equatable, Codable {
    /// The connection's client id (`c_...`).
    public var client: String
    /// The principal's subject.
    public var user: String
    /// Optional JSON text the client attached (`null` when none).
    public var info: String
    /// Whether the principal has the agent role: a queue's policy hands new chats and
    /// tickets only to agents online on its stream, not to supervisors' consoles or services.
    /// Not shown in presence frames.
    public var isAgent: Bool

    /// Creates a member.
    public init(client: String, user: String, info: String = "null", isAgent: Bool = false) {
        self.client = client
        self.user = user
        self.info = info
        self.isAgent = isAgent
    }

    /// The member as a JSON object.
    public var json: String {
        "{\"client\":\(JSONText.quoted(client)),\"user\":\(JSONText.quoted(user)),\"info\":\(info)}"
    }
}
