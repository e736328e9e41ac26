import Gateways

/// A push provider as a provider of the `push` channel: the rendered title and text to
/// each of the recipient's device tokens, with the notification's id and type as data.
///
/// Sent to every device at once; sent when any device took it (a device that failed only
/// for now then misses this one); otherwise transient when any failure was, or was the
/// provider's own, else permanent (every token gone or refused).
public struct PushSender: NotificationSender {
    private let provider: any PushProvider

    /// Creates the sender.
    public init(provider: any PushProvider) {
        self.provider = provider
    }

    public func send(_ message: RenderedNotification, to recipient: String, contacts: UserContacts?) async -> SendResult {
        let tokens = contacts?.pushTokens ?? []
        guard !tokens.isEmpty else { return .permanent("no push token") }
        let data = ["notification_id": message.notificationID, "type": message.type]
        // Every device at once, so one slow device does not hold up the rest.
        let outcomes = await withTaskGroup(of: Result<String, MessagingError>.self) { group in
            for token in tokens {
                group.addTask {
                    do throws(MessagingError) {
                        return .success(try await provider.send(PushMessage(token: token, title: message.title ?? "", text: message.text ?? "", data: data)))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let references = outcomes.compactMap { try? $0.get() }
        let failures = outcomes.compactMap { outcome -> MessagingError? in
            if case .failure(let error) = outcome { return error }
            return nil
        }
        if !references.isEmpty { return .sent(reference: references.joined(separator: " ")) }
        let reasons = failures.map(\.message).joined(separator: "; ")
        return failures.contains(where: { $0.isTransient || $0.isProviderFault }) ? .transient(reasons) : .permanent(reasons)
    }
}
