import Gateways

/// The e-mail channel: the rendered subject, text and HTML as one MIME message from the
/// configured sender, through the providers in order (e.g. SMTP, then an HTTP provider).
/// A transient failure of one provider fails over to the next; a permanent one (a
/// rejected address) ends the attempt, since another provider would refuse it too.
public struct EmailSender: NotificationSender {
    private let providers: [(name: String, provider: any EmailProvider)]
    private let from: MailAddress

    /// Creates the sender; `providers` are tried in order.
    public init(from: MailAddress, providers: [(name: String, provider: any EmailProvider)]) {
        self.from = from
        self.providers = providers
    }

    public func send(_ message: RenderedNotification, to recipient: String, contacts: UserContacts?) async -> SendResult {
        guard let email = contacts?.email, let address = try? MailAddress(email) else { return .permanent("no valid e-mail address") }
        let mail = MailMessage(from: from, to: [address], subject: message.subject ?? "", text: message.text ?? "", html: message.html)
        var reasons: [String] = []
        for (name, provider) in providers {
            do {
                let receipt = try await provider.send(mail)
                if let (_, error) = receipt.refused.first {
                    guard error.isTransient else { return .permanent("\(name): \(error.message)") }
                    reasons.append("\(name): \(error.message)")
                    continue
                }
                return .sent(provider: name)
            } catch {
                guard error.isTransient else { return .permanent("\(name): \(error.message)") }
                reasons.append("\(name): \(error.message)")
            }
        }
        return .transient(reasons.joined(separator: "; "))
    }
}
