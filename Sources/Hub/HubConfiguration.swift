import Channels
import Gateways
import Store

/// Everything the hub can be told, with the defaults it runs with when told nothing.
///
/// Loaded from a JSON file (`--config`) and `SWITCHBOARD_*` environment variables, in
/// that order, then from command-line flags; see `docs/operations.md`.
public struct HubConfiguration: Sendable, Codable {
    /// The URL recipients reach the hub at, for links in e-mail (one-click unsubscribe),
    /// e.g. `https://hub.example.com`; empty (the default) means `http://{host}:{port}`.
    public var publicURL: String = ""
    /// Address to listen on (default `127.0.0.1`).
    public var host: String = "127.0.0.1"
    /// Port to listen on; 0 takes a free one (default 8080).
    public var port: Int = 8080
    /// Directory of the SQLite file and the signing secret (default `./data`).
    public var dataDirectory: String = "./data"
    /// How commits reach the disk (default `full`).
    public var durability: SQLiteStore.Durability = .full
    /// The largest client frame or REST body, in bytes (default 64 KiB).
    public var maxMessageBytes: Int = 64 * 1024
    /// Bytes a connection may have queued for sending before it is closed as slow (4008)
    /// (default 1 MiB).
    public var outboundQueueBytes: Int = 1 << 20
    /// Subscriptions one connection may hold (default 256).
    public var maxSubscriptionsPerConnection: Int = 256
    /// Connections one subject may hold at once (default 64).
    public var maxConnectionsPerUser: Int = 64
    /// Publishes one connection may have waiting for their commit at once: a client may send
    /// publishes without waiting for their replies, up to this many (default 32).
    public var maxPublishesInFlight: Int = 32
    /// Whether permessage-deflate is offered (default true).
    public var compression: Bool = true
    /// The most events one subscribe may recover (default 10,000).
    public var maxRecoveredEvents: Int = 10_000
    /// Inbound limits for WebSocket publishes and commands, per connection, by role.
    public var socketLimits: [String: RateLimit] = RateLimit.socketDefaults
    /// REST request limits, per token subject or API key, by role.
    public var restLimits: [String: RateLimit] = RateLimit.restDefaults
    /// Refusals of one cause (each cause decaying by one per second; at least 1) after which a
    /// connection is closed: rate-limit rejections 4029, malformed frames 4000, `forbidden`
    /// 4003 (default 50).
    public var abuseThreshold: Int = 50
    /// Namespace policies; these replace or add to ``NamespacePolicy/defaults``.
    public var namespaces: [String: NamespacePolicy] = [:]
    /// Seconds to wait for clients to close during shutdown (default 5).
    public var shutdownGraceSeconds: Int = 5
    /// Seconds between the server's pings to a WebSocket client; one silent (no frame at all)
    /// since the previous ping is closed with 1001 (default 30, from 1 to 86,400). Keep it
    /// under the idle timeout of any proxy in front of the hub.
    public var pingIntervalSeconds: Int = 30
    /// Seconds a WebSocket client has to answer the hub's close frame before the socket is
    /// closed under it (default 5, from 1 to 86,400).
    public var closeTimeoutSeconds: Int = 5
    /// Webhook delivery settings.
    public var webhooks = WebhookConfiguration()
    /// Where notification e-mail goes.
    public var email = EmailConfiguration()
    /// SMS providers (none by default).
    public var sms = ChannelProviders<SMSProviderSettings>()
    /// Push providers (none by default).
    public var push = ChannelProviders<PushProviderSettings>()
    /// The most live entity actors of each kind (default 10,000); the least recently used
    /// idle ones are snapshotted and dropped beyond it.
    public var maxLiveActors: Int = 10_000
    /// Seconds after which an unused entity actor is passivated (default 300).
    public var actorIdleSeconds: Int = 300
    /// An entity snapshot is taken every this many events (default 100) and on passivation.
    public var snapshotEvery: Int = 100
    /// The share of an SLA target after which `ticket.sla_warning` is recorded (default 0.8).
    public var slaWarningFraction: Double = 0.8
    /// The support queues each agent works, by subject, for tokens without a `queues`
    /// claim (a claim wins); an agent in neither works every queue.
    public var agentQueues: [String: [String]] = [:]
    /// The optional AI assistant that drafts replies for agents (off unless `url` is set).
    public var assistant = AssistantSettings()

    /// The defaults.
    public init() {}

    /// The built-in namespaces overlaid with the configured ones.
    public var effectiveNamespaces: [String: NamespacePolicy] {
        NamespacePolicy.defaults.merging(namespaces) { _, configured in configured }
    }

    /// The SQLite file inside the data directory.
    public var databasePath: String { Self.databasePath(dataDirectory: dataDirectory) }

    /// ``publicURL``, or the listening address when it is not set.
    var effectivePublicURL: String { publicURL.isEmpty ? "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" : publicURL }

