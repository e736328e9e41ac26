@testable import Hub
import Synchronization
import Testing

@Suite("InFlightPublishes")
struct InFlightPublishesTests {
    @Test func aReserveOverTheLimitWaitsAndAReleaseHandsItThePlace() async throws {
        let publishes = InFlightPublishes(limit: 2)
        await publishes.reserve()
        await publishes.reserve()
        let third = Task { await publishes.reserve() }
        let deadline = ContinuousClock.now + .seconds(10)
        while !publishes.hasWaiter {
            try #require(ContinuousClock.now < deadline, "the third reserve did not wait")
            await Task.yield()
        }
        let settled = Mutex(false)
        publishes.whenSettled { settled.withLock { $0 = true } }
        publishes.release()  // the place passes to the third
        await third.value
        #expect(!publishes.hasWaiter)
        publishes.release()
        #expect(!settled.withLock { $0 }, "one is still in flight")
        publishes.release()
        #expect(settled.withLock { $0 })
    }

    @Test func settledReturnsOnceTheLastPublishIsAnswered() async {
        let publishes = InFlightPublishes(limit: 4)
        await publishes.settled()  // nothing in flight: at once
        await publishes.reserve()
        await publishes.reserve()
        let waiting = Task { await publishes.settled() }
        publishes.release()
        publishes.release()
        await waiting.value
    }

    @Test func whenSettledRunsAtOnceWithNothingInFlight() {
        let publishes = InFlightPublishes(limit: 1)
        let ran = Mutex(false)
        publishes.whenSettled { ran.withLock { $0 = true } }
        #expect(ran.withLock { $0 })
    }
}
