import Channels
import Store

/// The `webhook` channel's provider: the rendered notification as a `notification.message`
/// event `{id, type, category, recipient, subject?, title?, text}` on `outbox:notifications`,
/// which only services may read (the content may be a password-reset code).
/// The webhook outbox takes it in the same transaction and delivers it, signed, to every
/// endpoint that asks for `notification.message`, with its own retries and replay.
/// Published with a key per notification and recipient, so a resend adds no second event.
struct WebhookEventSender: NotificationSender {
    let topics: Topics

    static let topic = TopicName("outbox:notifications")!

    func send(_ message: RenderedNotification, to recipient: String, contacts: UserContacts?) async -> SendResult {
        var fields = [
            ("id", message.notificationID), ("type", message.type), ("category", message.category), ("recipient", recipient),
        ]
        for case let (name, value?) in [("subject", message.subject), ("title", message.title), ("text", message.text)] {
            fields.append((name, value))
        }
        let data = "{" + fields.map { "\(JSONText.quoted($0.0)):\(JSONText.quoted($0.1))" }.joined(separator: ",") + "}"
        do {
            let published = try await topics.publish(
                to: Self.topic, name: "notification.message", data: data,
                key: "message.\(message.notificationID).\(recipient)")
            return .sent(reference: "\(published.event.offset)")
        } catch {
            return .transient(error.message)
        }
    }
}
