import Foundation
@testable import Hub
import Testing

@Suite("Topics over WebSocket")
struct TopicStreamingTests {
    @Test func deliversEveryEventInOffsetOrderToManySubscribers() async throws {
        try await withHub { hub in
            let token = try await hub.token("svc", [.service])
            let subscribers = (0..<20).map { _ in SocketClient(url: hub.webSocketURL, token: token) }
            for (index, subscriber) in subscribers.enumerated() {
                _ = try await subscriber.subscribe(index, "events:orders")
            }
            // Given five publishers racing on one topic
            let publishers = (0..<5).map { _ in SocketClient(url: hub.webSocketURL, token: token) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (p, publisher) in publishers.enumerated() {
                    group.addTask {
                        for n in 0..<40 {
                            let reply = try await publisher.publish(n, "events:orders", data: "{\"p\":\(p),\"n\":\(n)}")
                            #expect(reply["ok"] == .bool(true))
                        }
                    }
                }
                try await group.waitForAll()
            }
            // Then every subscriber sees offsets 1...200, in order, without gaps
            for subscriber in subscribers {
                let offsets = try await subscriber.events(200).compactMap { $0["offset"]?.int }
                #expect(offsets == Array(1...200))
            }
        }
    }

    /// Frames are framed once by the hub (``OutboundFrame``): each length encoding of RFC 6455
    /// must reach a real client intact, live and in a reply.
    @Test func messagesOfEveryFrameLengthEncodingArriveIntact() async throws {
        try await withHub { hub in
            let token = try await hub.token("svc", [.service])
            let subscriber = SocketClient(url: hub.webSocketURL, token: token)
            _ = try await subscriber.subscribe(1, "events:sizes")
            let publisher = SocketClient(url: hub.webSocketURL, token: token)
            // Events of 126 to 65535 bytes on the wire, replies under 126 (the publishes'), and
            // one over 65535 (the history reply).
            let sizes = [1, 300, 3000] + Array(repeating: 3000, count: 27)
            for (n, size) in sizes.enumerated() {
                let reply = try await publisher.publish(n, "events:sizes", data: "\"" + String(repeating: "x", count: size) + "\"")
                #expect(reply["ok"] == .bool(true))
            }
            let live = try await subscriber.events(sizes.count).map { $0["data"]?.string?.count }
            #expect(live == sizes)
            let history = try await subscriber.request(2, #"{"op":"history","id":2,"topic":"events:sizes","limit":30}"#)
            let events = history["result"]?["events"]?.array ?? []
            #expect(events.map { $0["data"]?.string?.count } == sizes)
        }
    }

    @Test func recoversMissedEventsAfterReconnectWithNoGapOrDuplicate() async throws {
        try await withHub { hub in
            let token = try await hub.token("svc", [.service])
            let publisher = SocketClient(url: hub.webSocketURL, token: token)
            let first = SocketClient(url: hub.webSocketURL, token: token)
            _ = try await first.subscribe(1, "room:r1")
            for n in 1...5 { _ = try await publisher.publish(n, "room:r1") }
            let seen = try await first.events(5)
            let epoch = try #require(seen.last?["epoch"]?.string)
            first.close()

            for n in 6...12 { _ = try await publisher.publish(n, "room:r1") }
            // Publishing continues while the client resubscribes: the seam must hold.
            let background = Task {
                for n in 13...40 { _ = try await publisher.publish(n, "room:r1") }
            }
            let again = SocketClient(url: hub.webSocketURL, token: token)
            let result = try await again.subscribe(2, "room:r1", since: (5, epoch))
            try await background.value
            #expect(result["recovered"] == .bool(true))
            let recovered = result["events"]?.array?.compactMap { $0["offset"]?.int } ?? []
            let last = try #require(result["offset"]?.int)
            let live = try await again.events(Int(40 - last)).compactMap { $0["offset"]?.int }
            #expect(recovered + live == Array(6...40))
        }
    }

    @Test func recoversAcrossARestartOfTheHub() async throws {
        let data = TestHub.temporaryDirectory()
        let first = try await TestHub.start(dataDirectory: data)
        let token = try await first.token("svc", [.service])
        let publisher = SocketClient(url: first.webSocketURL, token: token)
        var epoch = ""
        for n in 1...6 { epoch = try #require(try await publisher.publish(n, "room:T-1")["result"]?["epoch"]?.string) }
        try await first.stop()

        let second = try await TestHub.start(dataDirectory: data)
        let client = SocketClient(url: second.webSocketURL, token: token)
        let result = try await client.subscribe(1, "room:T-1", since: (2, epoch))
        #expect(result["recovered"] == .bool(true))
        #expect(result["events"]?.array?.compactMap { $0["offset"]?.int } == [3, 4, 5, 6])
        #expect(try await client.publish(2, "room:T-1")["result"]?["offset"] == .integer(7))
        try await second.stop()
    }

    @Test func aWrongEpochIsNotRecovered() async throws {
        try await withHub { hub in
            let token = try await hub.token("svc", [.service])
            let client = SocketClient(url: hub.webSocketURL, token: token)
            for n in 1...3 { _ = try await client.publish(n, "room:e1") }
            let result = try await client.subscribe(9, "room:e1", since: (1, "not-the-epoch"))
            #expect(result["recovered"] == .bool(false))
            #expect(result["events"]?.array == [])
            #expect(result["offset"] == .integer(3))
        }
    }

    @Test func aPositionBeyondHistoryIsNotRecovered() async throws {
        try await withHub({ $0.namespaces["events"] = .init(
            subscribe: .init(roles: [.service]), publish: .init(roles: [.service]), historySize: 5) }) { hub in
            let token = try await hub.token("svc", [.service])
            let client = SocketClient(url: hub.webSocketURL, token: token)
            var epoch = ""
            for n in 1...20 { epoch = try #require(try await client.publish(n, "events:short")["result"]?["epoch"]?.string) }
            let result = try await client.subscribe(30, "events:short", since: (2, epoch))
            #expect(result["recovered"] == .bool(false))
            let history = try await client.request(31, #"{"op":"history","id":31,"topic":"events:short","limit":100}"#)
            #expect(history["result"]?["events"]?.array?.compactMap { $0["offset"]?.int } == Array(16...20))
        }
    }

    @Test func aRepeatedIdempotencyKeyReturnsTheFirstResult() async throws {
        try await withHub { hub in
            let token = try await hub.token("svc", [.service])
            let client = SocketClient(url: hub.webSocketURL, token: token)
            let first = try await client.publish(1, "events:pay", key: "order-7")
            let second = try await client.publish(2, "events:pay", key: "order-7")
            #expect(first["result"] == second["result"])
            let history = try await client.request(3, #"{"op":"history","id":3,"topic":"events:pay"}"#)
            #expect(history["result"]?["events"]?.array?.count == 1)
        }
    }

    @Test func presenceAnnouncesJoinsAndLeaves() async throws {
        try await withHub { hub in
            let alice = SocketClient(url: hub.webSocketURL, token: try await hub.token("alice", [.agent]))
            _ = try await alice.subscribe(1, "room:p1")
            let bob = SocketClient(url: hub.webSocketURL, token: try await hub.token("bob", [.agent]))
            _ = try await bob.subscribe(1, "room:p1")
            let join = try await alice.next { $0["type"] == .string("presence") && $0["user"] == .string("bob") }
            #expect(join["action"] == .string("join"))
            let list = try await alice.request(2, #"{"op":"presence","id":2,"topic":"room:p1"}"#)
            #expect(Set(list["result"]?["clients"]?.array?.compactMap { $0["user"]?.string } ?? []) == ["alice", "bob"])
            bob.close()
            let leave = try await alice.next { $0["type"] == .string("presence") && $0["action"] == .string("leave") }
            #expect(leave["user"] == .string("bob"))
        }
    }

    @Test func unsubscribeStopsDelivery() async throws {
        try await withHub { hub in
            let token = try await hub.token("svc", [.service])
            let client = SocketClient(url: hub.webSocketURL, token: token)
            _ = try await client.subscribe(1, "events:u")
            #expect(try await client.request(2, #"{"op":"unsubscribe","id":2,"topic":"events:u"}"#)["ok"] == .bool(true))
            client.send(#"{"op":"publish","id":3,"topic":"events:u","name":"x","data":{}}"#)
            // Fan-out runs before the publish is acknowledged, so an event would come first.
            let frame = try #require(try await client.next())
            #expect(frame["type"] == .string("reply"))
            #expect(frame["id"] == .integer(3))
        }
    }

    @Test func shutdownTellsClientsToReconnectAndClosesWith1001() async throws {
        let hub = try await TestHub.start()
        let client = SocketClient(url: hub.webSocketURL, token: try await hub.token("svc", [.service]))
        _ = try await client.subscribe(1, "events:bye")
        let stopping = Task { try await hub.stop() }
        let frame = try await client.next { $0["type"] == .string("disconnect") }
        #expect(frame["code"] == .integer(1001))
        #expect(frame["reconnect"] == .bool(true))
        #expect(try await client.closeCode() == 1001)
        try await stopping.value
    }
}
