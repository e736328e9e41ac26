import Gateways

/// Counts a connection's refusals by cause, forgiving one of each cause per second: a client
/// that keeps being refused for the same cause past `threshold` is abusing the hub and is
/// disconnected with the close code that names the cause.
struct AbuseMeter: Sendable {
    /// What a client keeps doing wrong, and how the hub closes it for that.
    enum Cause: Sendable, CaseIterable {
        /// Requests over the connection's rate limit: 4029, reconnect after a pause. Counted
        /// by the throttle, not from the reply (the subscription cap answers `rate_limited`
        /// too, and a client over it must not be closed).
        case rateLimited
        /// Malformed requests (`bad_request` for a frame that is not valid protocol, not for
        /// data an actor finds invalid): 4000, a client that does not speak the protocol.
        case malformed
        /// Refused requests (`forbidden`): 4003, a client probing what it may not reach.
        case forbidden

        /// The cause a refusal with `error` counts toward, if any: malformed (HTTP status
        /// 400, not 422) or forbidden.
        init?(refusal error: HubError) {
            switch (error.code, error.status) {
            case ("bad_request", .badRequest): self = .malformed
            case ("forbidden", _): self = .forbidden
            default: return nil
            }
        }

        /// The close code, its reason, and whether reconnecting can help.
        var disconnect: (code: UInt16, reason: String, reconnect: Bool) {
            switch self {
            case .rateLimited: (4029, "rate limit exceeded", true)
            case .malformed: (4000, "too many malformed requests", false)
            case .forbidden: (4003, "too many forbidden requests", false)
            }
        }
    }

    let threshold: Int
    private var strikes: [Cause: TokenBucket]

    /// A meter that declares abuse past `threshold` refusals of one cause (at least 1).
    init(threshold: Int, now: ContinuousClock.Instant) {
        self.threshold = max(1, threshold)
        // Per cause, a bucket of `threshold` strikes that refills one per second: running dry is abuse.
        let bucket = TokenBucket(RateLimit(perSecond: 1, burst: Double(self.threshold)), now: now)
        self.strikes = Dictionary(uniqueKeysWithValues: Cause.allCases.map { ($0, bucket) })
    }

    /// Records a refusal for `cause`; true when the client should now be disconnected.
    mutating func record(_ cause: Cause, now: ContinuousClock.Instant) -> Bool {
        strikes[cause]!.take(now: now) != nil
    }
}
