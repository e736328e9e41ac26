import Foundation
import GRDB

extension SQLiteStore {
    public func insertWebhookEndpoint(_ endpoint: WebhookEndpointRecord) async throws(StoreError) {
        try await write { db in try Self.save(endpoint, db: db, isNew: true) }
    }

    public func webhookEndpoints() async throws(StoreError) -> [WebhookEndpointRecord] {
        try await read { db in
            try Self.fetchEndpoints(db, sql: "SELECT * FROM webhook_endpoints ORDER BY created_ms, id", arguments: [])
        }
    }

    public func webhookEndpoint(id: String) async throws(StoreError) -> WebhookEndpointRecord? {
        try await read { db in
            try Self.fetchEndpoints(db, sql: "SELECT * FROM webhook_endpoints WHERE id = ?", arguments: [id]).first
        }
    }

    public func updateWebhookEndpoint(
        id: String, _ change: @escaping @Sendable (inout WebhookEndpointRecord) -> Void
    ) async throws(StoreError) -> WebhookEndpointRecord? {
        try await write { db in
            guard var endpoint = try Self.fetchEndpoints(
                db, sql: "SELECT * FROM webhook_endpoints WHERE id = ?", arguments: [id]).first
            else { return nil }
            let wasEnabled = endpoint.enabled
            let version = endpoint.updatedMilliseconds
            change(&endpoint)
            // Strictly later than before, even in the same millisecond or after the clock
            // stepped back: in-flight attempts tell a changed endpoint by it.
            endpoint.updatedMilliseconds = max(endpoint.updatedMilliseconds, version + 1)
            if endpoint.enabled, !wasEnabled {
                endpoint.disabledReason = nil
                endpoint.failingSinceMilliseconds = nil
            }
            try Self.save(endpoint, db: db, isNew: false)
            if !endpoint.enabled {
                try Self.failPendingMessages(endpointID: id, reason: "endpoint disabled", db: db)
            }
            return endpoint
        }
    }

    public func deleteWebhookEndpoint(id: String) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM webhook_endpoints WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func dueWebhookMessages(
        endpointID: String, nowMilliseconds: Int64, after: WebhookDuePosition?, limit: Int, excludingSequences: Set<Int64>
    ) async throws(StoreError) -> [WebhookDelivery] {
        try await read { db in
            guard let endpoint = try Self.fetchEndpoints(
                db, sql: "SELECT * FROM webhook_endpoints WHERE id = ? AND enabled = 1", arguments: [endpointID]).first
            else { return [] }
            // The due index holds each row's `seq`: the position and the exclusion are both
            // decided from it, so only the rows returned are read from the table.
            let start = after ?? WebhookDuePosition(dueMilliseconds: .min, sequence: .min)
            let rows = try Row.fetchAll(db.cachedStatement(sql: Self.dueMessagesSQL), arguments: [
                    endpointID, nowMilliseconds, start.dueMilliseconds, start.sequence,
                    "[" + excludingSequences.map(String.init).joined(separator: ",") + "]", limit,
                ])
            return rows.map { row in
                let message = WebhookMessageRecord(
                    id: row["id"], endpointID: endpointID, eventType: row["event_type"], body: row["body"],
                    createdMilliseconds: row["created_ms"], status: .pending, attempts: row["attempts"],
                    nextAttemptMilliseconds: row["next_attempt_ms"], lastError: row["last_error"])
                let position = WebhookDuePosition(dueMilliseconds: row["next_attempt_ms"], sequence: row["seq"])
                return WebhookDelivery(message: message, position: position, endpoint: endpoint)
            }
        }
    }

    /// The due read: endpoint, now, the position to read after (due time, `seq`), the excluded
    /// `seq`s as a JSON array, the limit.
    static let dueMessagesSQL = """
        SELECT seq, id, event_type, body, created_ms, attempts, next_attempt_ms, last_error FROM webhook_messages
        WHERE endpoint_id = ? AND status = 'pending' AND next_attempt_ms <= ?
          AND (next_attempt_ms, seq) > (?, ?)
          AND seq NOT IN (SELECT value FROM json_each(?))
        ORDER BY next_attempt_ms, seq LIMIT ?
        """

