@testable import Actors
import Store
import Testing

@Suite("DeliveryTracker")
struct DeliveryTrackerTests {
    func rows(_ ids: Int64...) -> [DeliveryRecord] {
        ids.map { DeliveryRecord(id: $0, notificationID: "n", recipient: "u", channel: "email", status: "queued", dueMilliseconds: 0, updatedMilliseconds: 0) }
    }

    @Test func aDeliveryInFlightIsNotClaimedTwiceAndTheLimitHolds() {
        let tracker = DeliveryTracker()
        let now = ContinuousClock.now
        #expect(tracker.claim(rows(1, 2, 3), of: .email, readStart: now, limit: 2).map(\.id) == [1, 2])
        #expect(tracker.claim(rows(1, 2, 3), of: .email, readStart: now, limit: 3).map(\.id) == [3])
        #expect(tracker.busy(.email) == 3)
        #expect(tracker.claim(rows(1), of: .sms, readStart: now, limit: 3).map(\.id) == [1], "channels count apart")
    }

    @Test func aDeliverySettledWhileAReadRanIsNotTakenFromThatRead() {
        let tracker = DeliveryTracker()
        let readStart = ContinuousClock.now
        _ = tracker.claim(rows(7), of: .email, readStart: readStart, limit: 10)
        // The send's outcome is stored and it is released while the next read is under way
        tracker.release(rows(7), of: .email, settled: true)
        #expect(tracker.claim(rows(7), of: .email, readStart: readStart, limit: 10).isEmpty, "that read may predate the outcome")
        #expect(tracker.claim(rows(7), of: .email, readStart: .now, limit: 10).map(\.id) == [7], "a later read sees the stored state")
    }

    @Test func aDeliveryLeftAsItWasMayBeTakenAgainAtOnce() {
        let tracker = DeliveryTracker()
        let readStart = ContinuousClock.now
        _ = tracker.claim(rows(7), of: .email, readStart: readStart, limit: 10)
        tracker.release(rows(7), of: .email, settled: false)
        #expect(tracker.claim(rows(7), of: .email, readStart: readStart, limit: 10).map(\.id) == [7])
    }
}
