/// Something that sends one ``SMSMessage``, e.g. ``TwilioSMSProvider``.
///
/// - Important: `send` returns only when the provider has accepted the message, and then
///   returns the provider's id for it (Twilio's `sid`). It throws otherwise;
///   ``MessagingError/isTransient`` then says whether the same send may succeed later.
///   Implementations are safe to call from many tasks at once and bound their own waiting
///   with a timeout.
public protocol SMSProvider: Sendable {
    /// Sends `message` and returns the provider's id for it.
    func send(_ message: SMSMessage) async throws(MessagingError) -> String
}
