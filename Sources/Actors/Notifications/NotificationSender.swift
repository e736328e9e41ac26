/// A notification rendered for one recipient on one channel.
public struct RenderedNotification: Sendable, Equatable {
    public var notificationID: String
    public var type: String
    public var subject: String?
    public var text: String?
    public var html: String?
    public var title: String?
}

/// What one attempt on a channel came to.
public enum SendResult: Sendable, Equatable {
    /// Handed over (`provider` names who took it).
    case sent(provider: String)
    /// Failed for now (a timeout, a 4xx SMTP reply, a provider down); retried later.
    case transient(String)
    /// Will never work (a rejected address, a 5xx SMTP reply); not retried.
    case permanent(String)
}

/// Sends rendered notifications on one channel (in-app, e-mail, SMS, push); the seam
/// where providers plug in. Implementations bound their own time and never throw.
public protocol NotificationSender: Sendable {
    /// Sends `message` to `recipient`, reachable at `contacts`.
    func send(_ message: RenderedNotification, to recipient: String, contacts: UserContacts?) async -> SendResult
}

/// The in-app channel: the recipient's inbox.
struct InAppSender: NotificationSender {
    let inboxes: Inboxes

    func send(_ message: RenderedNotification, to recipient: String, contacts: UserContacts?) async -> SendResult {
        do {
            try await inboxes.deliver(to: recipient, notificationID: message.notificationID, type: message.type, text: message.text ?? "")
            return .sent(provider: "inbox")
        } catch {
            return error.code == "bad_request" ? .permanent(error.message) : .transient(error.message)
        }
    }
}
