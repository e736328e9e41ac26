import Gateways

/// An SMS provider as a provider of the `sms` channel: the rendered text to the recipient's
/// phone number.
public struct SMSSender: NotificationSender {
    private let provider: any SMSProvider

    /// Creates the sender.
    public init(provider: any SMSProvider) {
        self.provider = provider
    }

    public func send(_ message: RenderedNotification, to recipient: String, contacts: UserContacts?) async -> SendResult {
        guard let phone = contacts?.phone else { return .permanent("no phone number") }
        do {
            return .sent(reference: try await provider.send(SMSMessage(to: phone, text: message.text ?? "")))
        } catch {
            // A provider's own fault (its credentials) is worth another provider, or a retry.
            return error.isTransient || error.isProviderFault ? .transient(error.message) : .permanent(error.message)
        }
    }
}
