import Foundation

/// The REST requests of the notification scenarios: a type per channel, contacts, and
/// notifications to the users `user0`, `user1`...
enum NotificationRequests {
    /// The id of user `index`.
    static func user(_ index: Int) -> String { "user\(index)" }

    /// Creates (or replaces) the type `name` with the one channel `channel` (`in_app` or
    /// `email`), category `bench` and one variable, `n`.
    static func defineType(_ hub: HubOptions, name: String, channel: String) async throws {
        let templates = channel == "email"
            ? #"{"subject":"Bench notification {{n}}","text":"Bench notification {{n}}"}"#
            : #"{"text":"Bench notification {{n}}"}"#
        let saved = try await HubREST.request(
            hub, method: .PUT, path: "/api/v1/notifications/types/\(name)",
            json: #"{"category":"bench","channels":["\#(channel)"],"variables":["n"],"templates":{"\#(channel)":\#(templates)}}"#)
        guard saved.status == 200 else { throw HubRESTError.unexpected(status: saved.status, body: saved.body) }
    }

    /// Gives users `0..<users` the e-mail address `user<i>@example.com`, over `connections`
    /// connections at once.
    static func saveEmailContacts(_ hub: HubOptions, users: Int, connections: Int) async throws {
        try await HubHTTPConnection.forEach(hub, connections: connections, claims: Claims(total: users)) { connection, index in
            let saved = try await connection.request(
                .PUT, "/api/v1/users/\(user(index))/contacts", json: #"{"email":"\#(user(index))@example.com"}"#)
            guard saved.status == 200 else { throw HubRESTError.unexpected(status: saved.status, body: saved.body) }
        }
    }

    /// `POST /api/v1/notifications`: notification `number` of `type` (`data: {"n": number}`)
    /// to the users `recipients`, with an Idempotency-Key of its own for this run.
    static func send(
        _ connection: HubHTTPConnection, type: String, number: Int, recipients: some Sequence<Int>
    ) async throws -> HubREST.Response {
        let list = recipients.map { "\"\(user($0))\"" }.joined(separator: ",")
        return try await connection.request(
            .POST, "/api/v1/notifications", json: #"{"type":"\#(type)","recipients":[\#(list)],"data":{"n":\#(number)}}"#,
            headers: [("idempotency-key", "bench-\(HubSocket.runID)-\(type)-\(number)")])
    }

    /// Posts `count` notifications of `type` at once, each over a connection of its own:
    /// notification `k` goes to the `recipients` users from `k * recipients` on. Sets
    /// `sentAt[k]` (``Monotonic``) just before sending it. Returns their ids in order; throws
    /// unless every one is accepted (202).
    static func sendAll(_ hub: HubOptions, type: String, count: Int, recipients: Int, sentAt: [Box<UInt64>]) async throws -> [String] {
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for number in 0..<count {
                group.addTask {
                    try await HubHTTPConnection.with(hub) { connection in
                        sentAt[number].set(Monotonic.now())
                        let sent = try await send(
                            connection, type: type, number: number, recipients: number * recipients..<(number + 1) * recipients)
                        guard sent.status == 202, let id = sent.object?["id"] as? String else {
                            throw HubRESTError.unexpected(status: sent.status, body: sent.body)
                        }
                        return (number, id)
                    }
                }
            }
            var ids = Array(repeating: "", count: count)
            for try await (number, id) in group { ids[number] = id }
            return ids
        }
    }
}
