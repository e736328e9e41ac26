import Foundation

/// Where the HTTP e-mail provider lives: a SendGrid-style API at `baseURL` (requests go to
/// `{baseURL}/v3/mail/send`), its API key, and the request timeout.
public struct HTTPEmailSettings: Sendable, Equatable {
    /// The API's base URL, e.g. `https://api.sendgrid.com`; http or https.
    public var baseURL: String
    /// The bearer token sent as `Authorization: Bearer {apiKey}`.
    public var apiKey: String
    /// The default sender for messages the hub composes (`SWITCHBOARD_EMAIL_FROM`).
    public var from: MailAddress?
    /// How long one request may take, connect to last byte (default 10 s).
    public var timeout: Duration = .seconds(10)

    /// Checks and creates settings: `baseURL` must be an http(s) URL with a host, and the
    /// key must not be empty.
    public init(baseURL: String, apiKey: String, from: MailAddress? = nil) throws(EmailError) {
        guard let url = URL(string: baseURL), ["http", "https"].contains(url.scheme?.lowercased()), url.host != nil, url.query == nil else {
            throw .invalidSettings("the e-mail API URL must be an http or https URL without a query")
        }
        guard !apiKey.isEmpty, !apiKey.contains(where: \.isNewline) else { throw .invalidSettings("the e-mail API key must not be empty") }
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.from = from
    }

    /// Settings from `SWITCHBOARD_EMAIL_HTTP_URL`, `SWITCHBOARD_EMAIL_HTTP_API_KEY` and
    /// `SWITCHBOARD_EMAIL_FROM`; nil when no URL is set.
    public init?(environment: [String: String]) throws(EmailError) {
        guard let url = environment["SWITCHBOARD_EMAIL_HTTP_URL"], !url.isEmpty else { return nil }
        let from = try environment["SWITCHBOARD_EMAIL_FROM"].map { (text) throws(EmailError) in try MailAddress(parsing: text) }
        try self.init(baseURL: url, apiKey: environment["SWITCHBOARD_EMAIL_HTTP_API_KEY"] ?? "", from: from)
    }

    /// The send endpoint.
    var sendURL: String { baseURL + "/v3/mail/send" }
}
