import Gateways

/// An e-mail provider (the SMTP client, an HTTP API) as a provider of the e-mail channel:
/// the rendered subject, text and HTML as one MIME message from the configured sender,
/// with a one-click `List-Unsubscribe` link to the type's category (critical types have none).
public struct EmailSender: NotificationSender {
    private let provider: any EmailProvider
    private let from: MailAddress
    private let unsubscribeLink: (@Sendable (_ recipient: String, _ category: String) -> String)?

    /// Creates the sender; `unsubscribeLink` makes the link a recipient follows to opt out of
    /// a category's e-mail.
    public init(
        from: MailAddress, provider: any EmailProvider,
        unsubscribeLink: (@Sendable (_ recipient: String, _ category: String) -> String)? = nil
    ) {
        self.from = from
        self.provider = provider
        self.unsubscribeLink = unsubscribeLink
    }

    public func send(_ message: RenderedNotification, to recipient: String, contacts: UserContacts?) async -> SendResult {
        guard let email = contacts?.email, let address = try? MailAddress(email) else { return .permanent("no valid e-mail address") }
        // One Message-ID per notification and recipient, the same on every retry and provider,
        // so a receiving system can tell a resend from a new message.
        let recipientHex = recipient.utf8.map { String($0 >> 4, radix: 16) + String($0 & 15, radix: 16) }.joined()
        let mail = MailMessage(
            from: from, to: [address], subject: message.subject ?? "", text: message.text ?? "", html: message.html,
            listUnsubscribe: message.isCritical ? [] : unsubscribeLink.map { [$0(recipient, message.category)] } ?? [],
            messageID: "\(message.notificationID).\(recipientHex)@\(from.domain)")
        do {
            let receipt = try await provider.send(mail)
            if let (_, error) = receipt.refused.first { return Self.result(of: error) }
            return .sent(reference: receipt.messageID)
        } catch {
            return Self.result(of: error)
        }
    }

    /// A failure as the channel sees it: worth another try, or another provider, unless it
    /// is about the message or its address.
    private static func result(of error: EmailError) -> SendResult {
        error.isTransient || error.isProviderFault ? .transient(error.message) : .permanent(error.message)
    }
}
