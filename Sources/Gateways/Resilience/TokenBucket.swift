/// A token bucket: `burst` tokens at most, refilled at `perSecond`. Pure: the caller
/// passes the time, so it is tested without clocks.
public struct TokenBucket: Sendable {
    /// The bucket's shape.
    public let limit: RateLimit
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    /// A full bucket.
    public init(_ limit: RateLimit, now: ContinuousClock.Instant) {
        self.limit = limit
        self.tokens = limit.burst
        self.updated = now
    }

    /// Takes a token if one is there. Returns nil on success, else the seconds until one is.
    public mutating func take(now: ContinuousClock.Instant) -> Double? {
        refill(now: now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return (1 - tokens) / limit.perSecond
    }

    /// What a reservation came to.
    public enum Reservation: Sendable, Equatable {
        /// A token is yours; use it after this wait (zero when one was there).
        case granted(after: Duration)
        /// None frees up in time and nothing was taken; one will in this long.
        case refused(retryAfter: Duration)
    }

    /// Reserves a token that may still have to be waited for, at most `maxWait`.
    /// Reservations queue in the order they are made, so a steady stream is paced at the rate.
    public mutating func reserve(now: ContinuousClock.Instant, maxWait: Duration) -> Reservation {
        refill(now: now)
        if tokens >= 1 {
            tokens -= 1
            return .granted(after: .zero)
        }
        // Never more than an hour, and finite even for a rate of zero.
        let seconds = min((1 - tokens) / limit.perSecond, 3600)
        let wait = Duration.milliseconds(Int64(((seconds.isNaN || seconds < 0 ? 3600 : seconds) * 1000).rounded(.up)))
        guard wait <= maxWait else { return .refused(retryAfter: wait) }
        tokens -= 1
        return .granted(after: wait)
    }

    /// Whether the bucket is full, i.e. its owner has been quiet for a while.
    public mutating func isFull(now: ContinuousClock.Instant) -> Bool {
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
