import Foundation
import GRDB
@testable import Store
import Testing

@Suite("Webhook outbox")
struct WebhookOutboxTests {
    func storeWithMessages(_ count: Int) async throws -> SQLiteStore {
        let store = try SQLiteStore(path: temporaryDatabase())
        try await store.insertWebhookEndpoint(WebhookEndpointRecord(
            id: "ep_1", url: "https://example.com/hook", events: ["*"], topics: [], description: nil, enabled: true,
            sealedSecret: [1, 2, 3], createdMilliseconds: 0, updatedMilliseconds: 0))
        _ = try store.append((0..<count).map { AppendRequest(topic: "events:t", name: "order.paid", data: "{\"n\":\($0)}", retainCount: 100) })
        return store
    }

    @Test func messageIDsFollowCreationOrder() async throws {
        let store = try await storeWithMessages(50)
        let due = try await store.dueWebhookMessages(endpointID: "ep_1", nowMilliseconds: .max, limit: 100, excluding: [])
        let ids = due.map(\.message.id)
        #expect(ids.count == 50 && Set(ids).count == 50)
        #expect(ids.allSatisfy { $0.hasPrefix("msg_") && $0.count == 32 })
        #expect(Set(ids.map { $0.prefix(16) }).count <= 2, "one batch, one or two milliseconds")
    }

    @Test func dueReadsPassOverExcludedMessagesAndStillFillTheirLimit() async throws {
        let store = try await storeWithMessages(10)
        let all = try await store.dueWebhookMessages(endpointID: "ep_1", nowMilliseconds: .max, limit: 10, excluding: []).map(\.message.id)
        let excluded = Set(all.prefix(4))
        let due = try await store.dueWebhookMessages(endpointID: "ep_1", nowMilliseconds: .max, limit: 5, excluding: excluded)
        #expect(due.count == 5)
        #expect(due.allSatisfy { !excluded.contains($0.message.id) && all.contains($0.message.id) })
    }

    @Test func outboxDepthCountsPendingMessagesAndAgesTheOldestStillPending() async throws {
        // Given five pending messages created at 1000, 2000, ... 5000 ms, the first delivered
        let store = try await storeWithMessages(5)
        try await store.pool.write { db in
            try db.execute(sql: "UPDATE webhook_messages SET created_ms = rowid * 1000")
        }
        let first = try #require(try await store.dueWebhookMessages(
            endpointID: "ep_1", nowMilliseconds: .max, limit: 1, excluding: []).first)
        try await store.recordWebhookAttempts([WebhookAttemptOutcome(
            attempt: WebhookAttemptRecord(
                messageID: first.message.id, endpointID: "ep_1", attemptedMilliseconds: 6000, statusCode: 204,
                durationMilliseconds: 1, error: nil, succeeded: true),
            next: .delivered, endpoint: .healthy)])

        // Then the gauges see four pending, the oldest of them created at 2000 ms
        let depth = try await store.webhookOutboxDepth()
        #expect(depth.pending == 4)
        #expect(depth.oldestCreatedMilliseconds == 2000)
    }

    @Test func outboxDepthReadsTheDueIndexNotEveryPendingRow() async throws {
        let store = try await storeWithMessages(3)
        let plan = try await store.pool.read { db in
            try Row.fetchAll(db, sql: """
                EXPLAIN QUERY PLAN SELECT COUNT(*), MIN(rowid) FROM webhook_messages WHERE status = 'pending'
                """).map { $0["detail"] as String }.joined(separator: "\n")
        }
        #expect(plan.contains("USING INDEX webhook_messages_due"), "\(plan)")
    }

    @Test func anEmptyOutboxHasNoOldestMessage() async throws {
        let depth = try await SQLiteStore(path: temporaryDatabase()).webhookOutboxDepth()
        #expect(depth.pending == 0)
        #expect(depth.oldestCreatedMilliseconds == nil)
    }
}
