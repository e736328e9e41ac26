/// A notification rendered for one recipient on one channel.
public struct RenderedNotification: Sendable, Equatable {
    public var notificationID: String
    public var type: String
    /// The type's category, e.g. for an unsubscribe link.
    public var category: String
    /// Whether the type is critical (sent despite opt-outs, so it offers no unsubscribe).
    public var isCritical: Bool
    public var subject: String?
    public var text: String?
    public var html: String?
    public var title: String?
}

/// What one attempt on a channel came to.
public enum SendResult: Sendable, Equatable {
    /// Handed over; `reference` is the provider's id for it (a `Message-ID`, an SMS sid).
    case sent(reference: String?)
    /// Failed for now (a timeout, a 4xx SMTP reply, a provider down); retried later.
    case transient(String)
    /// Will never work (a rejected address, a 5xx SMTP reply); not retried.
    case permanent(String)
    /// Not tried: every provider is rate limited or down for now. Not an attempt; the
    /// delivery waits `retryAfter` without spending one of its retries.
    case deferred(String, retryAfter: Duration)
}

/// Sends rendered notifications through one provider of a channel (the inbox, an SMTP
/// server, an SMS API); the seam where providers plug in. ``NotificationChannel`` adds rate
/// limits, circuit breakers and failover around these. Implementations bound their own
/// time and never throw.
public protocol NotificationSender: Sendable {
    /// Sends `message` to `recipient`, reachable at `contacts`.
    func send(_ message: RenderedNotification, to recipient: String, contacts: UserContacts?) async -> SendResult
}

/// The in-app channel's provider: the recipient's inbox.
struct InAppSender: NotificationSender {
    let inboxes: Inboxes

    func send(_ message: RenderedNotification, to recipient: String, contacts: UserContacts?) async -> SendResult {
        do {
            try await inboxes.deliver(to: recipient, notificationID: message.notificationID, type: message.type, text: message.text ?? "")
            return .sent(reference: nil)
        } catch {
            return error.code == "bad_request" ? .permanent(error.message) : .transient(error.message)
        }
    }
}
