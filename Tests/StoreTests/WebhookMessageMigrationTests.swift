import GRDB
@testable import Store
import Testing

@Suite("Webhook message migration (v13)")
struct WebhookMessageMigrationTests {
    @Test func messagesKeepTheirIDsStatusAndAttemptsAndTheirRowidBecomesTheirSequence() async throws {
        // Given a database before v13 with three messages (the second deleted, so rowids have a gap) and an attempt
        let path = temporaryDatabase()
        do {
            let pool = try DatabasePool(path: path)
            try SQLiteStore.migrator.migrate(pool, upTo: "v12-webhook-messages-by-endpoint")
            try await pool.write { db in
                try db.execute(sql: """
                    INSERT INTO webhook_endpoints (id, url, enabled, secret, created_ms, updated_ms)
                        VALUES ('ep_1', 'https://example.com/hook', 1, x'01', 0, 0);
                    INSERT INTO webhook_messages (id, endpoint_id, event_type, body, created_ms, status, attempts, next_attempt_ms)
                        VALUES ('msg_a', 'ep_1', 'order.paid', '{}', 1, 'pending', 2, 500),
                               ('msg_b', 'ep_1', 'order.paid', '{}', 2, 'pending', 0, 600),
                               ('msg_c', 'ep_1', 'order.paid', '{}', 3, 'delivered', 1, NULL);
                    DELETE FROM webhook_messages WHERE id = 'msg_b';
                    INSERT INTO webhook_attempts (message_id, endpoint_id, attempted_ms, duration_ms, succeeded)
                        VALUES ('msg_c', 'ep_1', 10, 5, 1);
                    """)
            }
        }

        // When the store opens it
        let store = try SQLiteStore(path: path)

        // Then every message is where it was, its rowid now its sequence, its attempt still listed
        let due = try await store.dueWebhookMessages(endpointID: "ep_1", nowMilliseconds: .max, after: nil, limit: 10, excluding: [])
        #expect(due.map(\.message.id) == ["msg_a"])
        #expect(due.map(\.position) == [WebhookDuePosition(dueMilliseconds: 500, sequence: 1)])
        #expect(due.first?.message.attempts == 2)
        #expect(try await store.webhookMessage(id: "msg_c")?.status == .delivered)
        let sequences = try await store.pool.read { db in try Int64.fetchAll(db, sql: "SELECT seq FROM webhook_messages ORDER BY seq") }
        #expect(sequences == [1, 3])
        #expect(try await store.webhookAttempts(endpointID: "ep_1", succeeded: nil, sinceMilliseconds: nil, limit: 10).map(\.messageID) == ["msg_c"])
        let violations = try await store.pool.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        #expect(violations.isEmpty)
    }

    @Test func theStatusCheckStillRefusesAnUnknownStatus() async throws {
        let store = try SQLiteStore(path: temporaryDatabase())
        await #expect(throws: DatabaseError.self) {
            try await store.pool.write { db in
                try db.execute(sql: """
                    INSERT INTO webhook_endpoints (id, url, enabled, secret, created_ms, updated_ms)
                        VALUES ('ep_1', 'https://example.com/hook', 1, x'01', 0, 0);
                    INSERT INTO webhook_messages (id, endpoint_id, event_type, body, created_ms, status, attempts, next_attempt_ms)
                        VALUES ('msg_a', 'ep_1', 'order.paid', '{}', 1, 'lost', 0, NULL);
                    """)
            }
        }
    }
}
