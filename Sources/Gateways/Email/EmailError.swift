/// Why an e-mail was not sent, with a stable snake_case code and whether trying again
/// later may succeed. The message never carries Swift or library error text; it may quote
/// the reply of the operator's own mail server or provider (its code and first line).
public struct EmailError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case invalidSettings = "email_invalid_settings"
        case invalidMessage = "email_invalid_message"
        case messageTooLarge = "email_message_too_large"
        case deferred = "email_deferred"
        case rejected = "email_rejected"
        case timeout = "email_timeout"
        case connectionFailed = "email_connection_failed"
        case tlsUnavailable = "email_tls_unavailable"
        case tlsFailed = "email_tls_failed"
        case authenticationFailed = "email_authentication_failed"
        case protocolError = "email_protocol_error"
        case cancelled = "email_cancelled"
    }

    private let _code: Code
    /// What happened, for logs and attempt records.
    public let message: String
    /// The SMTP reply code or HTTP status that caused the error, when there was one.
    public let status: Int?

    private init(_ code: Code, _ message: String, status: Int? = nil) {
        self._code = code
        self.message = message
        self.status = status
    }

    /// The stable code, e.g. `email_deferred`.
    public var code: String { _code.rawValue }
    /// `code: message`, for logs.
    public var description: String { "\(code): \(message)" }

    /// Whether the same send may succeed later: 4xx replies, HTTP 429 and 5xx, timeouts,
    /// broken connections, protocol surprises and cancellation. Everything else (5xx
    /// replies, bad input, bad settings, TLS trouble) fails the same way every time.
    public var isTransient: Bool {
        switch _code {
        case .deferred, .timeout, .connectionFailed, .protocolError, .cancelled: true
        case .invalidSettings, .invalidMessage, .messageTooLarge, .rejected, .tlsUnavailable, .tlsFailed, .authenticationFailed: false
        }
    }

    /// Whether the fault lies with the provider rather than the message or its recipient:
    /// refused credentials, TLS that cannot be set up, unusable settings, an HTTP API
    /// answering 401 or 403. Another provider may well take the same message, so a channel
    /// fails over (and counts it against the provider) instead of giving up.
    public var isProviderFault: Bool {
        switch _code {
        case .authenticationFailed, .tlsUnavailable, .tlsFailed, .invalidSettings: true
        case .rejected: status == 401 || status == 403
        default: false
        }
    }

    /// Whether an SMTP session is in a known state after this error, so its connection may
    /// be reused: after a refusal, or a message refused before anything was sent; never
    /// after a timeout, a broken connection or a protocol surprise.
    var leavesSessionUsable: Bool {
        switch _code {
        case .deferred, .rejected, .messageTooLarge, .invalidMessage: true
        default: false
        }
    }

    /// Settings that cannot be used: a malformed URL, an unknown option, an unreadable
    /// trust-roots file.
    public static func invalidSettings(_ message: String) -> EmailError { EmailError(.invalidSettings, message) }
    /// A message that must not be sent as it is: a line break in a header value, a
    /// malformed address, no recipients.
    public static func invalidMessage(_ message: String) -> EmailError { EmailError(.invalidMessage, message) }
    /// The message is larger than the server's advertised `SIZE`; refused before sending.
    public static func messageTooLarge(size: Int, limit: Int) -> EmailError {
        EmailError(.messageTooLarge, "the message has \(size) bytes, the server accepts at most \(limit)")
    }
    /// A temporary refusal (SMTP 4xx, HTTP 429 or 5xx): try again later.
    public static func deferred(_ message: String, status: Int) -> EmailError { EmailError(.deferred, message, status: status) }
    /// A permanent refusal (SMTP 5xx, HTTP 4xx other than 429): do not retry.
    public static func rejected(_ message: String, status: Int) -> EmailError { EmailError(.rejected, message, status: status) }
    /// A connect, command or request did not finish in time.
    public static func timeout(_ message: String) -> EmailError { EmailError(.timeout, message) }
    /// The server could not be reached or closed the connection.
    public static func connectionFailed(_ message: String) -> EmailError { EmailError(.connectionFailed, message) }
    /// TLS was required (`starttls=require`, or credentials to send) but the server does
    /// not offer it.
    public static func tlsUnavailable(_ message: String) -> EmailError { EmailError(.tlsUnavailable, message) }
    /// The TLS handshake failed, e.g. the server's certificate is not trusted.
    public static func tlsFailed(_ message: String) -> EmailError { EmailError(.tlsFailed, message) }
    /// The server refused the credentials, or offers no mechanism this client speaks.
    public static func authenticationFailed(_ message: String, status: Int? = nil) -> EmailError {
        EmailError(.authenticationFailed, message, status: status)
    }
    /// The server answered something the protocol does not allow at that point.
    public static func protocolError(_ message: String) -> EmailError { EmailError(.protocolError, message) }
    /// The sending task was cancelled.
    public static let cancelled = EmailError(.cancelled, "the send was cancelled")
}
