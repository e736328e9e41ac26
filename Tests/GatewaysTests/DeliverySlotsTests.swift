@testable import Gateways
import Store
import Testing

@Suite("DeliverySlots")
struct DeliverySlotsTests {
    /// A due message `sequence` of `endpoint`, due at `due`.
    func delivery(_ sequence: Int64, due: Int64 = 100, endpoint: String = "ep_1") -> WebhookDelivery {
        WebhookDelivery(
            message: WebhookMessageRecord(
                id: "msg_\(sequence)", endpointID: endpoint, eventType: "order.paid", body: "{}", createdMilliseconds: due,
                status: .pending, attempts: 0, nextAttemptMilliseconds: due, lastError: nil),
            position: WebhookDuePosition(dueMilliseconds: due, sequence: sequence),
            endpoint: WebhookEndpointRecord(
                id: endpoint, url: "https://example.com/hook", events: ["*"], topics: [], description: nil, enabled: true,
                sealedSecret: [1], createdMilliseconds: 0, updatedMilliseconds: 0))
    }

    /// Slots of `perEndpoint` per endpoint after a tick's read of `count` messages (sequences 1...count) of ep_1.
    func slotsWithStarted(_ count: Int64, perEndpoint: Int = 4, overall: Int = 100) throws -> (DeliverySlots, [WebhookDelivery]) {
        var slots = DeliverySlots(maxConcurrent: overall, maxPerEndpoint: perEndpoint)
        let ask = try #require(slots.ask("ep_1", isTick: true))
        let started = slots.start((1...count).map { delivery($0) }, of: "ep_1", asked: ask)
        return (slots, started)
    }

    @Test func aReadStartsAtMostTheEndpointsRoomAndTheOverallRoom() throws {
        var slots = DeliverySlots(maxConcurrent: 6, maxPerEndpoint: 4)
        let ask = try #require(slots.ask("ep_1", isTick: true))
        #expect(ask == .init(room: 4, after: nil, excluding: []))
        #expect(slots.start((1...4).map { delivery($0) }, of: "ep_1", asked: ask).count == 4)
        #expect(slots.ask("ep_1", isTick: true) == nil, "its 4 slots are taken")
        #expect(slots.ask("ep_2", isTick: true)?.room == 2, "2 of the 6 overall are left")
    }

    @Test func betweenTicksABusyEndpointIsAskedOnlyOnceHalfItsSlotsAreFree() throws {
        var (slots, started) = try slotsWithStarted(4)
        #expect(slots.answered(started[0].position, of: "ep_1") == false, "3 of 4 still busy")
        #expect(slots.ask("ep_1", isTick: false) == nil)
        #expect(slots.ask("ep_1", isTick: true)?.room == 1, "a tick asks however busy")
        #expect(slots.answered(started[1].position, of: "ep_1") == true, "half free: worth a read")
        #expect(slots.ask("ep_1", isTick: false)?.room == 2)
    }

    @Test func aReadAfterTheCursorExcludesOnlyTheBusyMessagesPastIt() throws {
        var (slots, started) = try slotsWithStarted(4)
        _ = slots.answered(started[0].position, of: "ep_1")
        _ = slots.answered(started[1].position, of: "ep_1")

        // The cursor is at the 4th message: every busy one is at or before it
        #expect(slots.ask("ep_1", isTick: false) == .init(room: 2, after: started[3].position, excluding: []))

        // After a tick the read starts over and leaves out all four: two in flight, two being recorded
        slots.tick()
        #expect(slots.ask("ep_1", isTick: true) == .init(room: 2, after: nil, excluding: [1, 2, 3, 4]))
    }

    @Test func aBusyMessageReadAgainAtANewPositionIsNotStartedTwice() throws {
        // Given messages 1 and 4 in flight, 2 and 3 answered, and the cursor at 4
        var (slots, _) = try slotsWithStarted(4)
        _ = slots.answered(delivery(2).position, of: "ep_1")
        _ = slots.answered(delivery(3).position, of: "ep_1")
        let ask = try #require(slots.ask("ep_1", isTick: false))
        #expect(ask.excluding.isEmpty)

        // When a replay moved message 1 past the cursor and the read returns it with another
        let started = slots.start([delivery(1, due: 500), delivery(5, due: 500)], of: "ep_1", asked: ask)

        // Then only the other starts
        #expect(started.map(\.position.sequence) == [5])
        #expect(slots.inFlightCount == 3)
    }

    @Test func aMessageIsBusyUntilItsOutcomeIsRecorded() throws {
        var (slots, started) = try slotsWithStarted(1)
        _ = slots.answered(started[0].position, of: "ep_1")
        #expect(slots.isBusy(1, of: "ep_1"), "answered, not yet recorded")
        #expect(slots.inFlightCount == 0, "its slot is free")
        slots.recorded(started[0].position, of: "ep_1")
        #expect(!slots.isBusy(1, of: "ep_1"))
        slots.tick()
        #expect(slots.ask("ep_1", isTick: true) == .init(room: 4, after: nil, excluding: []))
    }

    @Test func aShortReadDrainsTheEndpointUntilTheNextTick() throws {
        var (slots, started) = try slotsWithStarted(2)
        for delivery in started { _ = slots.answered(delivery.position, of: "ep_1") }
        #expect(slots.ask("ep_1", isTick: false) == nil, "2 returned of 4 asked: nothing more due")
        slots.tick()
        #expect(slots.ask("ep_1", isTick: true) != nil)
    }
}
