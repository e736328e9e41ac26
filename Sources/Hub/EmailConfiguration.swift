import Actors
import Gateways

/// Where notification e-mail goes (the `email` object of the config file, or
/// `SWITCHBOARD_SMTP_URL`, `SWITCHBOARD_EMAIL_FROM`, `SWITCHBOARD_SMTP_CA_FILE`,
/// `SWITCHBOARD_EMAIL_HTTP_URL` and `SWITCHBOARD_EMAIL_HTTP_API_KEY`). SMTP is tried
/// first, then the HTTP provider. With neither, e-mail deliveries are skipped as
/// `channel_unavailable`.
public struct EmailConfiguration: Sendable, Codable {
    /// `smtp://[user:pass@]host:port[?starttls=require]` or `smtps://...`; empty for none.
    public var smtpURL: String = ""
    /// A PEM file of trust roots for the SMTP server's certificate; empty for the system's.
    public var smtpCAFile: String = ""
    /// The sender, e.g. `Switchboard <noreply@example.com>`; required with a provider.
    public var from: String = ""
    /// The base URL of a SendGrid-style HTTP provider, tried after SMTP; empty for none.
    public var httpURL: String = ""
    /// The HTTP provider's API key.
    public var httpAPIKey: String = ""
    /// Each provider's rate limit and circuit breaker (`rateLimit`, `breaker`).
    public var tuning = ProviderTuning()

    /// No e-mail.
    public init() {}

    private enum CodingKeys: String, CodingKey {
        case smtpURL, smtpCAFile, from, httpURL, httpAPIKey
    }

    /// Decodes the object; keys left out keep their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        smtpURL = try container.decodeIfPresent(String.self, forKey: .smtpURL) ?? ""
        smtpCAFile = try container.decodeIfPresent(String.self, forKey: .smtpCAFile) ?? ""
        from = try container.decodeIfPresent(String.self, forKey: .from) ?? ""
        httpURL = try container.decodeIfPresent(String.self, forKey: .httpURL) ?? ""
        httpAPIKey = try container.decodeIfPresent(String.self, forKey: .httpAPIKey) ?? ""
        tuning = try ProviderTuning(from: decoder)
    }

    /// The e-mail channel, or nil when no provider is configured; `unsubscribeLink` gives
    /// each message a one-click unsubscribe link. Throws for bad settings (an unparsable URL
    /// or sender), so a misconfigured hub does not start.
    func makeChannel(
        unsubscribeLink: (@Sendable (_ recipient: String, _ category: String) -> String)?
    ) throws(EmailError) -> NotificationChannel? {
        var providers: [ChannelProvider] = []
        let sender = try MailAddress(parsing: from.isEmpty ? "noreply@localhost" : from)
        func add(_ name: String, _ provider: any EmailProvider) {
            providers.append(tuning.provider(name, EmailSender(from: sender, provider: provider, unsubscribeLink: unsubscribeLink)))
        }
        if !smtpURL.isEmpty {
            var settings = try SMTPSettings(url: smtpURL, from: sender)
            if !smtpCAFile.isEmpty { settings.trustRootsPath = smtpCAFile }
            add("smtp", try SMTPClient(settings: settings))
        }
        if !httpURL.isEmpty {
            add("http", HTTPEmailProvider(settings: try HTTPEmailSettings(baseURL: httpURL, apiKey: httpAPIKey, from: sender)))
        }
        guard !providers.isEmpty else { return nil }
        guard !from.isEmpty else { throw .invalidSettings("e-mail needs a sender: set email.from or SWITCHBOARD_EMAIL_FROM") }
        return NotificationChannel(kind: .email, providers: providers)
    }
}
