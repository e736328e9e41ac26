import Foundation
@testable import Hub
import Testing

@Suite("Authentication and access")
struct AuthTests {
    @Test func badTokensAreRefusedWith401BeforeTheUpgrade() async throws {
        try await withHub { hub in
            let expired = try await hub.token("u1", [.admin], ttl: -10)
            let tokens = [
                "", "garbage", expired, "sk_unknown_key",
                "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4Iiwicm9sZXMiOlsiYWRtaW4iXSwiZXhwIjo0MTAyNDQ0ODAwfQ.",
            ]
            let result = try await runPython("refused_tokens.py", [String(hub.port)] + tokens)
            #expect(result.status == 0, "\(result.output)")
        }
    }

    @Test func malformedUpgradesGetHTTPAnswersAndAHalfClosedClientIsLetGo() async throws {
        try await withHub { hub in
            let result = try await runPython("raw_handshakes.py", [String(hub.port), try await hub.token("svc", [.service])])
            #expect(result.status == 0, "\(result.output)")
        }
    }

    @Test func aSilentClientIsPingedThenClosedAndAnAnsweringOneStays() async throws {
        // Two seconds: a pong from a loaded machine must not miss the period it answers.
        try await withHub({ $0.pingIntervalSeconds = 2; $0.closeTimeoutSeconds = 1 }) { hub in
            let result = try await runPython("silent_clients.py", [String(hub.port), try await hub.token("svc", [.service]), "2"])
            #expect(result.status == 0, "\(result.output)")
        }
    }

    @Test func expiredAndForeignTokensAreRefused() async throws {
        try await withHub { hub in
            let expired = try await hub.token("u1", [.admin], ttl: -10)
            let foreignSecret = TestHub.temporaryDirectory()
            _ = try HubSecret.loadOrCreate(dataDirectory: foreignSecret)
            let foreign = try await Authenticator(
                secret: HubSecret.loadOrCreate(dataDirectory: foreignSecret),
                store: SQLiteStoreAccess.open(hub)
            ).mint(subject: "u1", roles: [.admin], ttl: 600)
            let sockets = try await runPython("refused_tokens.py", [String(hub.port), expired, foreign])
            #expect(sockets.status == 0, "\(sockets.output)")
            for token in [expired, foreign] {
                let rest = try await http(.GET, hub.baseURL + "/api/v1/topics/events:x/events", token: token)
                #expect(rest.status == 401)
                #expect(rest.errorCode == .string("unauthorized"))
            }
        }
    }

