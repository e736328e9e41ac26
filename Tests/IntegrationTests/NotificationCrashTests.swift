import Foundation
@testable import Hub
import Testing

/// Notifications across a crash of the hub process.
@Suite("Notification crash safety")
struct NotificationCrashTests {
    /// The messages the SMTP server recorded so far.
    static func messages(in record: String) -> [JSONValue] {
        let lines = (try? String(contentsOfFile: record, encoding: .utf8))?.split(separator: "\n") ?? []
        return lines.compactMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }.filter { $0["event"] == .string("message") }
    }

    @Test func aNotificationToAThousandRecipientsSurvivesSIGKILLWithOnlyInFlightDuplicates() async throws {
        let record = TestHub.temporaryDirectory() + "/smtp.jsonl"
        let (server, port, _) = try await startPythonServer("../../GatewaysTests/Python/smtp_server.py", ["--record", record, "--pipelining"])
        defer { kill(server.processIdentifier, SIGKILL) }
        let data = TestHub.temporaryDirectory()
        let environment = ["SWITCHBOARD_SMTP_URL": "smtp://127.0.0.1:\(port)", "SWITCHBOARD_EMAIL_FROM": "noreply@example.com"]
        let hub = try await HubProcess.start(dataDirectory: data, environment: environment)
        let token = try await HubProcess.run(["token", "--sub", "svc", "--role", "service", "--data", data])
        let type = #"{"category":"orders","channels":["email"],"variables":["order"],"templates":{"email":{"subject":"Order {{order}}","text":"Shipped"}}}"#
        #expect(try await http(.PUT, hub.baseURL + "/api/v1/notifications/types/order.shipped", token: token, body: type).status == 200)
        let recipients = (0..<1000).map { "u\($0)" }
        try await withThrowingTaskGroup { group in
            for slice in stride(from: 0, to: recipients.count, by: 125).map({ recipients[$0..<$0 + 125] }) {
                group.addTask {
                    for user in slice {
                        let saved = try await http(
                            .PUT, hub.baseURL + "/api/v1/users/\(user)/contacts", token: token, body: #"{"email":"\#(user)@example.com"}"#)
                        guard saved.status == 200 else { throw TestFailure("contacts of \(user): \(saved.status)") }
                    }
                }
            }
            try await group.waitForAll()
        }

        // Given a notification to 1000 recipients, partly sent
        let list = recipients.map { "\"\($0)\"" }.joined(separator: ",")
        let accepted = try await http(
            .POST, hub.baseURL + "/api/v1/notifications", token: token,
            body: #"{"type":"order.shipped","recipients":[\#(list)],"data":{"order":"A-7"}}"#, headers: [("Idempotency-Key", "crash-1")])
        #expect(accepted.status == 202, "\(accepted.text)")
        let id = try #require(accepted.json?["id"]?.string)
        try await poll("some e-mail sent before the crash") { Self.messages(in: record).count >= 100 }

        // When the hub is killed mid-send and restarted
        #expect(try await hub.stop(signal: SIGKILL) == SIGKILL)
        let sentBeforeCrash = Self.messages(in: record).count
        let restarted = try await HubProcess.start(dataDirectory: data, environment: environment)

        // Then every recipient has its e-mail, and the only repeats are those in flight at the kill
        try await poll("every recipient reached", within: .seconds(120)) {
            Set(Self.messages(in: record).compactMap { $0["rcpt_tos"]?.array?.first?.string }).count >= 1000
        }
        let status = try await http(.GET, restarted.baseURL + "/api/v1/notifications/\(id)", token: token)
        let deliveries = status.json?["deliveries"]?.array ?? []
        #expect(deliveries.count == 1000)
        #expect(deliveries.allSatisfy { $0["status"] == .string("sent") }, "\(deliveries.filter { $0["status"] != .string("sent") }.prefix(3))")
        let messages = Self.messages(in: record)
        let perRecipient = Dictionary(grouping: messages) { $0["rcpt_tos"]?.array?.first?.string ?? "" }
        #expect(Set(perRecipient.keys) == Set(recipients.map { "\($0)@example.com" }))
        let duplicates = messages.count - perRecipient.count
        print("notification crash: \(sentBeforeCrash) e-mails before SIGKILL, \(messages.count) in all, \(duplicates) duplicates (in flight at the kill)")
        #expect(duplicates <= 64, "at most one e-mail channel's worth of sends is in flight")
        // A resend carries the first one's Message-ID, so the receiving side can tell.
        for (_, copies) in perRecipient where copies.count > 1 {
            #expect(Set(copies.compactMap { $0["parsed"]?["headers"]?["Message-ID"]?.string }).count == 1)
        }
        #expect(try await restarted.stop(signal: SIGTERM) == 0)
    }
}
