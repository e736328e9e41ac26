import Foundation

/// When a webhook delivery is attempted: a delay before each attempt, the first normally
/// zero. The number of delays is the number of attempts, so the schedule also bounds
/// how long a message is retried.
public struct RetrySchedule: Sendable, Equatable {
    /// Delay before each attempt: delays[0] before the first (normally 0), delays[n] after
    /// the n-th failure.
    public var delays: [Duration]

    /// A schedule of `delays.count` attempts.
    ///
    /// - Precondition: `delays` is not empty.
    public init(delays: [Duration]) {
        precondition(!delays.isEmpty, "a retry schedule needs at least one attempt")
        self.delays = delays
    }

    /// Standard Webhooks: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h,
    /// 24 h — ten attempts over about three days.
    public static let standard = RetrySchedule(delays: [
        .zero, .seconds(5), .seconds(5 * 60), .seconds(30 * 60), .seconds(2 * 3600),
        .seconds(5 * 3600), .seconds(10 * 3600), .seconds(14 * 3600), .seconds(20 * 3600), .seconds(24 * 3600),
    ])

    /// Parses a comma-separated list of whole amounts with a unit (`ms`, `s`, `m`, `h`,
    /// `d`), such as "0s, 1s, 2s, 5s"; whitespace around entries is ignored. Throws
    /// `.invalidSchedule` for an empty list or any bad entry.
    public init(parsing text: String) throws(GatewayError) {
        var delays: [Duration] = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let delay = Self.parseDelay(entry.trimmingCharacters(in: .whitespaces)) else {
                throw .invalidSchedule("bad retry delay \"\(entry.trimmingCharacters(in: .whitespaces))\"; write e.g. 0s,5s,5m,2h,1d")
            }
            delays.append(delay)
        }
        self.init(delays: delays)
    }

    /// The number of attempts in all, the first included.
    public var attempts: Int { delays.count }

    /// The delay before the next attempt once `failedAttempts` attempts have failed (0
    /// gives the delay before the first), with up to ±10% random jitter so retries of many
    /// messages spread out; a zero delay stays zero. Nil when no attempt is left.
    ///
    /// - Precondition: `failedAttempts` is not negative.
    public func delay(afterFailedAttempts failedAttempts: Int) -> Duration? {
        precondition(failedAttempts >= 0, "a count of failed attempts cannot be negative")
        guard failedAttempts < delays.count else { return nil }
        let delay = delays[failedAttempts]
        return delay == .zero ? .zero : delay * Double.random(in: 0.9...1.1)
    }

    /// One entry such as "250ms" or "5m"; nil when malformed or too large.
    private static func parseDelay(_ entry: String) -> Duration? {
        let digits = entry.prefix { ("0"..."9").contains($0) }
        guard !digits.isEmpty, let amount = Int64(digits) else { return nil }
        let seconds: Int64
        switch entry.dropFirst(digits.count) {
        case "ms": return .milliseconds(amount)
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3600
        case "d": seconds = 86400
        default: return nil
        }
        let (total, overflow) = amount.multipliedReportingOverflow(by: seconds)
        return overflow ? nil : .seconds(total)
    }
}
