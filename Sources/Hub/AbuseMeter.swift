import Gateways

/// Counts rate-limit rejections, forgiving one per second; past `threshold` the client is
/// abusing the limit and is disconnected (4029).
struct AbuseMeter: Sendable {
    let threshold: Int
    private var strikes: TokenBucket

    init(threshold: Int, now: ContinuousClock.Instant) {
        self.threshold = threshold
        // A bucket of `threshold` strikes that refills one per second: running dry is abuse.
        self.strikes = TokenBucket(RateLimit(perSecond: 1, burst: Double(threshold)), now: now)
    }

    /// Records a rejection; true when the client should now be disconnected.
    mutating func recordRejection(now: ContinuousClock.Instant) -> Bool {
        strikes.take(now: now) != nil
    }
}
