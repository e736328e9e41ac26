import Actors
import Gateways

/// Where notification e-mail goes (the `email` object of the config file, or
/// `SWITCHBOARD_SMTP_URL`, `SWITCHBOARD_EMAIL_FROM`, `SWITCHBOARD_SMTP_CA_FILE`,
/// `SWITCHBOARD_EMAIL_HTTP_URL` and `SWITCHBOARD_EMAIL_HTTP_API_KEY`). With neither an
/// SMTP URL nor an HTTP provider, e-mail deliveries are skipped as `channel_unavailable`.
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
    }

    /// The e-mail channel's sender, or nil when no provider is configured. Throws for bad
    /// settings (an unparsable URL or sender), so a misconfigured hub does not start.
    func makeSender() throws(EmailError) -> EmailSender? {
        var providers: [(name: String, provider: any EmailProvider)] = []
        let sender = try MailAddress(parsing: from.isEmpty ? "noreply@localhost" : from)
        if !smtpURL.isEmpty {
            var settings = try SMTPSettings(url: smtpURL, from: sender)
            if !smtpCAFile.isEmpty { settings.trustRootsPath = smtpCAFile }
            providers.append(("smtp", try SMTPClient(settings: settings)))
        }
        if !httpURL.isEmpty {
            providers.append(("http", HTTPEmailProvider(settings: try HTTPEmailSettings(baseURL: httpURL, apiKey: httpAPIKey, from: sender))))
        }
        guard !providers.isEmpty else { return nil }
        guard !from.isEmpty else { throw .invalidSettings("e-mail needs a sender: set email.from or SWITCHBOARD_EMAIL_FROM") }
        return EmailSender(from: sender, providers: providers)
    }
}