    /// The SQLite file inside `dataDirectory`.
    static func databasePath(dataDirectory: String) -> String { dataDirectory + "/switchboard.sqlite" }
}

/// How webhooks are delivered (the `webhooks` object of the config file).
public struct WebhookConfiguration: Sendable, Codable {
    /// Delays between attempts, e.g. `0s,5s,5m` (default: the Standard Webhooks schedule).
    public var retrySchedule: String = "0s,5s,5m,30m,2h,5h,10h,14h,20h,24h"
    /// CIDR ranges a webhook URL may reach although they are internal, e.g. `127.0.0.1/32`
    /// (default none).
    public var allow: String = ""
    /// Connect and request timeout of an attempt, in seconds (default 15).
    public var timeoutSeconds: Int = 15
    /// How long a rotated-out secret keeps signing, in seconds (default 24 h).
    public var secretOverlapSeconds: Int = 24 * 3600
    /// An endpoint failing every attempt for this many seconds is disabled (default 5 days).
    public var disableAfterSeconds: Int = 5 * 24 * 3600
    /// Attempts in flight at once, overall (default 512: eight endpoints at their limit).
    public var maxConcurrentDeliveries: Int = 512
    /// Attempts in flight at once to one endpoint (default 64).
    public var maxConcurrentPerEndpoint: Int = 64
    /// The AES-256 key (base64 of 32 bytes) sealing webhook secrets at rest; by default a
    /// key generated in the data directory (`webhook.key`, mode 0600).
    public var secretKey: String?

    /// The defaults.
    public init() {}

    /// Decodes a partial object: absent keys keep their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = WebhookConfiguration()
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try container.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        retrySchedule = try value(.retrySchedule, defaults.retrySchedule)
        allow = try value(.allow, defaults.allow)
        timeoutSeconds = try value(.timeoutSeconds, defaults.timeoutSeconds)
        secretOverlapSeconds = try value(.secretOverlapSeconds, defaults.secretOverlapSeconds)
        disableAfterSeconds = try value(.disableAfterSeconds, defaults.disableAfterSeconds)
        maxConcurrentDeliveries = try value(.maxConcurrentDeliveries, defaults.maxConcurrentDeliveries)
        maxConcurrentPerEndpoint = try value(.maxConcurrentPerEndpoint, defaults.maxConcurrentPerEndpoint)
        secretKey = try container.decodeIfPresent(String.self, forKey: .secretKey)
    }

    /// The delivery settings, validated.
    func settings() throws(HubError) -> WebhookSettings {
        do {
            return WebhookSettings(
                retrySchedule: try RetrySchedule(parsing: retrySchedule),
                addressPolicy: AddressPolicy(allowed: try AddressPolicy.parseAllowList(allow)),
                timeout: .seconds(max(1, timeoutSeconds)), secretOverlap: .seconds(max(0, secretOverlapSeconds)),
                disableAfter: .seconds(max(1, disableAfterSeconds)),
                maxConcurrentDeliveries: max(1, maxConcurrentDeliveries), maxConcurrentPerEndpoint: max(1, maxConcurrentPerEndpoint))
        } catch {
            throw .badRequest("webhook configuration: \(error.message)")
        }
    }

    /// The box sealing secrets: the configured key, or the data directory's.
    func secretBox(dataDirectory: String) throws(HubError) -> SecretBox {
        do {
            if let secretKey { return try SecretBox(base64Key: secretKey) }
            return try SecretBox.loadOrCreate(path: dataDirectory + "/webhook.key")
        } catch {
            throw .unavailable("webhook secret key: \(error.message)")
        }
    }
}

extension RateLimit {
    /// Per-connection publish and command limits; `service` and `admin` are unlimited.
    public static let socketDefaults: [String: RateLimit] = [
        "customer": RateLimit(perSecond: 10, burst: 20),
        "agent": RateLimit(perSecond: 50, burst: 100),
        "supervisor": RateLimit(perSecond: 50, burst: 100),
    ]

    /// Per-subject REST limits; `service` and `admin` are unlimited.
    public static let restDefaults: [String: RateLimit] = [
        "customer": RateLimit(perSecond: 20, burst: 40),
        "agent": RateLimit(perSecond: 100, burst: 200),
        "supervisor": RateLimit(perSecond: 100, burst: 200),
    ]
}

extension HubConfiguration {
    /// The limit for a principal: the most generous of its roles', or nil when any of its
    /// roles is unlimited (absent from the table).
    static func limit(for roles: Set<Role>, in table: [String: RateLimit]) -> RateLimit? {
        var best: RateLimit?
        for role in roles {
            guard let limit = table[role.rawValue] else { return nil }
            if best == nil || limit.perSecond > best!.perSecond { best = limit }
        }
        return best
    }
}
