/// Why an SMS or push message was not sent, with a stable snake_case code and whether
/// trying again later may succeed. The message never carries Swift or library error text;
/// it may quote the provider's HTTP status and its short error code (e.g. Twilio `21211`,
/// FCM `UNREGISTERED`), never the provider's free-text explanation.
public struct MessagingError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case invalidSettings = "messaging_invalid_settings"
        case invalidRecipient = "messaging_invalid_recipient"
        case invalidMessage = "messaging_invalid_message"
        case deferred = "messaging_deferred"
        case rejected = "messaging_rejected"
        case timeout = "messaging_timeout"
        case connectionFailed = "messaging_connection_failed"
        case cancelled = "messaging_cancelled"
    }

    private let _code: Code
    /// What happened, for logs and attempt records.
    public let message: String
    /// The HTTP status that caused the error, when there was one.
    public let status: Int?

    private init(_ code: Code, _ message: String, status: Int? = nil) {
        self._code = code
        self.message = message
        self.status = status
    }

    /// The stable code, e.g. `messaging_deferred`.
    public var code: String { _code.rawValue }
    /// `code: message`, for logs.
    public var description: String { "\(code): \(message)" }

    /// Whether the same send may succeed later: HTTP 429 and 5xx, timeouts, failed
    /// connections and cancellation. Bad settings, bad input, a recipient the provider does
    /// not know and every other refusal fail the same way every time.
    public var isTransient: Bool {
        switch _code {
        case .deferred, .timeout, .connectionFailed, .cancelled: true
        case .invalidSettings, .invalidRecipient, .invalidMessage, .rejected: false
        }
    }

    /// Whether the fault lies with the provider rather than the message or its recipient:
    /// unusable settings, or an API refusing the credentials (401, 403, e.g. an expired
    /// access token). Another provider may well take the same message.
    public var isProviderFault: Bool {
        switch _code {
        case .invalidSettings: true
        case .rejected: status == 401 || status == 403
        default: false
        }
    }

    /// Settings that cannot be used: a base URL that is not http or https, an empty
    /// credential, a malformed sender.
    public static func invalidSettings(_ message: String) -> MessagingError { MessagingError(.invalidSettings, message) }
    /// A recipient that cannot get the message: a phone number that is not E.164 or that
    /// the provider calls invalid or unreachable, a push token that is malformed or no longer
    /// registered. Refused before sending when `status` is nil; do not retry.
    public static func invalidRecipient(_ message: String, status: Int? = nil) -> MessagingError {
        MessagingError(.invalidRecipient, message, status: status)
    }
    /// A message that must not be sent as it is (blank or too long text, a reserved data
    /// key); refused before any request.
    public static func invalidMessage(_ message: String) -> MessagingError { MessagingError(.invalidMessage, message) }
    /// A temporary refusal (HTTP 429 or 5xx): try again later.
    public static func deferred(_ message: String, status: Int) -> MessagingError { MessagingError(.deferred, message, status: status) }
    /// A permanent refusal (any other answer that is not a success, or a success without a
    /// message id): do not retry.
    public static func rejected(_ message: String, status: Int) -> MessagingError { MessagingError(.rejected, message, status: status) }
    /// The provider did not answer within the settings' timeout.
    public static func timeout(_ message: String) -> MessagingError { MessagingError(.timeout, message) }
    /// The provider could not be reached or broke the connection before answering.
    public static func connectionFailed(_ message: String) -> MessagingError { MessagingError(.connectionFailed, message) }
    /// The sending task was cancelled.
    public static let cancelled = MessagingError(.cancelled, "the send was cancelled")

    /// The error for a request to `api` that got no answer.
    static func noAnswer(_ failure: ProviderAnswer.Failure, from api: String, within timeout: Duration) -> MessagingError {
        switch failure {
        case .timeout: .timeout("\(api) did not answer within \(timeout)")
        case .connectionFailed: .connectionFailed("\(api) cannot be reached")
        case .cancelled: .cancelled
        }
    }
}
