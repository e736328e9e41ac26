import Channels
import Gateways
import Synchronization

/// Per-subject token buckets for the REST side. Quiet subjects are forgotten, so the map
/// stays bounded by the number of recently active callers.
final class RESTRateLimiter: Sendable {
    private let limits: [String: RateLimit]
    private let buckets = Mutex<[String: TokenBucket]>([:])
    private static let pruneAbove = 10_000

    init(limits: [String: RateLimit]) {
        self.limits = limits
    }

    /// Spends a token for `principal`, or throws `rate_limited` with a retry delay.
    func check(_ principal: Principal) throws(HubError) {
        guard let limit = HubConfiguration.limit(for: principal.roles, in: limits) else { return }
        let now = ContinuousClock.now
        let wait = buckets.withLock { buckets -> Double? in
            if buckets.count > Self.pruneAbove {
                buckets = buckets.filter { _, bucket in
                    var bucket = bucket
                    return !bucket.isFull(now: now)
                }
            }
            var bucket = buckets[principal.subject] ?? TokenBucket(limit, now: now)
            defer { buckets[principal.subject] = bucket }
            return bucket.take(now: now)
        }
        if let wait { throw .rateLimited("too many requests", retryAfter: max(1, Int(wait.rounded(.up)))) }
    }
}
