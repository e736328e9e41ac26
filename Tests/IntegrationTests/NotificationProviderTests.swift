import Foundation
@testable import Hub
import Testing

/// SMS, push and webhook notifications through real local HTTP providers: failover from a
/// failing provider to the next, circuit breakers, every provider call on record.
@Suite("Notification providers")
struct NotificationProviderTests {
    static let type = #"""
        {"category":"orders","channels":["sms","push"],"variables":["order"],
         "templates":{"sms":{"text":"Order {{order}} shipped"},"push":{"title":"Shipped","text":"Order {{order}} is on its way"}}}
        """#

    /// Requests a messaging API test server recorded so far.
    static func requests(in record: String) -> [JSONValue] {
        let lines = (try? String(contentsOfFile: record, encoding: .utf8))?.split(separator: "\n") ?? []
        return lines.compactMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
    }

    @Test func aFailingFirstProviderFailsOverToTheSecondUntilItsBreakerTakesItOutOfRotation() async throws {
        let directory = TestHub.temporaryDirectory()
        let (down, downPort, _) = try await startPythonServer(
            "../../GatewaysTests/Python/messaging_api.py", ["--record", directory + "/down.jsonl", "--status", "503"])
        defer { kill(down.processIdentifier, SIGKILL) }
        let (up, upPort, _) = try await startPythonServer("../../GatewaysTests/Python/messaging_api.py", ["--record", directory + "/up.jsonl"])
        defer { kill(up.processIdentifier, SIGKILL) }
        try await withHub({
            for port in [downPort, upPort] {
                $0.sms.providers.append(.init(baseURL: "http://127.0.0.1:\(port)", accountSID: "AC1", authToken: "secret", from: "+15550001111"))
                $0.push.providers.append(.init(baseURL: "http://127.0.0.1:\(port)", projectID: "proj", accessToken: "token"))
            }
            $0.sms.tuning.breaker = .init(failureThreshold: 2, openSeconds: 600)
            $0.push.tuning.breaker = .init(failureThreshold: 2, openSeconds: 600)
        }) { hub in
            let service = try await hub.token("svc", [.service])
            #expect(try await http(.PUT, hub.baseURL + "/api/v1/notifications/types/order.shipped", token: service, body: Self.type).status == 200)
            let contacts = #"{"phone":"+15557654321","push_tokens":["device-1"]}"#
            #expect(try await http(.PUT, hub.baseURL + "/api/v1/users/u1/contacts", token: service, body: contacts).status == 200)

            // Three notifications, one after the other
            var calls: [[String: [String]]] = []
            for order in ["A-1", "A-2", "A-3"] {
                let sent = try await http(
                    .POST, hub.baseURL + "/api/v1/notifications", token: service,
                    body: #"{"type":"order.shipped","recipients":["u1"],"data":{"order":"\#(order)"}}"#)
                let id = try #require(sent.json?["id"]?.string)
                var deliveries: [JSONValue] = []
                try await poll("both channels sent") {
                    deliveries = try await http(.GET, hub.baseURL + "/api/v1/notifications/\(id)", token: service).json?["deliveries"]?.array ?? []
                    return deliveries.count == 2 && deliveries.allSatisfy { $0["status"] == .string("sent") }
                }
                calls.append(deliveries.reduce(into: [:]) { byChannel, delivery in
                    byChannel[delivery["channel"]?.string ?? ""] = (delivery["provider_calls"]?.array ?? []).map {
                        "\($0["provider"]?.string ?? "") \($0["outcome"]?.string ?? "")"
                    }
                })
            }

            // The first two fail over from the 503ing provider; then its breaker skips it.
            #expect(calls[0]["sms"] == ["sms1 transient", "sms2 sent"])
            #expect(calls[1]["sms"] == ["sms1 transient", "sms2 sent"])
            #expect(calls[2]["sms"] == ["sms2 sent"])
            #expect(calls[0]["push"] == ["push1 transient", "push2 sent"])
            #expect(calls[2]["push"] == ["push2 sent"])

            // What the working provider got: the rendered text, to the user's number and device
            let received = Self.requests(in: directory + "/up.jsonl")
            let sms = received.filter { $0["path"] == .string("/2010-04-01/Accounts/AC1/Messages.json") }
            #expect(sms.count == 3)
            #expect(sms.first?["form"]?["Body"] == .array([.string("Order A-1 shipped")]))
            #expect(sms.first?["form"]?["To"] == .array([.string("+15557654321")]))
            let push = try #require(received.first { $0["path"] == .string("/v1/projects/proj/messages:send") })
            let body = try JSONDecoder().decode(JSONValue.self, from: Data((push["body"]?.string ?? "").utf8))
            #expect(body["message"]?["token"] == .string("device-1"))
            #expect(body["message"]?["notification"]?["body"] == .string("Order A-1 is on its way"))
            #expect(Self.requests(in: directory + "/down.jsonl").count == 4, "two per channel before its breaker opened")
        }
    }

    @Test func refusedCredentialsAtOneProviderFailOverInsteadOfFailingTheMessage() async throws {
        let directory = TestHub.temporaryDirectory()
        let (expired, expiredPort, _) = try await startPythonServer(
            "../../GatewaysTests/Python/messaging_api.py", ["--record", directory + "/expired.jsonl", "--status", "401"])
        defer { kill(expired.processIdentifier, SIGKILL) }
        let (up, upPort, _) = try await startPythonServer("../../GatewaysTests/Python/messaging_api.py", ["--record", directory + "/up.jsonl"])
        defer { kill(up.processIdentifier, SIGKILL) }
        try await withHub({
            for port in [expiredPort, upPort] {
                $0.push.providers.append(.init(baseURL: "http://127.0.0.1:\(port)", projectID: "proj", accessToken: "token"))
            }
        }) { hub in
            let service = try await hub.token("svc", [.service])
            #expect(try await http(.PUT, hub.baseURL + "/api/v1/notifications/types/order.shipped", token: service, body: Self.type).status == 200)
            _ = try await http(.PUT, hub.baseURL + "/api/v1/users/u1/contacts", token: service, body: #"{"push_tokens":["device-1"]}"#)
            let sent = try await http(
                .POST, hub.baseURL + "/api/v1/notifications", token: service,
                body: #"{"type":"order.shipped","recipients":["u1"],"data":{"order":"A-1"},"channels":["push"]}"#)
            let id = try #require(sent.json?["id"]?.string)
            var delivery: JSONValue?
            try await poll("the push sent") {
                delivery = try await http(.GET, hub.baseURL + "/api/v1/notifications/\(id)", token: service).json?["deliveries"]?.array?.first
                return delivery?["status"] == .string("sent")
            }
            let calls = delivery?["provider_calls"]?.array?.map { "\($0["provider"]?.string ?? "") \($0["outcome"]?.string ?? "")" }
            #expect(calls == ["push1 transient", "push2 sent"], "an expired token is the provider's fault, not the message's")
        }
    }

    @Test func theWebhookChannelSendsASignedNotificationMessageOncePerRecipient() async throws {
        let receiver = try await WebhookReceiver.start()
        defer { receiver.stop() }
        try await withHub({ $0.webhooks.allow = "127.0.0.1/32" }) { hub in
            let service = try await hub.token("svc", [.service])
            let endpoint = try await http(
                .POST, hub.baseURL + "/api/v1/webhooks/endpoints", token: service,
                body: #"{"url":"\#(receiver.url)","events":["notification.message"]}"#)
            try await receiver.configure(secrets: [try #require(endpoint.json?["secret"]?.string)])
            let type = #"{"category":"orders","channels":["webhook"],"variables":["order"],"templates":{"webhook":{"text":"Order {{order}} shipped"}}}"#
            #expect(try await http(.PUT, hub.baseURL + "/api/v1/notifications/types/order.shipped", token: service, body: type).status == 200)
            let sent = try await http(
                .POST, hub.baseURL + "/api/v1/notifications", token: service,
                body: #"{"type":"order.shipped","recipients":["u1","u2"],"data":{"order":"A-7"}}"#)
            #expect(sent.status == 202, "\(sent.text)")

            let deliveries = try await receiver.waitFor { $0.count >= 2 }
            #expect(deliveries.allSatisfy { $0.type == "notification.message" && $0.verified == [0] })
            let messages = deliveries.compactMap { $0.body?["data"]?["data"] }
            #expect(Set(messages.compactMap { $0["recipient"]?.string }) == ["u1", "u2"])
            #expect(messages.allSatisfy { $0["text"] == .string("Order A-7 shipped") && $0["category"] == .string("orders") })
        }
    }
}