    @discardableResult
    public func recordWebhookAttempts(_ outcomes: [WebhookAttemptOutcome]) async throws(StoreError) -> Set<String> {
        // Unsynced: losing outcomes to a power loss only sends those messages again, which
        // receivers deduplicate by `webhook-id`; no message is lost, since each was stored
        // (synced) with its event.
        try await unsyncedWrite { db in
            var disabled = Set<String>()
            for outcome in outcomes {
                let attempt = outcome.attempt
                let (status, next): (WebhookMessageStatus, Int64?) = switch outcome.next {
                case .delivered: (.delivered, nil)
                case .retry(let at): (.pending, at)
                case .failed: (.failed, nil)
                }
                // Found by `seq` (no lookup by `id`); `id` too, since SQLite may give a deleted
                // last row's `seq` to the next message. Only while it is still pending where it
                // was attempted from: a replay or a disabled endpoint meanwhile stands.
                try db.cachedStatement(sql: """
                    UPDATE webhook_messages SET status = ?, attempts = attempts + 1, next_attempt_ms = ?, last_error = ?
                    WHERE seq = ? AND id = ? AND status = 'pending' AND next_attempt_ms = ?
                    """).execute(arguments: [
                        status.rawValue, next, attempt.error, outcome.position.sequence, attempt.messageID,
                        outcome.position.dueMilliseconds,
                    ])
                // A message deleted while its attempt was in flight (with its endpoint, or
                // replayed and then expired) leaves no attempt: the row would have nothing to
                // belong to (and would fail the batch).
                if db.changesCount == 0, try !Self.messageExists(outcome.position.sequence, id: attempt.messageID, db: db) {
                    continue
                }
                try db.cachedStatement(sql: """
                    INSERT INTO webhook_attempts (message_id, endpoint_id, attempted_ms, status_code, duration_ms, error, succeeded)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [
                        attempt.messageID, attempt.endpointID, attempt.attemptedMilliseconds, attempt.statusCode,
                        attempt.durationMilliseconds, attempt.error, attempt.succeeded,
                    ])
                // A failure counts against the endpoint only while it is as the attempt saw
                // it: one changed since (re-enabled, re-pointed, rotated, edited) is not judged
                // by an attempt made before. A success always shows it works.
                let version = outcome.endpointUpdatedMilliseconds
                switch outcome.endpoint {
                case .healthy:
                    // Most successes follow successes: then no row is written.
                    try db.cachedStatement(sql: """
                        UPDATE webhook_endpoints SET failing_since_ms = NULL WHERE id = ? AND failing_since_ms IS NOT NULL
                        """).execute(arguments: [attempt.endpointID])
                case .failing:
                    try db.cachedStatement(sql: """
                        UPDATE webhook_endpoints SET failing_since_ms = COALESCE(failing_since_ms, ?) WHERE id = ? AND updated_ms = ?
                        """).execute(arguments: [attempt.attemptedMilliseconds, attempt.endpointID, version])
                case .disable(let reason):
                    // Only an enabled endpoint: one disabled meanwhile keeps its reason.
                    try db.execute(sql: """
                        UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ?, updated_ms = MAX(?, updated_ms + 1)
                        WHERE id = ? AND updated_ms = ? AND enabled = 1
                        """, arguments: [reason, attempt.attemptedMilliseconds, attempt.endpointID, version])
                    if db.changesCount > 0 {
                        disabled.insert(attempt.endpointID)
                        try Self.failPendingMessages(endpointID: attempt.endpointID, reason: "endpoint disabled: \(reason)", db: db)
                    }
                }
            }
            return disabled
        }
    }

    public func webhookAttempts(
        endpointID: String?, succeeded: Bool?, sinceMilliseconds: Int64?, limit: Int
    ) async throws(StoreError) -> [WebhookAttemptRecord] {
        try await read { db in
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let endpointID {
                conditions.append("endpoint_id = ?")
                arguments.append(endpointID)
            }
            if let succeeded {
                conditions.append("succeeded = ?")
                arguments.append(succeeded)
            }
            if let sinceMilliseconds {
                conditions.append("attempted_ms >= ?")
                arguments.append(sinceMilliseconds)
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments.append(limit)
            return try Row.fetchAll(db, sql: """
                SELECT * FROM webhook_attempts \(filter) ORDER BY attempted_ms DESC, id DESC LIMIT ?
                """, arguments: StatementArguments(arguments)).map {
                WebhookAttemptRecord(
                    messageID: $0["message_id"], endpointID: $0["endpoint_id"], attemptedMilliseconds: $0["attempted_ms"],
                    statusCode: $0["status_code"], durationMilliseconds: $0["duration_ms"], error: $0["error"],
                    succeeded: $0["succeeded"])
            }
        }
    }

    public func webhookMessage(id: String) async throws(StoreError) -> WebhookMessageRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM webhook_messages WHERE id = ?", arguments: [id]).map {
                WebhookMessageRecord(
                    id: $0["id"], endpointID: $0["endpoint_id"], eventType: $0["event_type"], body: $0["body"],
                    createdMilliseconds: $0["created_ms"],
                    status: WebhookMessageStatus(rawValue: $0["status"]) ?? .failed, attempts: $0["attempts"],
                    nextAttemptMilliseconds: $0["next_attempt_ms"], lastError: $0["last_error"])
            }
        }
    }

    public func replayWebhookMessage(id: String, nowMilliseconds: Int64) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: """
                UPDATE webhook_messages SET status = 'pending', attempts = 0, next_attempt_ms = ? WHERE id = ?
                """, arguments: [Self.replayDue(now: nowMilliseconds), id])
            return db.changesCount > 0
        }
    }

    public func replayFailedWebhookMessages(
        endpointID: String, sinceMilliseconds: Int64, nowMilliseconds: Int64
    ) async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(sql: """
                UPDATE webhook_messages SET status = 'pending', attempts = 0, next_attempt_ms = ?
                WHERE endpoint_id = ? AND status = 'failed' AND created_ms >= ?
                """, arguments: [Self.replayDue(now: nowMilliseconds), endpointID, sinceMilliseconds])
            return db.changesCount
        }
    }

    /// When a replayed message is due: a millisecond after `now`. An attempt still in flight
    /// was read at or before `now`, so the position it holds is due at `now` at the latest;
    /// the replay is due later, and that attempt's outcome, which applies only while the
    /// message is still where it was attempted from, does not take the replay for its own.
    /// (This assumes the wall clock did not step back since the attempt was read.)
    private static func replayDue(now: Int64) -> Int64 {
        min(now, .max - 1) + 1
    }

    public func webhookOutboxDepth() async throws(StoreError) -> (pending: Int, oldestCreatedMilliseconds: Int64?) {
        try await read { db in
            // Both from the due index alone, which holds every pending message's `seq`: the
            // oldest is the first inserted, so only its own row is read. (Taking the oldest
            // creation time from the rows read every pending row, ~10k pages per second
            // with 100k pending.)
            let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT pending, (SELECT created_ms FROM webhook_messages WHERE seq = first) AS oldest
                FROM (SELECT COUNT(*) AS pending, MIN(seq) AS first FROM webhook_messages WHERE status = 'pending')
                """))
            return (row?["pending"] ?? 0, row?["oldest"])
        }
    }

