/// A circuit breaker for one provider: after `failureThreshold` transient failures in a
/// row it opens and refuses attempts for `openDuration`; then one probe is let through
/// (half-open): a success closes it, a failure opens it again. Pure: the caller passes the
/// time, so it is tested without clocks.
///
/// Why: a provider that is down answers slowly or not at all; without a breaker every
/// message would wait out its timeout before failing over to the next provider.
public struct CircuitBreaker: Sendable {
    /// When a breaker opens and for how long.
    public struct Policy: Sendable, Codable, Equatable {
        /// Transient failures in a row that open the breaker (default 5).
        public var failureThreshold: Int
        /// How long it stays open before a probe, in seconds (default 30).
        public var openSeconds: Double

        /// Creates a policy; the threshold is at least 1, the open time 0 to 86,400 s.
        public init(failureThreshold: Int = 5, openSeconds: Double = 30) {
            self.failureThreshold = max(1, failureThreshold)
            self.openSeconds = openSeconds.isFinite ? min(max(0, openSeconds), 86_400) : 30
        }

        private enum CodingKeys: String, CodingKey { case failureThreshold, openSeconds }

        /// Decodes a policy; keys left out keep their defaults.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                failureThreshold: try container.decodeIfPresent(Int.self, forKey: .failureThreshold) ?? 5,
                openSeconds: try container.decodeIfPresent(Double.self, forKey: .openSeconds) ?? 30)
        }
    }

    /// Where the breaker stands.
    public enum State: Sendable, Equatable {
        /// Attempts go through; `failures` transient failures in a row so far.
        case closed(failures: Int)
        /// Attempts are refused until `until`.
        case open(until: ContinuousClock.Instant)
        /// One probe is out since `since`; others are refused until it ends (or, should it
        /// never report, until `openSeconds` have passed).
        case halfOpen(since: ContinuousClock.Instant)
    }

    /// The breaker's policy.
    public let policy: Policy
    /// Where it stands now.
    public private(set) var state: State = .closed(failures: 0)

    /// A closed breaker.
    public init(_ policy: Policy) {
        self.policy = policy
    }

    /// How long until an attempt may start, without changing anything: nil when one may go
    /// now. While a probe is out the others are told to look again in a second, so a
    /// backlog follows quickly once the probe succeeds.
    public func retryAfter(now: ContinuousClock.Instant) -> Duration? {
        switch state {
        case .closed: nil
        case .open(let until): now >= until ? nil : until - now
        case .halfOpen(let since): now - since >= openDuration ? nil : min(.seconds(1), since + openDuration - now)
        }
    }

    /// Starts an attempt if one may start now (see ``retryAfter(now:)``): an open breaker
    /// whose time is up lets this one through as its probe, as does a half-open one whose
    /// probe never reported. Nil when allowed, else how long until one may go.
    public mutating func admit(now: ContinuousClock.Instant) -> Duration? {
        if let wait = retryAfter(now: now) { return wait }
        if case .closed = state { return nil }
        state = .halfOpen(since: now)
        return nil
    }

    /// Records an attempt that worked, or failed for good reasons of its own (a rejected
    /// address says nothing about the provider's health): the breaker closes.
    public mutating func recordSuccess() {
        state = .closed(failures: 0)
    }

    /// Records a transient failure: a probe's failure, or the threshold's, opens it.
    public mutating func recordFailure(now: ContinuousClock.Instant) {
        switch state {
        case .closed(let failures) where failures + 1 < policy.failureThreshold:
            state = .closed(failures: failures + 1)
        case .closed, .halfOpen, .open:
            state = .open(until: now + openDuration)
        }
    }

    private var openDuration: Duration { .milliseconds(Int64(policy.openSeconds * 1000)) }
}
