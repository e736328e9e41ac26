/// Something that sends one ``PushMessage`` to one device, e.g. ``FCMPushProvider``.
///
/// - Important: `send` returns only when the provider has accepted the message, and then
///   returns the provider's name or id for it (FCM's `projects/…/messages/…`). It throws
///   otherwise; ``MessagingError/isTransient`` then says whether the same send may succeed
///   later, and ``MessagingError/invalidRecipient(_:status:)`` means the device token is
///   gone and should be forgotten. Implementations are safe to call from many tasks at
///   once and bound their own waiting with a timeout.
public protocol PushProvider: Sendable {
    /// Sends `message` and returns the provider's name or id for it.
    func send(_ message: PushMessage) async throws(MessagingError) -> String
}
