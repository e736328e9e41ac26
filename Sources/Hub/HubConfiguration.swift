import Channels
import Store

/// Everything the hub can be told, with the defaults it runs with when told nothing.
///
/// Loaded from a JSON file (`--config`) and `SWITCHBOARD_*` environment variables, in
/// that order, then from command-line flags; see `docs/operations.md`.
public struct HubConfiguration: Sendable, Codable {
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
    /// Whether permessage-deflate is offered (default true).
    public var compression: Bool = true
    /// The most events one subscribe may recover (default 10,000).
    public var maxRecoveredEvents: Int = 10_000
    /// Inbound limits for WebSocket publishes and commands, per connection, by role.
    public var socketLimits: [String: RateLimit] = RateLimit.socketDefaults
    /// REST request limits, per token subject or API key, by role.
    public var restLimits: [String: RateLimit] = RateLimit.restDefaults
    /// Rejections (decaying by one per second) after which a connection is closed with 4029
    /// (default 50).
    public var abuseThreshold: Int = 50
    /// Namespace policies; these replace or add to ``NamespacePolicy/defaults``.
    public var namespaces: [String: NamespacePolicy] = [:]
    /// Seconds to wait for clients to close during shutdown (default 5).
    public var shutdownGraceSeconds: Int = 5

    /// The defaults.
    public init() {}

    /// The built-in namespaces overlaid with the configured ones.
    public var effectiveNamespaces: [String: NamespacePolicy] {
        NamespacePolicy.defaults.merging(namespaces) { _, configured in configured }
    }

    /// The SQLite file inside the data directory.
    public var databasePath: String { Self.databasePath(dataDirectory: dataDirectory) }

    /// The SQLite file inside `dataDirectory`.
    static func databasePath(dataDirectory: String) -> String { dataDirectory + "/switchboard.sqlite" }
}

/// A token bucket's shape: a steady rate and a burst allowance.
public struct RateLimit: Sendable, Codable, Equatable {
    /// Tokens added per second.
    public var perSecond: Double
    /// The most tokens held, i.e. the largest burst.
    public var burst: Double

    /// Creates a limit.
    public init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = burst
    }

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
