import Gateways
import Testing

@Suite("TokenBucket")
struct TokenBucketTests {
    @Test func allowsABurstThenRefillsAtTheRate() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(RateLimit(perSecond: 2, burst: 3), now: start)
        let burst = (0..<3).map { _ in bucket.take(now: start) }
        #expect(burst == [nil, nil, nil])
        let wait = bucket.take(now: start)
        #expect(wait != nil && abs(wait! - 0.5) < 0.001)
        let later = (0..<2).map { _ in bucket.take(now: start + .milliseconds(500)) }
        #expect(later[0] == nil && later[1] != nil)
    }

    @Test func reservationsQueueAtTheRateAndOneTooFarOffTakesNothing() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(RateLimit(perSecond: 10, burst: 1), now: start)
        let waits = (0..<3).map { _ in bucket.reserve(now: start, maxWait: .milliseconds(250)) }
        #expect(waits == [.granted(after: .zero), .granted(after: .milliseconds(100)), .granted(after: .milliseconds(200))])
        #expect(bucket.reserve(now: start, maxWait: .milliseconds(250)) == .refused(retryAfter: .milliseconds(300)))
        // The refusal took nothing: 300 ms on, the fourth reservation is the next in line.
        #expect(bucket.reserve(now: start + .milliseconds(300), maxWait: .zero) == .granted(after: .zero))
    }
}
