import Gateways

/// A push provider as a provider of the `push` channel: the rendered title and text to
/// each of the recipient's device tokens, with the notification's id and type as data.
///
/// Sent when any device took it; otherwise transient when any failure was, else permanent
/// (every token gone or refused).
public struct PushSender: NotificationSender {
    private let provider: any PushProvider

    /// Creates the sender.
    public init(provider: any PushProvider) {
        self.provider = provider
    }

    public func send(_ message: RenderedNotification, to recipient: String, contacts: UserContacts?) async -> SendResult {
        let tokens = contacts?.pushTokens ?? []
        guard !tokens.isEmpty else { return .permanent("no push token") }
        var references: [String] = []
        var failures: [MessagingError] = []
        for token in tokens {
            let push = PushMessage(
                token: token, title: message.title ?? "", text: message.text ?? "",
                data: ["notification_id": message.notificationID, "type": message.type])
            do {
                references.append(try await provider.send(push))
            } catch {
                failures.append(error)
            }
        }
        if !references.isEmpty { return .sent(reference: references.joined(separator: " ")) }
        let reasons = failures.map(\.message).joined(separator: "; ")
        return failures.contains(where: \.isTransient) ? .transient(reasons) : .permanent(reasons)
    }
}
