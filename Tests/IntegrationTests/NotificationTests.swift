import Foundation
@testable import Hub
import Testing

/// Notifications over REST and real WebSockets: types, preferences, idempotency, in-app inbox.
@Suite("Notifications")
struct NotificationTests {
    static let orderShipped = #"""
        {"category":"orders","channels":["in_app","email"],"variables":["name","order"],
         "templates":{"in_app":{"text":"Hi {{name}}, order {{order}} shipped"},
                      "email":{"subject":"Order {{order}} shipped","text":"Hi {{name}}","html":"<p>Hi {{name}}</p>"}},
         "locales":{"de":{"in_app":{"text":"Hallo {{name}}, Bestellung {{order}} ist unterwegs"}}}}
        """#

    func defineTypes(_ hub: TestHub, token: String) async throws {
        let saved = try await http(.PUT, hub.baseURL + "/api/v1/notifications/types/order.shipped", token: token, body: Self.orderShipped)
        #expect(saved.status == 200, "\(saved.text)")
        let critical = try await http(
            .PUT, hub.baseURL + "/api/v1/notifications/types/password.reset", token: token,
            body: #"{"category":"orders","critical":true,"channels":["in_app"],"variables":["code"],"templates":{"in_app":{"text":"Code {{code}}"}}}"#)
        #expect(critical.status == 200, "\(critical.text)")
    }

    func send(_ hub: TestHub, token: String, _ body: String, key: String? = nil) async throws -> HTTPResult {
        try await http(.POST, hub.baseURL + "/api/v1/notifications", token: token, body: body, headers: key.map { [("Idempotency-Key", $0)] } ?? [])
    }

    func deliveries(_ hub: TestHub, token: String, _ id: String, until done: @escaping ([JSONValue]) -> Bool) async throws -> [JSONValue] {
        var deliveries: [JSONValue] = []
        for _ in 0..<100 {
            deliveries = try await http(.GET, hub.baseURL + "/api/v1/notifications/\(id)", token: token).json?["deliveries"]?.array ?? []
            if done(deliveries) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return deliveries
    }

    @Test func anInAppNotificationArrivesLiveWithItsUnreadCountOnce() async throws {
        try await withHub { hub in
            let service = try await hub.token("svc", [.service])
            try await defineTypes(hub, token: service)
            let userToken = try await hub.token("u1", [.customer])
            #expect(try await http(.PUT, hub.baseURL + "/api/v1/users/u1/contacts", token: userToken, body: #"{"locale":"de-AT"}"#).status == 200)
            let user = SocketClient(url: hub.webSocketURL, token: userToken)
            _ = try await user.subscribe(1, "inbox:u1")

            // The same key twice: one notification, one inbox item
            let body = #"{"type":"order.shipped","recipients":["u1"],"data":{"name":"Ada","order":"A-7"},"channels":["in_app"]}"#
            let first = try await send(hub, token: service, body, key: "ship-A-7")
            #expect(first.status == 202, "\(first.text)")
            let again = try await send(hub, token: service, body, key: "ship-A-7")
            #expect(again.json?["id"] == first.json?["id"])
            #expect(again.headers["Idempotent-Replayed"].first == "true")

            let created = try await user.next { $0["name"] == .string("notification.created") }
            #expect(created["data"]?["text"] == .string("Hallo Ada, Bestellung A-7 ist unterwegs"), "the language of de-AT")
            let count = try await user.next { $0["name"] == .string("inbox.unread_count") }
            #expect(count["data"]?["count"] == .integer(1))
            let id = try #require(first.json?["id"]?.string)
            let states = try await deliveries(hub, token: service, id) { $0.first?["status"] == .string("sent") }
            #expect(states.count == 1)
            #expect(states.first?["status"] == .string("sent"))

            let inbox = try await http(.GET, hub.baseURL + "/api/v1/notifications/inbox", token: userToken)
            #expect(inbox.json?["items"]?.array?.count == 1)
            #expect(inbox.json?["items"]?.array?.first?["read"] == .bool(false))
            let read = try await http(.POST, hub.baseURL + "/api/v1/notifications/inbox/read", token: userToken, body: "{}")
            #expect(read.json?["unread_count"] == .integer(0))
            let zero = try await user.next { $0["name"] == .string("inbox.unread_count") && $0["data"]?["count"] == .integer(0) }
            #expect(zero["topic"] == .string("inbox:u1"))
            let archived = try await http(.POST, hub.baseURL + "/api/v1/notifications/inbox/archive", token: userToken, body: #"{"ids":["\#(id)"]}"#)
            #expect(archived.status == 200)
            #expect(try await http(.GET, hub.baseURL + "/api/v1/notifications/inbox", token: userToken).json?["items"]?.array?.isEmpty == true)
        }
    }

    @Test func theInboxIsWorkedThroughWebSocketCommandsByItsOwnerOnly() async throws {
        try await withHub { hub in
            let service = try await hub.token("svc", [.service])
            try await defineTypes(hub, token: service)
            let user = SocketClient(url: hub.webSocketURL, token: try await hub.token("u1", [.customer]))
            _ = try await user.subscribe(1, "inbox:u1")
            var ids: [String] = []
            for order in ["A-1", "A-2"] {
                let sent = try await send(
                    hub, token: service, #"{"type":"order.shipped","recipients":["u1"],"data":{"name":"Ada","order":"\#(order)"},"channels":["in_app"]}"#)
                let id = try #require(sent.json?["id"]?.string)
                ids.append(id)
                _ = try await user.next { $0["name"] == .string("notification.created") && $0["data"]?["id"] == .string(id) }
            }

            let read = try await user.request(2, #"{"op":"command","id":2,"target":"inbox:u1","name":"inbox.read","args":{"ids":["\#(ids[0])"]}}"#)
            #expect(read["result"]?["unread_count"] == .integer(1))
            _ = try await user.next { $0["name"] == .string("inbox.unread_count") && $0["data"]?["count"] == .integer(1) }
            let archived = try await user.request(3, #"{"op":"command","id":3,"target":"inbox:u1","name":"inbox.archive","args":{"ids":["\#(ids[1])"]}}"#)
            #expect(archived["result"]?["unread_count"] == .integer(0))
            let left = try await http(.GET, hub.baseURL + "/api/v1/notifications/inbox", token: try await hub.token("u1", [.customer]))
            #expect(left.json?["items"]?.array?.map { $0["id"] } == [.string(ids[0])])

            let noIDs = try await user.request(4, #"{"op":"command","id":4,"target":"inbox:u1","name":"inbox.archive"}"#)
            #expect(noIDs["error"]?["code"] == .string("bad_request"))
            let other = SocketClient(url: hub.webSocketURL, token: try await hub.token("u2", [.customer]))
            let foreign = try await other.request(5, #"{"op":"command","id":5,"target":"inbox:u1","name":"inbox.read"}"#)
            #expect(foreign["error"]?["code"] == .string("forbidden"))
        }
    }

    @Test func preferencesAreRespectedCriticalTypesBypassThemAndQuietHoursDefer() async throws {
        try await withHub { hub in
            let service = try await hub.token("svc", [.service])
            try await defineTypes(hub, token: service)
            let optOut = try await http(
                .PUT, hub.baseURL + "/api/v1/notifications/preferences/u1", token: try await hub.token("u1", [.customer]),
                body: #"{"categories":{"orders":{"in_app":false}}}"#)
            #expect(optOut.status == 200, "\(optOut.text)")
            #expect(try await http(
                .PUT, hub.baseURL + "/api/v1/notifications/preferences/u1", token: try await hub.token("u2", [.customer]),
                body: "{}").status == 403, "a user changes only their own")
            // u2 is always in quiet hours: from 00:00 to 23:59 in its time zone
            _ = try await http(
                .PUT, hub.baseURL + "/api/v1/notifications/preferences/u2", token: service,
                body: #"{"quiet_hours":{"start":"00:00","end":"23:59","timezone":"Pacific/Kiritimati"}}"#)

            let sent = try await send(hub, token: service, #"{"type":"order.shipped","recipients":["u1","u2","u3"],"data":{"name":"Ada","order":"A-7"}}"#)
            let id = try #require(sent.json?["id"]?.string)
            let states = try await deliveries(hub, token: service, id) { deliveries in
                deliveries.contains { $0["recipient"] == .string("u3") && $0["channel"] == .string("in_app") && $0["status"] == .string("sent") }
            }
            func state(_ user: String, _ channel: String) -> JSONValue? {
                states.first { $0["recipient"] == .string(user) && $0["channel"] == .string(channel) }
            }
            #expect(state("u1", "in_app")?["status"] == .string("skipped"))
            #expect(state("u1", "in_app")?["reason"] == .string("opted_out"))
            #expect(state("u2", "in_app")?["status"] == .string("queued"))
            #expect(state("u2", "in_app")?["reason"] == .string("quiet_hours"))
            #expect(state("u2", "in_app")?["due_at"]?.string != nil)
            #expect(state("u3", "in_app")?["status"] == .string("sent"))
            #expect(state("u3", "email")?["status"] == .string("skipped"))
            #expect(state("u3", "email")?["reason"] == .string("no_address"))

            // A critical type ignores the opt-out and the quiet hours
            let critical = try await send(hub, token: service, #"{"type":"password.reset","recipients":["u1","u2"],"data":{"code":"1234"}}"#)
            let criticalID = try #require(critical.json?["id"]?.string)
            let criticalStates = try await deliveries(hub, token: service, criticalID) { $0.allSatisfy { $0["status"] == .string("sent") } }
            #expect(criticalStates.map { $0["status"] } == [.string("sent"), .string("sent")])
        }
    }

    @Test func badTypesAndRequestsAreRefusedWithACode() async throws {
        try await withHub { hub in
            let service = try await hub.token("svc", [.service])
            try await defineTypes(hub, token: service)
            let undeclared = try await http(
                .PUT, hub.baseURL + "/api/v1/notifications/types/x", token: service,
                body: #"{"category":"c","channels":["in_app"],"variables":["a"],"templates":{"in_app":{"text":"{{a}} {{b}}"}}}"#)
            #expect(undeclared.status == 422)
            #expect(undeclared.text.contains("{{b}}"))
            let unparsable = try await http(
                .PUT, hub.baseURL + "/api/v1/notifications/types/x", token: service,
                body: #"{"category":"c","channels":["in_app"],"templates":{"in_app":{"text":"{{#open}}"}}}"#)
            #expect(unparsable.status == 422)
            let customer = try await hub.token("u1", [.customer])
            #expect(try await send(hub, token: customer, #"{"type":"order.shipped","recipients":["u1"],"data":{}}"#).status == 403)
            #expect(try await send(hub, token: service, #"{"type":"order.shipped","recipients":["u1"],"data":{"name":"x"}}"#).status == 422)
            #expect(try await send(hub, token: service, #"{"type":"nope","recipients":["u1"],"data":{}}"#).status == 404)
            let tooMany = (0...1000).map { "\"u\($0)\"" }.joined(separator: ",")
            #expect(try await send(hub, token: service, #"{"type":"order.shipped","recipients":[\#(tooMany)],"data":{"name":"x","order":"y"}}"#).status == 422)
            #expect(try await http(.GET, hub.baseURL + "/api/v1/notifications/ntf_nope", token: service).status == 404)
            let farFuture = #"{"type":"order.shipped","recipients":["u1"],"data":{"name":"x","order":"y"},"send_at":"9223372036854775807"}"#
            #expect(try await send(hub, token: service, farFuture).status == 422, "send_at beyond a year, even the largest number")
            let repeated = try await send(
                hub, token: service, #"{"type":"order.shipped","recipients":["u1"],"data":{"name":"x","order":"y"},"channels":["in_app","in_app"]}"#)
            #expect(repeated.status == 202, "a repeated channel counts once")
            // Idempotency keys belong to their requester: another service's same key is its own
            let first = try await send(hub, token: service, #"{"type":"password.reset","recipients":["u1"],"data":{"code":"1"}}"#, key: "k1")
            let other = try await send(
                hub, token: try await hub.token("svc-2", [.service]), #"{"type":"password.reset","recipients":["u1"],"data":{"code":"2"}}"#, key: "k1")
            #expect(first.json?["id"] != other.json?["id"])
            #expect(try await http(.PUT, hub.baseURL + "/api/v1/users/u1/contacts", token: customer, body: #"{"email":"not an address"}"#).status == 422)
            for digest in [#"{"orders":{"window_minutes":1}}"#, #"{"orders":{"window_minutes":100000}}"#, #"{"no such!":{"window_minutes":60}}"#] {
                let refused = try await http(.PUT, hub.baseURL + "/api/v1/notifications/preferences/u1", token: customer, body: #"{"digest":\#(digest)}"#)
                #expect(refused.status == 422, "\(digest)")
            }
        }
    }

    @Test func emailReachesARealSMTPServerWithTransientRepliesRetriedAndPermanentOnesFinal() async throws {
        let record = TestHub.temporaryDirectory() + "/smtp.jsonl"
        let (server, port, _) = try await startPythonServer(
            "../../GatewaysTests/Python/smtp_server.py",
            ["--record", record, "--pipelining", "--rcpt-reply", "later@example.com=451", "--rcpt-reply", "never@example.com=550"])
        defer { kill(server.processIdentifier, SIGKILL) }
        try await withHub({
            $0.email.smtpURL = "smtp://127.0.0.1:\(port)"
            $0.email.from = "Switchboard <noreply@example.com>"
            $0.publicURL = "https://hub.example.com"  // RFC 8058 one-click needs https
        }) { hub in
            let service = try await hub.token("svc", [.service])
            try await defineTypes(hub, token: service)
            for (user, address) in [("u1", "ada@example.com"), ("u2", "later@example.com"), ("u3", "never@example.com")] {
                let saved = try await http(.PUT, hub.baseURL + "/api/v1/users/\(user)/contacts", token: service, body: #"{"email":"\#(address)"}"#)
                #expect(saved.status == 200, "\(saved.text)")
            }
            let body = #"{"type":"order.shipped","recipients":["u1","u2","u3"],"data":{"name":"Ada <3","order":"A-7"},"channels":["email"]}"#
            let sent = try await send(hub, token: service, body, key: "ship-A-7")
            let id = try #require(sent.json?["id"]?.string)
            let states = try await deliveries(hub, token: service, id) { deliveries in
                deliveries.count == 3 && deliveries.allSatisfy { $0["attempts"] != .integer(0) }
            }
            // The same key again: the first notification, and no second e-mail (counted below)
            #expect(try await send(hub, token: service, body, key: "ship-A-7").json?["id"] == .string(id))
            func state(_ user: String) -> JSONValue? { states.first { $0["recipient"] == .string(user) } }
            #expect(state("u1")?["status"] == .string("sent"), "\(states)")
            #expect(state("u2")?["status"] == .string("queued"), "a 451 is retried later")
            #expect(state("u2")?["reason"]?.string?.contains("451") == true || state("u2")?["reason"]?.string?.isEmpty == false)
            #expect(state("u3")?["status"] == .string("failed"), "a 550 is final")

            // The message at the server: rendered, MIME multipart/alternative, HTML escaped
            let lines = (try? String(contentsOfFile: record, encoding: .utf8))?.split(separator: "\n") ?? []
            let messages = lines.compactMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }.filter { $0["event"] == .string("message") }
            #expect(messages.count == 1, "one e-mail, though the notification was posted twice")
            let parsed = try #require(messages.first?["parsed"])
            #expect(messages.first?["rcpt_tos"] == .array([.string("ada@example.com")]))
            #expect(parsed["content_type"] == .string("multipart/alternative"))
            #expect(parsed["headers"]?["Subject"] == .string("Order A-7 shipped"))
            #expect(parsed["headers"]?["From"] == .string("Switchboard <noreply@example.com>"))
            let parts = parsed["parts"]?.array ?? []
            #expect(parts.first?["content"]?.string?.contains("Hi Ada <3") == true, "text is not escaped")
            #expect(parts.last?["content"]?.string?.contains("<p>Hi Ada &lt;3</p>") == true, "HTML is escaped")

            // One-click unsubscribe (RFC 8058): the link opts u1 out of e-mail about orders
            #expect(parsed["headers"]?["List-Unsubscribe-Post"] == .string("List-Unsubscribe=One-Click"))
            let header = try #require(parsed["headers"]?["List-Unsubscribe"]?.string)
            #expect(header.hasPrefix("<https://hub.example.com/api/v1/notifications/unsubscribe?user=u1&category=orders&sig="))
            let link = try #require(header.range(of: "/api/v1/notifications/unsubscribe?").map { String(header[$0.lowerBound...].dropLast()) })
            let page = try await http(.GET, hub.baseURL + link)
            #expect(page.status == 200 && page.text.contains("<form method=\"post\""), "a GET changes nothing")
            let forged = try await http(.POST, hub.baseURL + link.replacingOccurrences(of: "user=u1", with: "user=u2"), body: "List-Unsubscribe=One-Click")
            #expect(forged.status == 403)
            let unsubscribed = try await http(.POST, hub.baseURL + link, body: "List-Unsubscribe=One-Click")
            #expect(unsubscribed.status == 200, "\(unsubscribed.text)")
            let preferences = try await http(.GET, hub.baseURL + "/api/v1/notifications/preferences/u1", token: service)
            #expect(preferences.json?["categories"]?["orders"]?["email"] == .bool(false))
        }
    }

    @Test func aDigestCollectsACategorysEmailIntoOneMessageWhenItsWindowEnds() async throws {
        let record = TestHub.temporaryDirectory() + "/smtp.jsonl"
        let (server, port, _) = try await startPythonServer("../../GatewaysTests/Python/smtp_server.py", ["--record", record])
        defer { kill(server.processIdentifier, SIGKILL) }
        try await withHub({
            $0.email.smtpURL = "smtp://127.0.0.1:\(port)"
            $0.email.from = "noreply@example.com"
        }) { hub in
            let service = try await hub.token("svc", [.service])
            try await defineTypes(hub, token: service)
            let user = try await hub.token("u1", [.customer])
            _ = try await http(.PUT, hub.baseURL + "/api/v1/users/u1/contacts", token: user, body: #"{"email":"ada@example.com"}"#)
            let preferences = try await http(
                .PUT, hub.baseURL + "/api/v1/notifications/preferences/u1", token: user, body: #"{"digest":{"orders":{"window_minutes":1440}}}"#)
            #expect(preferences.status == 200, "\(preferences.text)")

            // Three notifications of the category wait for the end of the day (UTC)
            var ids: [String] = []
            for order in ["A-1", "A-2", "A-3"] {
                let sent = try await send(
                    hub, token: service, #"{"type":"order.shipped","recipients":["u1"],"data":{"name":"Ada","order":"\#(order)"},"channels":["email"]}"#)
                ids.append(try #require(sent.json?["id"]?.string))
            }
            var waiting: [JSONValue] = []
            for id in ids { waiting += try await deliveries(hub, token: service, id) { !$0.isEmpty } }
            #expect(waiting.allSatisfy { $0["status"] == .string("queued") && $0["reason"] == .string("digest") }, "\(waiting)")
            #expect(Set(waiting.compactMap { $0["due_at"]?.string }).count == 1, "one window, one due time")
            #expect(waiting.first?["due_at"]?.string?.hasSuffix("T00:00:00.000Z") == true, "the window ends at midnight")

            // When the window ends, one e-mail carries all three
            let ended = try await runPython("end_digest_windows.py", HubConfiguration.databasePath(dataDirectory: hub.dataDirectory))
            #expect(ended.output.trimmingCharacters(in: .whitespacesAndNewlines) == "3")
            for id in ids { _ = try await deliveries(hub, token: service, id) { $0.first?["status"] == .string("sent") } }
            let messages = NotificationCrashTests.messages(in: record)
            #expect(messages.count == 1)
            let parsed = try #require(messages.first?["parsed"])
            #expect(parsed["headers"]?["Subject"] == .string("3 orders notifications"))
            let text = parsed["parts"]?.array?.first?["content"]?.string ?? ""
            #expect(text.contains("- Order A-1 shipped") && text.contains("- Order A-3 shipped"), "\(text)")
        }
    }

    @Test func aNotificationToATopicReachesItsSubscribersAtTheTime() async throws {
        try await withHub { hub in
            let service = try await hub.token("svc", [.service])
            try await defineTypes(hub, token: service)
            let subscribers = hub.baseURL + "/api/v1/notifications/topics/beta.testers/subscribers"
            let added = try await http(.PUT, subscribers, token: service, body: #"{"add":["u1","u2","u3"]}"#)
            #expect(added.json?["subscribers"] == .integer(3), "\(added.text)")
            #expect(try await http(.PUT, subscribers, token: service, body: #"{"remove":["u2"]}"#).json?["subscribers"] == .integer(2))

            let sent = try await send(hub, token: service, #"{"type":"password.reset","topic":"beta.testers","data":{"code":"7"}}"#)
            #expect(sent.status == 202, "\(sent.text)")
            let id = try #require(sent.json?["id"]?.string)
            let states = try await deliveries(hub, token: service, id) { $0.count == 2 && $0.allSatisfy { $0["status"] == .string("sent") } }
            #expect(states.compactMap { $0["recipient"]?.string } == ["u1", "u3"])

            let both = try await send(hub, token: service, #"{"type":"password.reset","topic":"beta.testers","recipients":["u9"],"data":{"code":"7"}}"#)
            #expect(both.status == 422)
            #expect(try await http(.PUT, hub.baseURL + "/api/v1/notifications/topics/Not%20Valid/subscribers", token: service, body: #"{"add":["u1"]}"#).status == 422)
            let customer = try await hub.token("u1", [.customer])
            #expect(try await http(.PUT, subscribers, token: customer, body: #"{"add":["u1"]}"#).status == 403)
        }
    }

    @Test func aHangingEmailProviderHoldsOnlyItsOwnSlot() async throws {
        let record = TestHub.temporaryDirectory() + "/smtp.jsonl"
        let (server, port, _) = try await startPythonServer("../../GatewaysTests/Python/smtp_server.py", ["--record", record, "--silent"])
        defer { kill(server.processIdentifier, SIGKILL) }
        try await withHub({
            $0.email.smtpURL = "smtp://127.0.0.1:\(port)"
            $0.email.from = "noreply@example.com"
        }) { hub in
            let service = try await hub.token("svc", [.service])
            try await defineTypes(hub, token: service)
            _ = try await http(.PUT, hub.baseURL + "/api/v1/users/u1/contacts", token: service, body: #"{"email":"ada@example.com"}"#)
            let stuck = try await send(hub, token: service, #"{"type":"order.shipped","recipients":["u1"],"data":{"name":"A","order":"1"},"channels":["email"]}"#)
            #expect(stuck.status == 202)
            try await Task.sleep(for: .milliseconds(300))  // the e-mail attempt is now waiting on the silent server
            let next = try await send(hub, token: service, #"{"type":"password.reset","recipients":["u1"],"data":{"code":"9"}}"#)
            let id = try #require(next.json?["id"]?.string)
            let states = try await deliveries(hub, token: service, id) { $0.first?["status"] == .string("sent") }
            #expect(states.first?["status"] == .string("sent"), "an in-app notification is not held up by a hanging e-mail")
            kill(server.processIdentifier, SIGKILL)  // so shutdown need not wait for the e-mail's timeout
        }
    }
}
