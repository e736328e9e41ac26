import Foundation
@testable import Hub
import Testing

@Suite("Bad input over WebSocket")
struct BadInputTests {
    static let cases: [(frame: String, id: Int64?)] = [
        ("not json", nil),
        ("[1,2,3]", nil),
        (#"{"id":1}"#, 1),
        (#"{"id":2,"op":"fly"}"#, 2),
        (#"{"id":3,"op":"subscribe"}"#, 3),
        (#"{"id":4,"op":"subscribe","topic":42}"#, 4),
        (#"{"id":5,"op":"subscribe","topic":"no-colon"}"#, 5),
        (#"{"id":6,"op":"subscribe","topic":"chat:bad topic"}"#, 6),
        (#"{"id":7,"op":"publish","topic":"events:x","data":{}}"#, 7),
        (#"{"id":8,"op":"publish","topic":"events:x","name":""}"#, 8),
        (#"{"id":9,"op":"history","topic":"events:x","limit":0}"#, 9),
        (#"{"id":10,"op":"subscribe","topic":"events:x","since":{"offset":"1"}}"#, 10),
        (#"{"id":11,"op":"subscribe","topic":"events:x","since":5}"#, 11),
        (#"{"id":{"nested":true},"op":"ping"}"#, nil),
        (#"{"op":"ping","id":12,"#, nil),
        (#"{"op":"subscribe","topic":"events:x","since":{"offset":1,"epoch":"e"}}"#, nil),
        (#"{"id":13,"op":"command","target":"","name":"x"}"#, 13),
    ]

    @Test func everyMalformedFrameGetsBadRequestAndTheConnectionLivesOn() async throws {
        try await withHub { hub in
            let client = SocketClient(url: hub.webSocketURL, token: try await hub.token("svc", [.service]))
            for (frame, id) in Self.cases {
                client.send(frame)
                let reply = try #require(try await client.next())
                if let id {
                    #expect(reply["type"] == .string("reply"), "\(frame)")
                    #expect(reply["id"] == .integer(id), "\(frame)")
                    #expect(reply["ok"] == .bool(false), "\(frame)")
                } else {
                    #expect(reply["type"] == .string("error"), "\(frame)")
                }
                #expect(reply["error"]?["code"] == .string("bad_request"), "\(frame)")
            }
            #expect(try await client.request(99, #"{"op":"ping","id":99}"#)["ok"] == .bool(true))
        }
    }

    @Test func aClientThatKeepsSendingMalformedFramesIsClosedWith4000() async throws {
        try await withHub({ $0.abuseThreshold = 5 }) { hub in
            let client = SocketClient(url: hub.webSocketURL, token: try await hub.token("svc", [.service]))
            for _ in 1...10 { client.send("not json") }
            let disconnect = try await client.next { $0["type"] == .string("disconnect") }
            #expect(disconnect["code"] == .integer(4000))
            #expect(disconnect["reconnect"] == .bool(false))
            #expect(try await client.closeCode() == 4000)
        }
    }

    @Test func unknownNamespaceIsNotFound() async throws {
        try await withHub { hub in
            let client = SocketClient(url: hub.webSocketURL, token: try await hub.token("svc", [.service]))
            let reply = try await client.request(1, #"{"op":"subscribe","id":1,"topic":"nowhere:x"}"#)
            #expect(reply["error"]?["code"] == .string("not_found"))
        }
    }

    @Test func commandsForUnknownTargetsNamesOrTicketsAreRefused() async throws {
        try await withHub { hub in
            let client = SocketClient(url: hub.webSocketURL, token: try await hub.token("svc", [.service]))
            for (frame, code) in [
                (#"{"op":"command","id":1,"target":"chat:c1","name":"chat.typing","args":{}}"#, "not_found"),
                (#"{"op":"command","id":1,"target":"ticket:T-1","name":"ticket.fly","args":{}}"#, "not_found"),
                (#"{"op":"command","id":1,"target":"ticket:T-1","name":"ticket.assign","args":{}}"#, "bad_request"),
                (#"{"op":"command","id":1,"target":"ticket:T-1","name":"ticket.set_status","args":{"status":"open"}}"#, "not_found"),
                (#"{"op":"command","id":1,"target":"ticket:has space","name":"ticket.reply","args":{"body":"x"}}"#, "bad_request"),
            ] {
                let reply = try await client.request(1, frame)
                #expect(reply["error"]?["code"] == .string(code), "\(frame)")
            }
        }
    }

    @Test func aFrameOverTheLimitIsTooLargeAndAMuchLargerOneCloses1009() async throws {
        try await withHub({ $0.maxMessageBytes = 4096 }) { hub in
            let client = SocketClient(url: hub.webSocketURL, token: try await hub.token("svc", [.service]))
            let padding = String(repeating: "x", count: 5000)
            client.send("{\"op\":\"publish\",\"id\":1,\"topic\":\"events:x\",\"name\":\"big\",\"data\":\"\(padding)\"}")
            let reply = try #require(try await client.next())
            #expect(reply["id"] == .integer(1))
            #expect(reply["error"]?["code"] == .string("too_large"))
            #expect(try await client.request(2, #"{"op":"ping","id":2}"#)["ok"] == .bool(true))

            // Without an id, the answer is an `error` frame.
            client.send("{\"op\":\"publish\",\"topic\":\"events:x\",\"name\":\"big\",\"data\":\"\(padding)\"}")
            let error = try #require(try await client.next())
            #expect(error["type"] == .string("error"))
            #expect(error["error"]?["code"] == .string("too_large"))
            #expect(try await client.request(3, #"{"op":"ping","id":3}"#)["ok"] == .bool(true))

            client.send("{\"op\":\"ping\",\"pad\":\"\(String(repeating: "y", count: 20_000))\"}")
            #expect(try await client.closeCode() == 1009)
        }
    }

    @Test func aBinaryFrameIsRefusedAndTheConnectionLivesOn() async throws {
        try await withHub { hub in
            let token = try await hub.token("svc", [.service])
            let result = try await runPython("binary_frame.py", hub.port, token)
            #expect(result.status == 0, "\(result.output)")
        }
    }
}
