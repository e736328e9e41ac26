import Foundation

/// Where and how the SMTP client sends: parsed from a `SWITCHBOARD_SMTP_URL`-style URL,
/// plus the sender, timeouts, pool size and trust roots.
///
/// URL forms: `smtp://[user:pass@]host[:port]` (STARTTLS when offered; default port 587),
/// `smtp://...?starttls=require` (fail unless the server offers STARTTLS),
/// `smtps://[user:pass@]host[:port]` (TLS from the first byte; default port 465). User
/// and password are percent-decoded, so `%40` is an `@`.
public struct SMTPSettings: Sendable, Equatable {
    /// How the connection is secured.
    public enum Security: String, Sendable, Equatable {
        /// STARTTLS when the server offers it, plaintext otherwise (the default).
        case opportunisticStartTLS = "opportunistic"
        /// STARTTLS, or the send fails with `email_tls_unavailable`.
        case requireStartTLS = "require"
        /// TLS from the first byte (`smtps://`, usually port 465).
        case implicitTLS = "implicit"
    }

    /// The server's host name or IP address.
    public var host: String
    /// The server's port.
    public var port: Int
    /// How the connection is secured.
    public var security: Security
    /// The user for AUTH; nil sends no AUTH.
    public var username: String?
    /// The password for AUTH.
    public var password: String?
    /// The default sender for messages the hub composes (`SWITCHBOARD_EMAIL_FROM`).
    public var from: MailAddress?
    /// How long connecting (TCP and TLS) may take (default 10 s).
    public var connectTimeout: Duration = .seconds(10)
    /// How long the server may take to answer one command, and to answer the end of
    /// `DATA` (default 60 s).
    public var commandTimeout: Duration = .seconds(60)
    /// The most connections open to the server at once (default 4).
    public var maxConnections: Int = 4
    /// How long an unused connection is kept for the next message (default 30 s).
    public var idleTimeout: Duration = .seconds(30)
    /// A PEM file of CA certificates to trust instead of the system's, for a private relay
    /// (and the tests' self-signed certificate); nil trusts the system roots.
    public var trustRootsPath: String?
    /// The name this client gives in EHLO/HELO (default `localhost`).
    public var heloName: String = "localhost"
    /// Allows AUTH without TLS, but only to a loopback address: for tests. Off by default,
    /// so credentials never cross a network in the clear.
    public var allowPlaintextAuthOnLoopback = false

    /// Parses `url` (see the type's documentation) with the defaults for everything else.
    public init(url: String, from: MailAddress? = nil) throws(EmailError) {
        // URLComponents quietly re-escapes a stray `%`, so bad escapes are caught here.
        guard url.range(of: "%(?![0-9A-Fa-f]{2})", options: .regularExpression) == nil else {
            throw .invalidSettings("the SMTP URL has a bad %-escape")
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw .invalidSettings("the SMTP URL does not parse")
        }
        guard scheme == "smtp" || scheme == "smtps" else { throw .invalidSettings("the SMTP URL must start with smtp:// or smtps://") }
        guard let host = components.host, !host.isEmpty else { throw .invalidSettings("the SMTP URL has no host") }
        guard components.path.isEmpty || components.path == "/" else { throw .invalidSettings("the SMTP URL must not have a path") }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = components.port ?? (scheme == "smtps" ? 465 : 587)
        guard (1...65535).contains(port) else { throw .invalidSettings("the SMTP URL's port must be 1 to 65535") }
        self.security = scheme == "smtps" ? .implicitTLS : .opportunisticStartTLS
        for item in components.queryItems ?? [] {
            guard item.name == "starttls" else { throw .invalidSettings("unknown SMTP URL option '\(item.name)'; only starttls is known") }
            guard scheme == "smtp", let value = item.value, let mode = Security(rawValue: value), mode != .implicitTLS else {
                throw .invalidSettings("starttls must be require or opportunistic, on smtp:// only")
            }
            self.security = mode
        }
        self.username = try components.percentEncodedUser.map(Self.percentDecoded)
        self.password = try components.percentEncodedPassword.map(Self.percentDecoded)
        guard (username == nil) == (password == nil) else { throw .invalidSettings("the SMTP URL needs both a user and a password, or neither") }
        self.from = from
    }

    /// Settings from `SWITCHBOARD_SMTP_URL`, `SWITCHBOARD_EMAIL_FROM` and
    /// `SWITCHBOARD_SMTP_CA_FILE`; nil when no SMTP URL is set.
    public init?(environment: [String: String]) throws(EmailError) {
        guard let url = environment["SWITCHBOARD_SMTP_URL"], !url.isEmpty else { return nil }
        let from = try environment["SWITCHBOARD_EMAIL_FROM"].map { (text) throws(EmailError) in try MailAddress(parsing: text) }
        try self.init(url: url, from: from)
        trustRootsPath = environment["SWITCHBOARD_SMTP_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether `host` is a loopback address (or `localhost`).
    var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.") && host.split(separator: ".").count == 4
    }

    /// Refuses settings that cannot work: a pool below 1, timeouts not above zero.
    public func validate() throws(EmailError) {
        guard maxConnections >= 1 else { throw .invalidSettings("the SMTP pool needs at least one connection") }
        guard connectTimeout > .zero, commandTimeout > .zero, idleTimeout > .zero else {
            throw .invalidSettings("SMTP timeouts must be above zero")
        }
    }

    private static func percentDecoded(_ text: String) throws(EmailError) -> String {
        guard let decoded = text.removingPercentEncoding else { throw .invalidSettings("the SMTP URL's user or password has a bad %-escape") }
        return decoded
    }
}

extension SMTPSettings: CustomStringConvertible {
    /// The settings as a URL with the password masked, for logs.
    public var description: String {
        let scheme = security == .implicitTLS ? "smtps" : "smtp"
        let user = username.map { "\($0):***@" } ?? ""
        let option = security == .requireStartTLS ? "?starttls=require" : ""
        return "\(scheme)://\(user)\(host):\(port)\(option)"
    }
}
