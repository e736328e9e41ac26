import Foundation
import Gateways
@testable import Hub
import Testing

@Suite("REST side door")
struct RESTTests {
    @Test func publishReadAndDeduplicateThroughREST() async throws {
        try await withHub { hub in
            let token = try await hub.token("svc", [.service])
            let url = hub.baseURL + "/api/v1/topics/events:orders/events"
            let first = try await http(.POST, url, token: token, body: #"{"name":"order.paid","data":{"id":7}}"#, headers: [("Idempotency-Key", "pay-7")])
            #expect(first.status == 201)
            #expect(first.json?["offset"] == .integer(1))
            let repeated = try await http(.POST, url, token: token, body: #"{"name":"order.paid","data":{"id":7}}"#, headers: [("Idempotency-Key", "pay-7")])
            #expect(repeated.status == 201)
            #expect(repeated.json == first.json)
            #expect(repeated.headers["Idempotent-Replayed"].first == "true")
            _ = try await http(.POST, url, token: token, body: #"{"name":"order.shipped"}"#)

            let all = try await http(.GET, url, token: token)
            #expect(all.json?["offset"] == .integer(2))
            #expect(all.json?["events"]?.array?.compactMap { $0["name"]?.string } == ["order.paid", "order.shipped"])
            let since = try await http(.GET, url + "?since=1&limit=5", token: token)
            #expect(since.json?["events"]?.array?.compactMap { $0["offset"]?.int } == [2])
        }
    }

    @Test func publishedDataIsKeptAsSentWithoutWhiteSpace() async throws {
        try await withHub { hub in
            let token = try await hub.token("svc", [.service])
            let url = hub.baseURL + "/api/v1/topics/events:raw/events"
            let body = #"{"name":"n","data": { "z" : 18446744073709551616, "a" : [ 1.50, "two  words" ] } }"#
            #expect(try await http(.POST, url, token: token, body: body).status == 201)
            let history = try await http(.GET, url, token: token)
            #expect(history.text.contains(#""data":{"z":18446744073709551616,"a":[1.50,"two  words"]}"#), "\(history.text)")
            let repeated = try await http(.POST, url, token: token, body: #"{"name":"n","data":{"a":1,"a":2}}"#)
            #expect(repeated.status == 400)
        }
    }

    @Test func badRequestsGetTheErrorEnvelope() async throws {
        try await withHub({ $0.maxMessageBytes = 1024 }) { hub in
            let token = try await hub.token("svc", [.service])
            let url = hub.baseURL + "/api/v1/topics/events:x/events"
            let cases: [(String?, String, Int, String)] = [
                (token, "{not json", 400, "bad_request"),
                (token, "[1]", 422, "bad_request"),
                (token, #"{"data":1}"#, 422, "bad_request"),
                (token, #"{"name":""}"#, 422, "bad_request"),
                (token, "{\"name\":\"x\",\"data\":\"\(String(repeating: "a", count: 4000))\"}", 413, "too_large"),
                (nil, #"{"name":"x"}"#, 401, "unauthorized"),
            ]
            for (token, body, status, code) in cases {
                let result = try await http(.POST, url, token: token, body: body)
                #expect(result.status == status, "\(body.prefix(40))")
                #expect(result.errorCode == .string(code), "\(body.prefix(40))")
            }
            let notUTF8 = try await http(.POST, url, token: token, bodyBytes: Array(#"{"name":"x","data":""#.utf8) + [0xFF, 0x22, 0x7D])
            #expect(notUTF8.status == 400)
            #expect(notUTF8.errorCode == .string("bad_request"))
            #expect(try await http(.GET, url, token: token).json?["events"]?.array?.isEmpty == true)
            let badTopic = try await http(.POST, hub.baseURL + "/api/v1/topics/nocolon/events", token: token, body: #"{"name":"x"}"#)
            #expect(badTopic.status == 400)
            let unknown = try await http(.GET, hub.baseURL + "/api/v1/topics/nowhere:x/events", token: token)
            #expect(unknown.status == 404)
            let badLimit = try await http(.GET, url + "?limit=0", token: token)
            #expect(badLimit.status == 400)
            let customer = try await hub.token("u1", [.customer])
            for body in [#"{"name":"x"}"#, "{not json"] {
                let forbidden = try await http(.POST, url, token: customer, body: body)
                #expect(forbidden.status == 403, "access is checked before the body")
                #expect(forbidden.errorCode == .string("forbidden"))
            }
        }
    }

    @Test func aCustomerOverItsRESTLimitGets429WithRetryAfter() async throws {
        try await withHub({ $0.restLimits["customer"] = RateLimit(perSecond: 1, burst: 3) }) { hub in
            let token = try await hub.token("u1", [.customer], topics: ["room:c1"])
            var statuses: [Int] = []
            var retryAfter: String?
            for _ in 0..<6 {
                let result = try await http(.GET, hub.baseURL + "/api/v1/topics/room:c1/events", token: token)
                statuses.append(result.status)
                if result.status == 429 { retryAfter = result.headers["Retry-After"].first }
            }
            #expect(statuses.prefix(3).allSatisfy { $0 == 200 })
            #expect(statuses.contains(429))
            #expect(retryAfter.flatMap(Int.init) ?? 0 >= 1)
        }
    }

    @Test func healthReadinessMetricsAndOpenAPI() async throws {
        try await withHub { hub in
            #expect(try await http(.GET, hub.baseURL + "/healthz").status == 200)
            #expect(try await http(.GET, hub.baseURL + "/readyz").status == 200)
            let token = try await hub.token("svc", [.service])
            let client = SocketClient(url: hub.webSocketURL, token: token)
            _ = try await client.subscribe(1, "events:m")
            _ = try await client.publish(2, "events:m")
            _ = try await client.events(1)
            let metrics = try await http(.GET, hub.baseURL + "/metrics").text
            for name in [
                "switchboard_ws_connections", "switchboard_subscriptions", "switchboard_events_published_total",
                "switchboard_events_delivered_total", "switchboard_store_commit_latency_seconds_bucket",
                "switchboard_webhook_deliveries_total", "switchboard_webhook_attempt_duration_seconds",
                "switchboard_webhook_outbox_pending", "switchboard_webhook_oldest_pending_seconds",
                "switchboard_ws_slow_consumer_closes_total",
            ] {
                #expect(metrics.contains(name), "\(name)")
            }
            let document = try #require(try await http(.GET, hub.baseURL + "/api/v1/openapi.json").json)
            guard case .object(let paths)? = document["paths"] else { throw TestFailure("no paths") }
            #expect(Set(paths.keys) == [
                "/healthz", "/readyz", "/metrics", "/api/v1/openapi.json", "/v1/ws",
                "/api/v1/topics/{topic}/events", "/api/v1/topics/{topic}/presence",
                "/api/v1/webhooks/endpoints", "/api/v1/webhooks/endpoints/{id}",
                "/api/v1/webhooks/endpoints/{id}/rotate-secret", "/api/v1/webhooks/endpoints/{id}/replay",
                "/api/v1/webhooks/messages/{id}/replay", "/api/v1/webhooks/deliveries",
                "/api/v1/support/tickets", "/api/v1/support/tickets/{id}", "/api/v1/support/tickets/{id}/comments",
                "/api/v1/support/sla-policies/{name}", "/api/v1/support/sla-policies", "/api/v1/support/queues/{queue}",
                "/api/v1/support/chats", "/api/v1/support/chats/{id}", "/api/v1/support/chats/{id}/messages",
                "/api/v1/support/chats/{id}/read", "/api/v1/support/chats/{id}/transfer", "/api/v1/support/chats/{id}/close",
                "/api/v1/support/chats/{id}/escalate", "/api/v1/support/chats/{id}/assist",
                "/api/v1/support/kb/articles", "/api/v1/support/kb/articles/{id}", "/api/v1/support/kb/search",
                "/api/v1/support/analytics/agents",
                "/api/v1/notifications", "/api/v1/notifications/{id}", "/api/v1/notifications/types/{name}",
                "/api/v1/notifications/preferences/{user}", "/api/v1/notifications/inbox", "/api/v1/notifications/inbox/read",
                "/api/v1/notifications/inbox/archive", "/api/v1/notifications/unsubscribe", "/api/v1/users/{id}/contacts",
                "/api/v1/notifications/topics/{name}/subscribers",
            ])
        }
    }

    @Test func readinessFailsOnceTheDatabaseFileIsRemoved() async throws {
        try await withHub { hub in
            #expect(try await http(.GET, hub.baseURL + "/readyz").status == 200)
            try FileManager.default.removeItem(atPath: HubConfiguration.databasePath(dataDirectory: hub.dataDirectory))
            let ready = try await http(.GET, hub.baseURL + "/readyz")
            #expect(ready.status == 503)
            #expect(ready.errorCode == .string("unavailable"))
            #expect(try await http(.GET, hub.baseURL + "/healthz").status == 200)
        }
    }

    @Test func presenceOverREST() async throws {
        try await withHub { hub in
            let agent = SocketClient(url: hub.webSocketURL, token: try await hub.token("agent-1", [.agent]))
            _ = try await agent.subscribe(1, "room:room")
            let result = try await http(.GET, hub.baseURL + "/api/v1/topics/room:room/presence", token: try await hub.token("svc", [.service]))
            #expect(result.json?["clients"]?.array?.first?["user"] == .string("agent-1"))
        }
    }
}

@Suite("Inbound rate limits")
struct RateLimitTests {
    @Test func aCustomerOverItsLimitIsRateLimitedThenClosedWith4029() async throws {
        try await withHub({
            $0.socketLimits["customer"] = RateLimit(perSecond: 1, burst: 2)
            $0.abuseThreshold = 5
        }) { hub in
            let client = SocketClient(url: hub.webSocketURL, token: try await hub.token("u1", [.customer], topics: ["room:c1"]))
            var codes: [String] = []
            for id in 1...6 {
                let reply = try await client.publish(id, "room:c1")
                codes.append(reply["error"]?["code"]?.string ?? "ok")
            }
            #expect(codes.prefix(2) == ["ok", "ok"])
            #expect(codes.dropFirst(2).allSatisfy { $0 == "rate_limited" })
            // Sustained abuse: keep going without waiting for replies.
            for id in 7...20 { client.send("{\"op\":\"publish\",\"id\":\(id),\"topic\":\"room:c1\",\"name\":\"x\"}") }
            #expect(try await client.closeCode() == 4029)
        }
    }

    @Test func servicesAreNotThrottled() async throws {
        try await withHub { hub in
            let client = SocketClient(url: hub.webSocketURL, token: try await hub.token("svc", [.service]))
            for id in 1...300 {
                #expect(try await client.publish(id, "events:fast")["ok"] == .bool(true))
            }
        }
    }
}
