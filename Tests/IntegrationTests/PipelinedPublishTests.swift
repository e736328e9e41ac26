import Foundation
import Gateways
import GRDB
@testable import Hub
import Testing

@Suite("Pipelined publishes")
struct PipelinedPublishTests {
    /// `count` publishes to `topic` with ids 1...count, sent without waiting for replies.
    private static func publishFrames(_ count: Int, to topic: String) -> [String] {
        (1...count).map { #"{"op":"publish","id":\#($0),"topic":"\#(topic)","name":"n","data":{"seq":\#($0)}}"# }
    }

    @Test(arguments: [1, 32])
    func publishesSentWithoutWaitingCommitInSendOrderAndAreEachAnswered(maxInFlight: Int) async throws {
        try await withHub({ $0.maxPublishesInFlight = maxInFlight }) { hub in
            let token = try await hub.token("svc", [.service])
            let subscriber = SocketClient(url: hub.webSocketURL, token: token)
            _ = try await subscriber.subscribe(1, "events:pipe")
            let publisher = SocketClient(url: hub.webSocketURL, token: token)
            for frame in Self.publishFrames(200, to: "events:pipe") { publisher.send(frame) }
            publisher.send(#"{"op":"ping","id":201}"#)

            var offsets: [Int64: Int64] = [:]
            while offsets.count < 200 {
                let reply = try await publisher.next { $0["type"] == .string("reply") && $0["id"] != .integer(201) }
                #expect(reply["ok"] == .bool(true), "\(reply)")
                offsets[try #require(reply["id"]?.int)] = try #require(reply["result"]?["offset"]?.int)
            }
            #expect(offsets.sorted { $0.key < $1.key }.map(\.value) == Array(1...200), "offsets follow send order")
            _ = try await publisher.next { $0["id"] == .integer(201) }
            let seqs = try await subscriber.events(200).map { $0["data"]?["seq"]?.int }
            #expect(seqs == (1...200).map { Int64($0) })
        }
    }

    @Test func repliesKeepTheOrderOfTheFramesWhileCommitsWait() async throws {
        try await withHub { hub in
            let client = SocketClient(url: hub.webSocketURL, token: try await hub.token("svc", [.service]))
            #expect(try await client.request(1, #"{"op":"ping","id":1}"#)["ok"] == .bool(true))
            // The publishes' commit waits while the frames after them arrive.
            let blocker = try Self.holdWriteLock(of: hub)
            client.send(#"{"op":"publish","id":2,"topic":"events:held","name":"n"}"#)
            client.send(#"{"op":"publish","id":3,"topic":"events:held","name":"n"}"#)
            client.send(#"{"op":"ping","id":4}"#)
            client.send(#"{"op":"publish","id":5,"topic":"nowhere:x","name":"n"}"#)
            client.send(#"{"op":"publish","id":6,"topic":"events:held","name":"n"}"#)
            try await blocker.inDatabase { try $0.execute(sql: "COMMIT") }
            var replies: [JSONValue] = []
            while replies.count < 5 { replies.append(try #require(try await client.next())) }
            #expect(replies.map { $0["id"]?.int } == [2, 3, 4, 5, 6])
            #expect(replies.map { $0["error"]?["code"]?.string ?? "ok" } == ["ok", "ok", "ok", "not_found", "ok"])
            #expect(replies.compactMap { $0["result"]?["offset"]?.int } == [1, 2, 3])
        }
    }

    @Test func aRateLimitCloseComesAfterTheRepliesOwedAndTheRefusals() async throws {
        try await withHub({
            $0.socketLimits["customer"] = RateLimit(perSecond: 0.01, burst: 2)
            $0.abuseThreshold = 1
        }) { hub in
            let client = SocketClient(url: hub.webSocketURL, token: try await hub.token("u1", [.customer], topics: ["room:r"]))
            let blocker = try Self.holdWriteLock(of: hub)
            for id in 1...4 { client.send(#"{"op":"publish","id":\#(id),"topic":"room:r","name":"n"}"#) }
            try await blocker.inDatabase { try $0.execute(sql: "COMMIT") }
            var frames: [JSONValue] = []
            while let frame = try await client.next() { frames.append(frame) }
            #expect(frames.map { $0["id"]?.int ?? $0["code"]?.int } == [1, 2, 3, 4, 4029])
            #expect(frames.map { $0["error"]?["code"]?.string ?? $0["type"]?.string } == [
                "reply", "reply", "rate_limited", "rate_limited", "disconnect",
            ])
            #expect(try await client.closeCode() == 4029)
        }
    }

    /// Another connection to the hub's file, holding its write lock until `COMMIT`, so the
    /// hub's commits wait (up to the store's 5 s busy timeout).
    private static func holdWriteLock(of hub: TestHub) throws -> DatabaseQueue {
        var holdsTransactions = Configuration()
        holdsTransactions.allowsUnsafeTransactions = true
        holdsTransactions.busyMode = .timeout(10)  // the hub may be writing at that moment
        let blocker = try DatabaseQueue(path: HubConfiguration.databasePath(dataDirectory: hub.dataDirectory), configuration: holdsTransactions)
        try blocker.inDatabase { try $0.execute(sql: "BEGIN IMMEDIATE") }
        return blocker
    }

    @Test func aRefusedPipelinedPublishIsAnsweredAndTheOthersCommit() async throws {
        try await withHub { hub in
            let publisher = SocketClient(url: hub.webSocketURL, token: try await hub.token("u1", [.customer], topics: ["room:a"]))
            publisher.send(#"{"op":"publish","id":1,"topic":"room:a","name":"n"}"#)
            publisher.send(#"{"op":"publish","id":2,"topic":"events:x","name":"n"}"#)
            publisher.send(#"{"op":"publish","id":3,"topic":"room:a","name":"n"}"#)
            var replies: [JSONValue] = []
            while replies.count < 3 { replies.append(try #require(try await publisher.next())) }
            #expect(replies.map { $0["id"]?.int } == [1, 2, 3], "in the order of the frames")
            #expect(replies.map { $0["error"]?["code"]?.string ?? "ok" } == ["ok", "forbidden", "ok"])
            #expect(replies[2]["result"]?["offset"] == .integer(2))
        }
    }

    @Test func aClientsCloseIsAnsweredOnlyAfterItsPipelinedPublishesAre() async throws {
        try await withHub({ $0.maxPublishesInFlight = 4 }) { hub in
            let publisher = SocketClient(url: hub.webSocketURL, token: try await hub.token("svc", [.service]))
            for frame in Self.publishFrames(100, to: "events:closing") { publisher.send(frame) }
            publisher.close()
            #expect(try await publisher.closeCode() == 1000)
            var answered = Set<Int64>()
            while let frame = try await publisher.next() {
                if frame["ok"] == .bool(true), let id = frame["id"]?.int { answered.insert(id) }
            }
            #expect(answered == Set(1...100))
        }
    }
}