    @Test func aTokenInTheQueryAndAnAPIKeyAreAccepted() async throws {
        try await withHub { hub in
            let viaQuery = SocketClient(url: hub.webSocketURL, token: try await hub.token("svc", [.service]), inQuery: true)
            #expect(try await viaQuery.request(1, #"{"op":"ping","id":1}"#)["ok"] == .bool(true))

            let store = try SQLiteStoreAccess.open(hub)
            let key = try await Authenticator.createAPIKey(role: .service, store: store)
            let viaKey = SocketClient(url: hub.webSocketURL, token: key)
            #expect(try await viaKey.publish(2, "events:k")["ok"] == .bool(true))
            let rest = try await http(.POST, hub.baseURL + "/api/v1/topics/events:k/events", token: key, body: #"{"name":"n"}"#)
            #expect(rest.status == 201)
        }
    }

    @Test func aTokenExpiringCloses4001AndAuthExtendsIt() async throws {
        try await withHub { hub in
            let short = SocketClient(url: hub.webSocketURL, token: try await hub.token("u1", [.agent], ttl: 1))
            let renewed = SocketClient(url: hub.webSocketURL, token: try await hub.token("u2", [.agent], ttl: 1))
            let longer = try await hub.token("u2", [.agent], ttl: 600)
            let auth = try await renewed.request(1, "{\"op\":\"auth\",\"id\":1,\"token\":\"\(longer)\"}")
            #expect(auth["result"]?["expires"]?.string != nil)
            let disconnect = try await short.next { $0["type"] == .string("disconnect") }
            #expect(disconnect["code"] == .integer(4001))
            #expect(try await short.closeCode() == 4001)
            #expect(try await renewed.request(2, #"{"op":"ping","id":2}"#)["ok"] == .bool(true))
            let other = try await hub.token("someone-else", [.agent])
            let refused = try await renewed.request(3, "{\"op\":\"auth\",\"id\":3,\"token\":\"\(other)\"}")
            #expect(refused["error"]?["code"] == .string("forbidden"))
        }
    }

    @Test func aBadReplacementTokenIsRefusedAndTheOldOneStaysInForce() async throws {
        try await withHub { hub in
            let client = SocketClient(url: hub.webSocketURL, token: try await hub.token("u7", [.agent]))
            _ = try await client.subscribe(1, "room:r7")
            let expired = try await hub.token("u7", [.agent], ttl: -60)
            for (id, token) in [(2, "garbage"), (3, expired), (4, "")] {
                let refused = try await client.request(id, "{\"op\":\"auth\",\"id\":\(id),\"token\":\"\(token)\"}")
                #expect(refused["error"]?["code"] == .string("unauthorized"), "\(token.prefix(16))")
            }
            let published = try await http(
                .POST, hub.baseURL + "/api/v1/topics/room:r7/events", token: try await hub.token("svc", [.service]), body: #"{"name":"still"}"#)
            #expect(published.status == 201)
            let event = try await client.next { $0["type"] == .string("event") }
            #expect(event["name"] == .string("still"))
        }
    }

    @Test func aClientThatKeepsAskingForWhatItMayNotReachIsClosedWith4003() async throws {
        try await withHub({ $0.abuseThreshold = 5 }) { hub in
            let client = SocketClient(url: hub.webSocketURL, token: try await hub.token("u1", [.customer]))
            for id in 1...5 {
                let refused = try await client.request(id, "{\"op\":\"subscribe\",\"id\":\(id),\"topic\":\"inbox:u\(id + 1)\"}")
                #expect(refused["error"]?["code"] == .string("forbidden"))
            }
            #expect(try await client.request(6, #"{"op":"ping","id":6}"#)["ok"] == .bool(true), "five refusals are within the threshold")
            // Sent at once, so the strikes forgiven meanwhile (one a second) cannot keep it open.
            for id in 7...12 { client.send(#"{"op":"subscribe","id":\#(id),"topic":"tickets:billing"}"#) }
            let disconnect = try await client.next { $0["type"] == .string("disconnect") }
            #expect(disconnect["code"] == .integer(4003))
            #expect(disconnect["reconnect"] == .bool(false))
            #expect(try await client.closeCode() == 4003)
        }
    }

    @Test func aReplacementTokenEndsSubscriptionsItNoLongerAllows() async throws {
        try await withHub { hub in
            let client = SocketClient(url: hub.webSocketURL, token: try await hub.token("u9", [.customer], topics: ["room:a", "room:b"]))
            _ = try await client.subscribe(1, "room:a")
            _ = try await client.subscribe(2, "room:b")
            let narrower = try await hub.token("u9", [.customer], topics: ["room:a"])
            #expect(try await client.request(3, "{\"op\":\"auth\",\"id\":3,\"token\":\"\(narrower)\"}")["ok"] == .bool(true))
            let ended = try await client.next { $0["type"] == .string("unsubscribed") }
            #expect(ended["topic"] == .string("room:b"))
            let refused = try await client.request(4, #"{"op":"subscribe","id":4,"topic":"room:b"}"#)
            #expect(refused["error"]?["code"] == .string("forbidden"))
        }
    }

    @Test func customersReachOnlyWhatTheirTokenAllows() async throws {
        try await withHub { hub in
            let customer = SocketClient(
                url: hub.webSocketURL, token: try await hub.token("u42", [.customer], topics: ["room:mine"]))
            let refusals = [
                #"{"op":"subscribe","id":1,"topic":"tickets:billing"}"#,
                #"{"op":"subscribe","id":2,"topic":"inbox:u7"}"#,
                #"{"op":"subscribe","id":3,"topic":"room:theirs"}"#,
                #"{"op":"publish","id":4,"topic":"events:orders","name":"x"}"#,
                #"{"op":"history","id":5,"topic":"room:theirs"}"#,
            ]
            for (index, frame) in refusals.enumerated() {
                let reply = try await customer.request(index + 1, frame)
                #expect(reply["error"]?["code"] == .string("forbidden"), "\(frame)")
            }
            _ = try await customer.subscribe(6, "inbox:u42")
            _ = try await customer.subscribe(7, "room:mine")
            #expect(try await customer.publish(8, "room:mine")["ok"] == .bool(true))
        }
    }

    @Test func theConnectionCapPerUserIsEnforced() async throws {
        try await withHub({ $0.maxConnectionsPerUser = 2 }) { hub in
            let token = try await hub.token("u1", [.agent])
            let first = SocketClient(url: hub.webSocketURL, token: token)
            let second = SocketClient(url: hub.webSocketURL, token: token)
            #expect(try await first.request(1, #"{"op":"ping","id":1}"#)["ok"] == .bool(true))
            #expect(try await second.request(1, #"{"op":"ping","id":1}"#)["ok"] == .bool(true))
            let third = SocketClient(url: hub.webSocketURL, token: token)
            #expect(try await third.closeCode() == 4029)
        }
    }

    @Test func theSubscriptionCapPerConnectionIsEnforced() async throws {
        try await withHub({ $0.maxSubscriptionsPerConnection = 2 }) { hub in
            let client = SocketClient(url: hub.webSocketURL, token: try await hub.token("svc", [.service]))
            _ = try await client.subscribe(1, "events:a")
            _ = try await client.subscribe(2, "events:b")
            let third = try await client.request(3, #"{"op":"subscribe","id":3,"topic":"events:c"}"#)
            #expect(third["error"]?["code"] == .string("rate_limited"))
            let again = try await client.request(4, #"{"op":"subscribe","id":4,"topic":"events:a"}"#)
            #expect(again["error"]?["code"] == .string("conflict"))
        }
    }
}

import Store

/// Opens a second handle on a test hub's SQLite file, as the CLI does.
enum SQLiteStoreAccess {
    static func open(_ hub: TestHub) throws -> SQLiteStore {
        try SQLiteStore(path: hub.dataDirectory + "/switchboard.sqlite")
    }
}
