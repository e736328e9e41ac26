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

    /// Whether a bucket of this shape ever hands out a token: a finite rate above zero and a
    /// burst of at least one.
    public var isUsable: Bool { perSecond.isFinite && perSecond > 0 && burst.isFinite && burst >= 1 }
}
