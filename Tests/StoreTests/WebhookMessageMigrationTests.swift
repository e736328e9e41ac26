import GRDB
@testable import Store
import Testing

@Suite("Webhook message migration (v13)")
struct WebhookMessageMigrationTests {
    /// Every column of every message, with the rowid (before v13) or `seq` (after) first.
    static func messages(_ db: Database, key: String) throws -> [[DatabaseValue]] {
        try Row.fetchAll(db, sql: """
            SELECT \(key), id, endpoint_id, event_type, body, created_ms, status, attempts, next_attempt_ms, last_error
            FROM webhook_messages ORDER BY \(key)
            """).map { Array($0.databaseValues) }
    }

    /// A database migrated up to v12 holding two endpoints, four messages (one deleted, so
    /// the rowids have a gap) and attempts; its messages as they were.
    static func databaseBeforeV13() async throws -> (path: String, messages: [[DatabaseValue]]) {
        let path = temporaryDatabase()
        let pool = try DatabasePool(path: path)
        try SQLiteStore.migrator.migrate(pool, upTo: "v12-webhook-messages-by-endpoint")
        let messages = try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO webhook_endpoints (id, url, enabled, secret, created_ms, updated_ms)
                    VALUES ('ep_1', 'https://example.com/1', 1, x'01', 0, 0), ('ep_2', 'https://example.com/2', 1, x'01', 0, 0);
                INSERT INTO webhook_messages (id, endpoint_id, event_type, body, created_ms, status, attempts, next_attempt_ms, last_error)
                    VALUES ('msg_a', 'ep_1', 'order.paid', '{"n":1}', 1, 'pending', 2, 500, 'HTTP 500'),
                           ('msg_b', 'ep_1', 'order.paid', '{"n":2}', 2, 'pending', 0, 600, NULL),
                           ('msg_c', 'ep_1', 'order.sent', '{"n":3}', 3, 'delivered', 1, NULL, NULL),
                           ('msg_d', 'ep_2', 'order.paid', '{"n":4}', 4, 'failed', 10, NULL, 'timed out');
                DELETE FROM webhook_messages WHERE id = 'msg_b';
                INSERT INTO webhook_attempts (message_id, endpoint_id, attempted_ms, duration_ms, succeeded)
                    VALUES ('msg_c', 'ep_1', 10, 5, 1), ('msg_d', 'ep_2', 11, 5, 0);
                """)
            return try Self.messages(db, key: "rowid")
        }
        return (path, messages)
    }

    @Test func everyMessageKeepsEveryColumnAndItsRowidBecomesItsSequence() async throws {
        let (path, before) = try await Self.databaseBeforeV13()

        let store = try SQLiteStore(path: path)

        let after = try await store.pool.read { db in try Self.messages(db, key: "seq") }
        #expect(after == before)
        #expect(after.map { $0[0] } == [1, 3, 4].map { Int64($0).databaseValue })
        let due = try await store.dueWebhookMessages(endpointID: "ep_1", nowMilliseconds: .max, after: nil, limit: 10, excludingSequences: [])
        #expect(due.map(\.position) == [WebhookDuePosition(dueMilliseconds: 500, sequence: 1)])
        let attempts = try await store.webhookAttempts(endpointID: nil, succeeded: nil, sinceMilliseconds: nil, limit: 10)
        #expect(Set(attempts.map(\.messageID)) == ["msg_c", "msg_d"])
        #expect(try await store.pool.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }.isEmpty)
    }

    @Test func theRebuiltTableKeepsItsIndexesUniqueIDsAndCascades() async throws {
        let (path, _) = try await Self.databaseBeforeV13()
        let store = try SQLiteStore(path: path)

        let indexes = try await store.pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'webhook_messages' AND sql IS NOT NULL ORDER BY name
                """)
        }
        #expect(indexes == ["webhook_messages_by_endpoint", "webhook_messages_by_time", "webhook_messages_due", "webhook_messages_failed"])
        do {
            try await store.pool.write { db in
                try db.execute(sql: """
                    INSERT INTO webhook_messages (id, endpoint_id, event_type, body, created_ms, status, attempts, next_attempt_ms)
                    VALUES ('msg_a', 'ep_1', 'order.paid', '{}', 1, 'pending', 0, 1)
                    """)
            }
            Issue.record("a second message with the id msg_a was stored")
        } catch let error as DatabaseError {
            #expect(error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE, "\(error)")
        }

        // Deleting an endpoint still takes its messages, and their attempts, with it
        #expect(try await store.deleteWebhookEndpoint(id: "ep_2"))
        #expect(try await store.webhookMessage(id: "msg_d") == nil)
        let attempts = try await store.webhookAttempts(endpointID: nil, succeeded: nil, sinceMilliseconds: nil, limit: 10)
        #expect(attempts.map(\.messageID) == ["msg_c"])
    }

    @Test func theStatusCheckAcceptsTheThreeStatusesAndRefusesAnyOther() async throws {
        let store = try SQLiteStore(path: temporaryDatabase())
        try await store.insertWebhookEndpoint(WebhookEndpointRecord(
            id: "ep_1", url: "https://example.com/hook", events: ["*"], topics: [], description: nil, enabled: true,
            sealedSecret: [1, 2, 3], createdMilliseconds: 0, updatedMilliseconds: 0))
        func insert(_ id: String, status: String, next: Int64?) async throws {
            try await store.pool.write { db in
                try db.execute(sql: """
                    INSERT INTO webhook_messages (id, endpoint_id, event_type, body, created_ms, status, attempts, next_attempt_ms)
                    VALUES (?, 'ep_1', 'order.paid', '{}', 1, ?, 0, ?)
                    """, arguments: [id, status, next])
            }
        }
        try await insert("msg_p", status: "pending", next: 1)
        try await insert("msg_d", status: "delivered", next: nil)
        try await insert("msg_f", status: "failed", next: nil)
        do {
            try await insert("msg_x", status: "lost", next: nil)
            Issue.record("a status other than pending, delivered or failed was stored")
        } catch let error as DatabaseError {
            #expect(error.extendedResultCode == .SQLITE_CONSTRAINT_CHECK, "\(error)")
        }
    }
}
