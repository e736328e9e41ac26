import Actors
import Gateways

/// One Twilio-style SMS API (an entry of `sms.providers`, or `SWITCHBOARD_SMS_URL`,
/// `_SMS_ACCOUNT_SID`, `_SMS_AUTH_TOKEN`, `_SMS_FROM`).
public struct SMSProviderSettings: ProviderSettings {
    /// The API's base URL, e.g. `https://api.twilio.com`.
    public var baseURL: String
    public var accountSID: String
    public var authToken: String
    /// The sending number (E.164) or alphanumeric sender id.
    public var from: String

    public static var channel: NotificationChannelKind { .sms }

    public func makeSender() throws(HubError) -> any NotificationSender {
        do {
            return SMSSender(provider: TwilioSMSProvider(settings: try TwilioSMSSettings(
                baseURL: baseURL, accountSID: accountSID, authToken: authToken, from: from)))
        } catch {
            throw .badRequest("SMS settings: \(error.message)")
        }
    }
}
