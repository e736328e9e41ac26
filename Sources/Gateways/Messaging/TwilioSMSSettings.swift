/// Where the Twilio-style SMS API lives and who sends: requests go to
/// `{baseURL}/2010-04-01/Accounts/{accountSID}/Messages.json` with HTTP Basic
/// `accountSID:authToken`. Every field is checked once, in ``init(baseURL:accountSID:authToken:from:timeout:)``.
public struct TwilioSMSSettings: Sendable, Equatable {
    /// The API's base URL without a trailing slash, e.g. `https://api.twilio.com`.
    public let baseURL: String
    /// The account SID: the Basic user name and a path segment.
    public let accountSID: String
    /// The auth token: the Basic password.
    public let authToken: String
    /// The sender: an E.164 number, or an alphanumeric sender id of 1 to 11 ASCII letters,
    /// digits and spaces with at least one letter.
    public let from: String
    /// How long one request may take, connect to last byte read (default 10 s).
    public let timeout: Duration

    /// Checks and creates settings; throws ``MessagingError/invalidSettings(_:)`` when
    /// `baseURL` is not an http or https URL without a query, the SID is not ASCII letters,
    /// digits, `-` and `_`, the token is empty or not visible ASCII, `from` is neither E.164 nor an
    /// alphanumeric sender id, or `timeout` is not longer than zero.
    public init(baseURL: String, accountSID: String, authToken: String, from: String, timeout: Duration = .seconds(10)) throws(MessagingError) {
        self.baseURL = try ProviderSettingsCheck.baseURL(baseURL, of: "SMS API")
        self.accountSID = try ProviderSettingsCheck.identifier(accountSID, named: "SMS account SID")
        self.authToken = try ProviderSettingsCheck.secret(authToken, named: "SMS auth token")
        guard SMSMessage.isE164(from) || Self.isAlphanumericSenderID(from) else {
            throw .invalidSettings("the SMS sender must be an E.164 number or 1 to 11 ASCII letters, digits and spaces with a letter")
        }
        self.from = from
        self.timeout = try ProviderSettingsCheck.timeout(timeout, of: "SMS API")
    }

    /// The endpoint that sends a message.
    var messagesURL: String { "\(baseURL)/2010-04-01/Accounts/\(accountSID)/Messages.json" }

    private static let senderLetters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    private static let senderBytes = senderLetters.union("0123456789 ".utf8)

    private static func isAlphanumericSenderID(_ sender: String) -> Bool {
        (1...11).contains(sender.utf8.count) && sender.utf8.contains(where: senderLetters.contains) && sender.utf8.allSatisfy(senderBytes.contains)
    }
}
