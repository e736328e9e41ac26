import Store

/// One subscriber as presence shows it.
public struct PresenceMember: Sendable, Equatable, Codable {
    /// The connection's client id (`c_...`).
    public var client: String
    /// The principal's subject.
    public var user: String
    /// Optional JSON text the client attached (`null` when none).
    public var info: String

    /// Creates a member.
    public init(client: String, user: String, info: String = "null") {
        self.client = client
        self.user = user
        self.info = info
    }

    /// The member as a JSON object.
    public var json: String {
        "{\"client\":\(JSONText.quoted(client)),\"user\":\(JSONText.quoted(user)),\"info\":\(info)}"
    }
}
