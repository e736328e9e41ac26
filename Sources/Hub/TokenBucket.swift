/// A token bucket: `burst` tokens at most, refilled at `perSecond`. Pure: the caller
/// passes the time, so it is tested without clocks.
struct TokenBucket: Sendable {
    let limit: RateLimit
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    init(_ limit: RateLimit, now: ContinuousClock.Instant) {
        self.limit = limit
        self.tokens = limit.burst
        self.updated = now
    }

    /// Takes a token if one is there. Returns nil on success, else the seconds until one is.
    mutating func take(now: ContinuousClock.Instant) -> Double? {
        refill(now: now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return (1 - tokens) / limit.perSecond
    }

    /// Whether the bucket is full, i.e. its owner has been quiet for a while.
    mutating func isFull(now: ContinuousClock.Instant) -> Bool {
        refill(now: now)
        return tokens >= limit.burst
    }

    private mutating func refill(now: ContinuousClock.Instant) {
        let elapsed = now - updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        tokens = min(limit.burst, tokens + seconds * limit.perSecond)
        updated = now
    }
}

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
