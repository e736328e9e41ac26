import Gateways

/// Counts a connection's refusals by cause, forgiving one of each cause per second: a client
/// that keeps being refused for the same cause past `threshold` is abusing the hub and is
/// disconnected with the close code that names the cause.
struct AbuseMeter: Sendable {
    /// What a client keeps doing wrong, and how the hub closes it for that.
    enum Cause: Sendable, CaseIterable {
        /// Requests over the rate limit or a cap (`rate_limited`): 4029, reconnect after a pause.
        case rateLimited
        /// Malformed requests (`bad_request`): 4000, a client that does not speak the protocol.
        case badRequests
        /// Refused requests (`forbidden`): 4003, a client probing what it may not reach.
        case forbidden

        /// The cause a refusal with `error` counts toward, if any.
        init?(_ error: HubError) {
            switch error.code {
            case "rate_limited": self = .rateLimited
            case "bad_request": self = .badRequests
            case "forbidden": self = .forbidden
            default: return nil
            }
        }

        /// The close code, its reason, and whether reconnecting can help.
        var disconnect: (code: UInt16, reason: String, reconnect: Bool) {
            switch self {
            case .rateLimited: (4029, "rate limit exceeded", true)
            case .badRequests: (4000, "too many malformed requests", false)
            case .forbidden: (4003, "too many forbidden requests", false)
            }
        }
    }

    let threshold: Int
    private var strikes: [Cause: TokenBucket]

    init(threshold: Int, now: ContinuousClock.Instant) {
        self.threshold = threshold
        // Per cause, a bucket of `threshold` strikes that refills one per second: running dry is abuse.
        let bucket = TokenBucket(RateLimit(perSecond: 1, burst: Double(threshold)), now: now)
        self.strikes = Dictionary(uniqueKeysWithValues: Cause.allCases.map { ($0, bucket) })
    }

    /// Records a refusal for `cause`; true when the client should now be disconnected.
    mutating func record(_ cause: Cause, now: ContinuousClock.Instant) -> Bool {
        strikes[cause]!.take(now: now) != nil
    }
}
