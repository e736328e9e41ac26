/// Drafts a reply for a support agent from a conversation: the seam between the support
/// desk and an AI assistant provider. Implementations must answer or fail within their
/// own timeout; callers never hold an entity's command gate while waiting.
public protocol ReplyDrafter: Sendable {
    /// A draft answering the conversation's last customer message.
    func draft(_ messages: [AssistantMessage]) async throws(AssistantError) -> String
}

/// One message of the conversation handed to the assistant, in chat-completions roles:
/// `system` (instructions, articles), `user` (the customer), `assistant` (the agents).
public struct AssistantMessage: Sendable, Equatable, Codable {
    public var role: String
    public var content: String

    /// Creates a message.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// Why the assistant gave no draft; the message is safe to show an agent.
public struct AssistantError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable code: `assistant_timeout`, `assistant_failed` (an error answer or a
    /// transport failure) or `assistant_invalid_answer`.
    public let code: String
    /// What happened, without provider internals.
    public let message: String

    public var description: String { "\(code): \(message)" }

    /// The provider did not answer in time.
    public static func timeout(_ seconds: Int) -> AssistantError {
        AssistantError(code: "assistant_timeout", message: "the assistant did not answer within \(seconds) s")
    }
    /// The provider answered with an error status, or could not be reached.
    public static func failed(_ message: String) -> AssistantError { AssistantError(code: "assistant_failed", message: message) }
    /// The provider's answer had no draft in it.
    public static func invalidAnswer() -> AssistantError {
        AssistantError(code: "assistant_invalid_answer", message: "the assistant's answer holds no draft")
    }
}
