/// Something that sends one ``MailMessage``: the SMTP client and the HTTP provider both
/// conform, so a notification channel can fail over from one to the next.
///
/// - Important: `send` returns only when the provider has taken responsibility for the
///   message for at least one recipient; the receipt says which recipients were refused.
///   It throws when no recipient got the message; ``EmailError/isTransient`` then says
///   whether the same send may succeed later. Implementations are safe to call from many
///   tasks at once and bound their own waiting with timeouts.
public protocol EmailProvider: Sendable {
    /// Sends `message` to every address in its `to` list.
    func send(_ message: MailMessage) async throws(EmailError) -> EmailReceipt
}

/// What became of a sent message: its `Message-ID` and, per recipient, whether the
/// provider accepted it.
public struct EmailReceipt: Sendable, Equatable {
    /// The message's `Message-ID`, without angle brackets.
    public var messageID: String
    /// One entry per envelope recipient, in the order of the message's `to` list.
    public var recipients: [EmailRecipientResult]

    /// Creates a receipt.
    public init(messageID: String, recipients: [EmailRecipientResult]) {
        self.messageID = messageID
        self.recipients = recipients
    }

    /// The addresses the provider accepted.
    public var accepted: [String] { recipients.filter { $0.error == nil }.map(\.address) }
    /// The addresses the provider refused, with why.
    public var refused: [(address: String, error: EmailError)] {
        recipients.compactMap { result in result.error.map { (result.address, $0) } }
    }
}

/// Whether one recipient of a message was accepted.
public struct EmailRecipientResult: Sendable, Equatable {
    /// The recipient's address.
    public var address: String
    /// Nil when accepted; otherwise why this recipient was refused (a 4xx is transient).
    public var error: EmailError?

    /// Creates a result.
    public init(address: String, error: EmailError? = nil) {
        self.address = address
        self.error = error
    }
}
