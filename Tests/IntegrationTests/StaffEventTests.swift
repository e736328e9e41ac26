import Foundation
@testable import Hub
import Testing

/// Staff-only events (internal notes) reach agents and services, never a customer:
/// not live, not when recovering, not in history over WebSocket or REST.
@Suite("Staff-only events")
struct StaffEventTests {
    @Test func staffOnlyEventsNeverReachACustomer() async throws {
        try await withHub { hub in
            let agentToken = try await hub.token("agent-1", [.agent])
            let customerToken = try await hub.token("cust-1", [.customer], topics: ["room:T-9"])
            let agent = SocketClient(url: hub.webSocketURL, token: agentToken)
            let customer = SocketClient(url: hub.webSocketURL, token: customerToken)
            _ = try await agent.subscribe(1, "room:T-9")
            _ = try await customer.subscribe(1, "room:T-9")

            // Given a public reply, an internal note, then another public reply
            _ = try await agent.publish(2, "room:T-9", name: "comment.created", data: #"{"body":"hello"}"#)
            let note = try await agent.request(3, #"{"op":"publish","id":3,"topic":"room:T-9","name":"comment.created","data":{"body":"secret"},"audience":"staff"}"#)
            #expect(note["ok"] == .bool(true))
            _ = try await agent.publish(4, "room:T-9", name: "comment.created", data: #"{"body":"bye"}"#)

            // Then the agent gets all three live, the customer only the public two
            let agentEvents = try await agent.events(3)
            #expect(agentEvents.compactMap { $0["data"]?["body"]?.string } == ["hello", "secret", "bye"])
            let customerEvents = try await customer.events(2)
            #expect(customerEvents.compactMap { $0["data"]?["body"]?.string } == ["hello", "bye"])
            #expect(customerEvents.map { $0["offset"]?.int } == [1, 3])
            let epoch = try #require(agentEvents.first?["epoch"]?.string)

            // And history and recovery leave the note out for the customer
            let history = try await customer.request(5, #"{"op":"history","id":5,"topic":"room:T-9","limit":10}"#)
            #expect(history["result"]?["events"]?.array?.count == 2)
            let late = SocketClient(url: hub.webSocketURL, token: customerToken)
            let recovered = try await late.request(
                1, #"{"op":"subscribe","id":1,"topic":"room:T-9","since":{"offset":0,"epoch":"\#(epoch)"}}"#)
            #expect(recovered["result"]?["recovered"] == .bool(true))
            #expect(recovered["result"]?["events"]?.array?.compactMap { $0["data"]?["body"]?.string } == ["hello", "bye"])
            let rest = try await http(.GET, hub.baseURL + "/api/v1/topics/room:T-9/events?since=0", token: customerToken)
            #expect(rest.json?["events"]?.array?.count == 2)
            let staffRest = try await http(.GET, hub.baseURL + "/api/v1/topics/room:T-9/events?since=0", token: agentToken)
            #expect(staffRest.json?["events"]?.array?.count == 3)
        }
    }

    @Test func onlyStaffPublishStaffOnlyEvents() async throws {
        try await withHub { hub in
            let customerToken = try await hub.token("cust-1", [.customer], topics: ["room:c1"])
            let customer = SocketClient(url: hub.webSocketURL, token: customerToken)
            let refused = try await customer.request(1, #"{"op":"publish","id":1,"topic":"room:c1","name":"m","audience":"staff"}"#)
            #expect(refused["error"]?["code"] == .string("forbidden"))
            let bad = try await customer.request(2, #"{"op":"publish","id":2,"topic":"room:c1","name":"m","audience":"all"}"#)
            #expect(bad["error"]?["code"] == .string("bad_request"))
            let rest = try await http(
                .POST, hub.baseURL + "/api/v1/topics/room:c1/events", token: customerToken,
                body: #"{"name":"m","audience":"staff"}"#)
            #expect(rest.status == 403)
        }
    }
}
