@testable import Hub
import Synchronization
import Testing

@Suite("InFlightPublishes")
struct InFlightPublishesTests {
    @Test func aReserveOverTheLimitWaitsForARelease() async throws {
        let publishes = InFlightPublishes(limit: 2)
        await publishes.reserve()
        await publishes.reserve()
        let third = Task { await publishes.reserve() }
        let settled = Mutex(false)
        publishes.whenSettled { settled.withLock { $0 = true } }
        publishes.release()  // the place passes to the third
        await third.value
        publishes.release()
        #expect(!settled.withLock { $0 }, "one is still in flight")
        publishes.release()
        #expect(settled.withLock { $0 })
    }

    @Test func whenSettledRunsAtOnceWithNothingInFlight() {
        let publishes = InFlightPublishes(limit: 1)
        let ran = Mutex(false)
        publishes.whenSettled { ran.withLock { $0 = true } }
        #expect(ran.withLock { $0 })
    }
}
