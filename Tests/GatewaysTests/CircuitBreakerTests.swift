import Gateways
import Testing

@Suite("CircuitBreaker")
struct CircuitBreakerTests {
    let start = ContinuousClock.now

    func opened() -> CircuitBreaker {
        var breaker = CircuitBreaker(.init(failureThreshold: 3, openSeconds: 10))
        for _ in 0..<3 { breaker.recordFailure(now: start) }
        return breaker
    }

    @Test func opensAfterTheThresholdOfFailuresInARowOnly() {
        var breaker = CircuitBreaker(.init(failureThreshold: 3, openSeconds: 10))
        breaker.recordFailure(now: start)
        breaker.recordFailure(now: start)
        breaker.recordSuccess()
        breaker.recordFailure(now: start)
        breaker.recordFailure(now: start)
        #expect(breaker.admit(now: start) == nil, "a success in between starts the count again")
        breaker.recordFailure(now: start)
        #expect(breaker.admit(now: start + .seconds(4)) == .seconds(6))
    }

    @Test func letsOneProbeThroughWhenItsTimeIsUpAndASuccessfulProbeCloses() {
        var breaker = opened()
        #expect(breaker.admit(now: start + .seconds(10)) == nil, "the probe")
        #expect(breaker.admit(now: start + .seconds(11)) == .seconds(1), "others look again soon while the probe is out")
        breaker.recordSuccess()
        #expect(breaker.admit(now: start + .seconds(11)) == nil)
        #expect(breaker.state == .closed(failures: 0))
    }

    @Test func aFailedProbeOpensAgainAndAProbeThatNeverReportsIsReplaced() {
        var breaker = opened()
        _ = breaker.admit(now: start + .seconds(10))
        breaker.recordFailure(now: start + .seconds(12))
        #expect(breaker.admit(now: start + .seconds(13)) == .seconds(9))
        #expect(breaker.admit(now: start + .seconds(22)) == nil, "the next probe")
        #expect(breaker.admit(now: start + .seconds(32)) == nil, "the last probe never reported: another goes")
    }
}
