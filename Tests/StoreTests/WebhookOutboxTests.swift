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
        let due = try await store.dueWebhookMessages(endpointID: "ep_1", nowMilliseconds: .max, after: nil, limit: 100, excludingSequences: [])
        let ids = due.map(\.message.id)
        #expect(ids.count == 50 && Set(ids).count == 50)
        #expect(ids.allSatisfy { $0.hasPrefix("msg_") && $0.count == 32 })
        #expect(Set(ids.map { $0.prefix(16) }).count <= 2, "one batch, one or two milliseconds")
    }

    @Test func dueReadsPassOverExcludedMessagesAndStillFillTheirLimit() async throws {
        let store = try await storeWithMessages(10)
        let all = try await store.dueWebhookMessages(endpointID: "ep_1", nowMilliseconds: .max, after: nil, limit: 10, excludingSequences: [])
        let excluded = Set(all.prefix(4).map(\.position.sequence))
        let due = try await store.dueWebhookMessages(endpointID: "ep_1", nowMilliseconds: .max, after: nil, limit: 5, excludingSequences: excluded)
        #expect(due.map(\.message.id) == all[4..<9].map(\.message.id))
    }

    @Test func dueReadsGoOnAfterTheGivenPositionInDueOrder() async throws {
        // Given ten messages, the third due first and the first due last
        let store = try await storeWithMessages(10)
        try await store.pool.write { db in
            try db.execute(sql: "UPDATE webhook_messages SET next_attempt_ms = 100 + seq")
            try db.execute(sql: "UPDATE webhook_messages SET next_attempt_ms = 50 WHERE seq = 3")
            try db.execute(sql: "UPDATE webhook_messages SET next_attempt_ms = 200 WHERE seq = 1")
        }
        let all = try await store.dueWebhookMessages(endpointID: "ep_1", nowMilliseconds: .max, after: nil, limit: 10, excludingSequences: [])
        #expect(all.map(\.position.sequence) == [3, 2, 4, 5, 6, 7, 8, 9, 10, 1])
        #expect(all.map(\.position) == all.map(\.position).sorted())

        // When reading after the fourth, leaving out the sixth
        let due = try await store.dueWebhookMessages(
            endpointID: "ep_1", nowMilliseconds: .max, after: all[3].position, limit: 3, excludingSequences: [all[5].position.sequence])

        // Then the read starts at the fifth and passes over the sixth
        #expect(due.map(\.position.sequence) == [6, 8, 9])
    }

    @Test func dueReadsAfterAPositionBreakTiesOfDueTimeBySequence() async throws {
        // Given ten messages of one batch, all due at the same time (the common case)
        let store = try await storeWithMessages(10)
        let all = try await store.dueWebhookMessages(endpointID: "ep_1", nowMilliseconds: .max, after: nil, limit: 10, excludingSequences: [])
        #expect(Set(all.map(\.position.dueMilliseconds)).count == 1)

        // When reading after the fifth
        let due = try await store.dueWebhookMessages(
            endpointID: "ep_1", nowMilliseconds: .max, after: all[4].position, limit: 10, excludingSequences: [])

        // Then the read goes on with the sixth, by sequence
        #expect(due.map(\.position.sequence) == [6, 7, 8, 9, 10])
    }

    @Test func theDueReadSeeksTheDueIndexAndNeedsNoSort() async throws {
        let store = try await storeWithMessages(3)
        let plan = try await store.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SQLiteStore.dueMessagesSQL, arguments: ["ep_1", 0, 0, 0, "[]", 1])
                .map { $0["detail"] as String }.joined(separator: "\n")
        }
        #expect(plan.contains("USING INDEX webhook_messages_due (endpoint_id=? AND next_attempt_ms>? AND next_attempt_ms<?)"), "\(plan)")
        #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
    }

    @Test func dueReadsLeaveOutMessagesNotYetDue() async throws {
        let store = try await storeWithMessages(3)
        try await store.pool.write { db in try db.execute(sql: "UPDATE webhook_messages SET next_attempt_ms = 1000 * seq") }
        let due = try await store.dueWebhookMessages(endpointID: "ep_1", nowMilliseconds: 2000, after: nil, limit: 10, excludingSequences: [])
        #expect(due.map(\.position) == [1, 2].map { WebhookDuePosition(dueMilliseconds: 1000 * $0, sequence: $0) })
    }

    @Test func anOutcomeWhoseEndpointWasDeletedIsSkippedAndTheRestOfItsBatchIsRecorded() async throws {
        // Given one message for each of two endpoints, both attempted, then the second endpoint deleted
        let store = try SQLiteStore(path: temporaryDatabase())
        for id in ["ep_1", "ep_2"] {
            try await store.insertWebhookEndpoint(WebhookEndpointRecord(
                id: id, url: "https://example.com/\(id)", events: ["*"], topics: [], description: nil, enabled: true,
                sealedSecret: [1, 2, 3], createdMilliseconds: 0, updatedMilliseconds: 0))
        }
        _ = try store.append([AppendRequest(topic: "events:t", name: "order.paid", data: "{}", retainCount: 100)])
        var attempted: [WebhookDelivery] = []
        for id in ["ep_2", "ep_1"] {
            attempted += try await store.dueWebhookMessages(endpointID: id, nowMilliseconds: .max, after: nil, limit: 1, excludingSequences: [])
        }
        #expect(try await store.deleteWebhookEndpoint(id: "ep_2"))

        // When both outcomes are recorded in one batch, the deleted endpoint's first
        try await store.recordWebhookAttempts(attempted.map { delivery in
            WebhookAttemptOutcome(
                attempt: WebhookAttemptRecord(
                    messageID: delivery.message.id, endpointID: delivery.endpoint.id, attemptedMilliseconds: 1, statusCode: 204,
                    durationMilliseconds: 1, error: nil, succeeded: true),
                of: delivery, next: .delivered, endpoint: .healthy)
        })

        // Then the remaining endpoint's message is delivered and its attempt listed; the deleted one left nothing
        #expect(try await store.webhookMessage(id: attempted[1].message.id)?.status == .delivered)
        let attempts = try await store.webhookAttempts(endpointID: nil, succeeded: nil, sinceMilliseconds: nil, limit: 10)
        #expect(attempts.map(\.messageID) == [attempted[1].message.id])
    }

    @Test func anOutcomeLeavesAMessageReplayedOrFailedDuringItsAttemptAsItIsAndStillRecordsTheAttempt() async throws {
        // Given two messages attempted; meanwhile the first is replayed and the second failed
        let store = try await storeWithMessages(2)
        let attempted = try await store.dueWebhookMessages(
            endpointID: "ep_1", nowMilliseconds: .max, after: nil, limit: 2, excludingSequences: [])
        #expect(try await store.replayWebhookMessage(id: attempted[0].message.id, nowMilliseconds: 99_999_999_999_999))
        try await store.pool.write { db in
            try db.execute(sql: "UPDATE webhook_messages SET status = 'failed', next_attempt_ms = NULL WHERE seq = ?",
                           arguments: [attempted[1].position.sequence])
        }

        // When their attempts' outcomes (a retry, a success) are recorded
        try await store.recordWebhookAttempts(zip(attempted, [WebhookAttemptOutcome.Next.retry(atMilliseconds: 5), .delivered]).map {
            WebhookAttemptOutcome(
                attempt: WebhookAttemptRecord(
                    messageID: $0.message.id, endpointID: "ep_1", attemptedMilliseconds: 1, statusCode: 500,
                    durationMilliseconds: 1, error: nil, succeeded: false),
                of: $0, next: $1, endpoint: .failing)
        })

        // Then the replay and the failure stand, and both attempts are listed
        let replayed = try await store.webhookMessage(id: attempted[0].message.id)
        #expect(replayed?.status == .pending && replayed?.nextAttemptMilliseconds == 100_000_000_000_000 && replayed?.attempts == 0)
        #expect(try await store.webhookMessage(id: attempted[1].message.id)?.status == .failed)
        let attempts = try await store.webhookAttempts(endpointID: "ep_1", succeeded: nil, sinceMilliseconds: nil, limit: 10)
        #expect(attempts.count == 2)
    }

    @Test func aReplayInTheMillisecondItsMessageWasDueIsNotTakenForTheAttemptInFlight() async throws {
        // Given a message attempted from its due position, and replayed in that very millisecond
        let store = try await storeWithMessages(1)
        let attempted = try #require(try await store.dueWebhookMessages(
            endpointID: "ep_1", nowMilliseconds: .max, after: nil, limit: 1, excludingSequences: []).first)
        let due = attempted.position.dueMilliseconds
        #expect(try await store.replayWebhookMessage(id: attempted.message.id, nowMilliseconds: due))

        // When the attempt's failure is recorded
        try await store.recordWebhookAttempts([WebhookAttemptOutcome(
            attempt: WebhookAttemptRecord(
                messageID: attempted.message.id, endpointID: "ep_1", attemptedMilliseconds: due, statusCode: 500,
                durationMilliseconds: 1, error: "HTTP 500", succeeded: false),
            of: attempted, next: .failed, endpoint: .failing)])

        // Then the replay stands: pending, no attempts, due a millisecond later
        let replayed = try await store.webhookMessage(id: attempted.message.id)
        #expect(replayed?.status == .pending && replayed?.attempts == 0 && replayed?.nextAttemptMilliseconds == due + 1)
    }

    /// A failed attempt's outcome for `delivery`, with this endpoint change.
    func failure(_ delivery: WebhookDelivery, status: Int, at milliseconds: Int64, _ change: WebhookAttemptOutcome.EndpointChange) -> WebhookAttemptOutcome {
        WebhookAttemptOutcome(
            attempt: WebhookAttemptRecord(
                messageID: delivery.message.id, endpointID: delivery.endpoint.id, attemptedMilliseconds: milliseconds,
                statusCode: status, durationMilliseconds: 1, error: "HTTP \(status)", succeeded: false),
            of: delivery, next: .failed, endpoint: change)
    }

    @Test func failuresOfAttemptsMadeBeforeADisableAndReEnableLeaveTheEndpointAsItIs() async throws {
        // Given two messages attempted, then their endpoint disabled and enabled again
        let store = try await storeWithMessages(2)
        let attempted = try await store.dueWebhookMessages(
            endpointID: "ep_1", nowMilliseconds: .max, after: nil, limit: 2, excludingSequences: [])
        _ = try await store.updateWebhookEndpoint(id: "ep_1") { $0.enabled = false }
        _ = try await store.updateWebhookEndpoint(id: "ep_1") { $0.enabled = true }

        // When one attempt's 500 and the other's 410 are recorded
        let disabled = try await store.recordWebhookAttempts([
            failure(attempted[0], status: 500, at: 5, .failing), failure(attempted[1], status: 410, at: 5, .disable(reason: "410")),
        ])

        // Then the endpoint is still enabled and not failing, and both attempts are listed
        #expect(disabled.isEmpty)
        let endpoint = try await store.webhookEndpoint(id: "ep_1")
        #expect(endpoint?.enabled == true && endpoint?.failingSinceMilliseconds == nil)
        #expect(try await store.webhookAttempts(endpointID: "ep_1", succeeded: nil, sinceMilliseconds: nil, limit: 10).count == 2)
    }

    @Test func aFailureOfAnUnchangedEndpointStartsItsFailingTimeAndASuccessAfterAnEditClearsIt() async throws {
        // Given two messages attempted from an endpoint nobody changed
        let store = try await storeWithMessages(2)
        let attempted = try await store.dueWebhookMessages(
            endpointID: "ep_1", nowMilliseconds: .max, after: nil, limit: 2, excludingSequences: [])

        // When the first fails, then the endpoint is edited, then the second succeeds
        try await store.recordWebhookAttempts([failure(attempted[0], status: 500, at: 7, .failing)])
        let failing = try await store.webhookEndpoint(id: "ep_1")
        _ = try await store.updateWebhookEndpoint(id: "ep_1") { $0.description = "edited" }
        try await store.recordWebhookAttempts([WebhookAttemptOutcome(
            attempt: WebhookAttemptRecord(
                messageID: attempted[1].message.id, endpointID: "ep_1", attemptedMilliseconds: 8, statusCode: 204,
                durationMilliseconds: 1, error: nil, succeeded: true),
            of: attempted[1], next: .delivered, endpoint: .healthy)])

        // Then the failure started its failing time, and the success cleared it
        #expect(failing?.failingSinceMilliseconds == 7)
        #expect(try await store.webhookEndpoint(id: "ep_1")?.failingSinceMilliseconds == nil)
    }

    @Test func everyChangeMovesAnEndpointsUpdateTimeForwardEvenInTheSameMillisecond() async throws {
        let store = try await storeWithMessages(0)
        let first = try await store.updateWebhookEndpoint(id: "ep_1") { $0.updatedMilliseconds = 50 }
        let second = try await store.updateWebhookEndpoint(id: "ep_1") { $0.updatedMilliseconds = 50 }
        let third = try await store.updateWebhookEndpoint(id: "ep_1") { $0.updatedMilliseconds = 10 }
        #expect(first?.updatedMilliseconds == 50)
        #expect(second?.updatedMilliseconds == 51)
        #expect(third?.updatedMilliseconds == 52, "the clock stepped back")
    }

    @Test func aDisablingOutcomeDisablesAndReportsOnlyAnEndpointStillEnabled() async throws {
        // Given two messages of one endpoint, each answered 410
        let store = try await storeWithMessages(2)
        let attempted = try await store.dueWebhookMessages(
            endpointID: "ep_1", nowMilliseconds: .max, after: nil, limit: 2, excludingSequences: [])
        let gone = attempted.map { delivery in
            WebhookAttemptOutcome(
                attempt: WebhookAttemptRecord(
                    messageID: delivery.message.id, endpointID: "ep_1", attemptedMilliseconds: 1, statusCode: 410,
                    durationMilliseconds: 1, error: "HTTP 410", succeeded: false),
                of: delivery, next: .failed, endpoint: .disable(reason: "410"))
        }

        // Then the first batch disables it and says so; the second finds it disabled and says nothing
        #expect(try await store.recordWebhookAttempts([gone[0]]) == ["ep_1"])
        #expect(try await store.recordWebhookAttempts([gone[1]]).isEmpty)
        let endpoint = try await store.webhookEndpoint(id: "ep_1")
        #expect(endpoint?.enabled == false && endpoint?.disabledReason == "410")
    }

    @Test func outboxDepthCountsPendingMessagesAndAgesTheOldestStillPending() async throws {
        // Given five pending messages created at 1000, 2000, ... 5000 ms, the first delivered
        let store = try await storeWithMessages(5)
        try await store.pool.write { db in
            try db.execute(sql: "UPDATE webhook_messages SET created_ms = seq * 1000")
        }
        let first = try #require(try await store.dueWebhookMessages(
            endpointID: "ep_1", nowMilliseconds: .max, after: nil, limit: 1, excludingSequences: []).first)
        try await store.recordWebhookAttempts([WebhookAttemptOutcome(
            attempt: WebhookAttemptRecord(
                messageID: first.message.id, endpointID: "ep_1", attemptedMilliseconds: 6000, statusCode: 204,
                durationMilliseconds: 1, error: nil, succeeded: true),
            of: first, next: .delivered, endpoint: .healthy)])

        // Then the gauges see four pending, the oldest of them created at 2000 ms
        let depth = try await store.webhookOutboxDepth()
        #expect(depth.pending == 4)
        #expect(depth.oldestCreatedMilliseconds == 2000)
    }

    @Test func outboxDepthReadsTheDueIndexNotEveryPendingRow() async throws {
        let store = try await storeWithMessages(3)
        let plan = try await store.pool.read { db in
            try Row.fetchAll(db, sql: """
                EXPLAIN QUERY PLAN SELECT COUNT(*), MIN(seq) FROM webhook_messages WHERE status = 'pending'
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