    public func expireWebhookMessages(beforeMilliseconds: Int64) async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(sql: """
                DELETE FROM webhook_messages WHERE status IN ('delivered', 'failed') AND created_ms < ?
                """, arguments: [beforeMilliseconds])
            return db.changesCount
        }
    }

    // MARK: - Helpers

    private static func save(_ endpoint: WebhookEndpointRecord, db: Database, isNew: Bool) throws {
        if isNew {
            try db.execute(sql: """
                INSERT INTO webhook_endpoints (id, url, description, enabled, disabled_reason, secret, previous_secret,
                    previous_secret_expires_ms, failing_since_ms, created_ms, updated_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    endpoint.id, endpoint.url, endpoint.description, endpoint.enabled, endpoint.disabledReason,
                    Data(endpoint.sealedSecret), endpoint.sealedPreviousSecret.map { Data($0) }, endpoint.previousSecretExpiresMilliseconds,
                    endpoint.failingSinceMilliseconds, endpoint.createdMilliseconds, endpoint.updatedMilliseconds,
                ])
        } else {
            try db.execute(sql: "DELETE FROM webhook_filters WHERE endpoint_id = ?", arguments: [endpoint.id])
            try db.execute(sql: """
                UPDATE webhook_endpoints SET url = ?, description = ?, enabled = ?, disabled_reason = ?, secret = ?,
                    previous_secret = ?, previous_secret_expires_ms = ?, failing_since_ms = ?, updated_ms = ?
                WHERE id = ?
                """, arguments: [
                    endpoint.url, endpoint.description, endpoint.enabled, endpoint.disabledReason, Data(endpoint.sealedSecret),
                    endpoint.sealedPreviousSecret.map { Data($0) }, endpoint.previousSecretExpiresMilliseconds,
                    endpoint.failingSinceMilliseconds, endpoint.updatedMilliseconds, endpoint.id,
                ])
        }
        for (kind, patterns) in [("event", endpoint.events), ("topic", endpoint.topics)] {
            for pattern in Set(patterns) {
                try db.execute(
                    sql: "INSERT INTO webhook_filters (endpoint_id, kind, pattern) VALUES (?, ?, ?)",
                    arguments: [endpoint.id, kind, pattern])
            }
        }
    }

    private static func messageExists(_ sequence: Int64, id: String, db: Database) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM webhook_messages WHERE seq = ? AND id = ?)"),
            arguments: [sequence, id]) ?? false
    }

    private static func failPendingMessages(endpointID: String, reason: String, db: Database) throws {
        try db.execute(sql: """
            UPDATE webhook_messages SET status = 'failed', next_attempt_ms = NULL, last_error = ?
            WHERE endpoint_id = ? AND status = 'pending'
            """, arguments: [reason, endpointID])
    }

    /// Endpoints and their filters; `sql` is one of a few fixed queries, so its statement is cached.
    private static func fetchEndpoints(_ db: Database, sql: String, arguments: StatementArguments) throws -> [WebhookEndpointRecord] {
        try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map { row in
            endpoint(row, filters: try filters(of: row["id"], db: db))
        }
    }

    private static func filters(of endpointID: String, db: Database) throws -> (events: [String], topics: [String]) {
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT kind, pattern FROM webhook_filters WHERE endpoint_id = ? ORDER BY pattern"),
            arguments: [endpointID])
        return (
            rows.filter { $0["kind"] == "event" }.map { $0["pattern"] },
            rows.filter { $0["kind"] == "topic" }.map { $0["pattern"] })
    }

    private static func endpoint(_ row: Row, filters: (events: [String], topics: [String])) -> WebhookEndpointRecord {
        WebhookEndpointRecord(
            id: row["id"], url: row["url"], events: filters.events, topics: filters.topics,
            description: row["description"], enabled: row["enabled"], disabledReason: row["disabled_reason"],
            sealedSecret: [UInt8](row["secret"] as Data), sealedPreviousSecret: (row["previous_secret"] as Data?).map { [UInt8]($0) },
            previousSecretExpiresMilliseconds: row["previous_secret_expires_ms"],
            failingSinceMilliseconds: row["failing_since_ms"], createdMilliseconds: row["created_ms"],
            updatedMilliseconds: row["updated_ms"])
    }
}
