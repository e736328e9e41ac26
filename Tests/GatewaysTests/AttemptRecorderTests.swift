@testable import Gateways
import Logging
@testable import Store
import Synchronization
import Testing

@Suite("AttemptRecorder")
struct AttemptRecorderTests {
    /// What `onRecorded` was told, in order.
    final class Reports: Sendable {
        let batches = Mutex<[(ids: [String], stored: Bool)]>([])

        func add(_ outcomes: [WebhookAttemptOutcome], stored: Bool) {
            batches.withLock { $0.append((outcomes.map(\.attempt.messageID), stored)) }
        }

        /// Every message id reported so far, and whether each was stored.
        var reported: [String: Bool] {
            batches.withLock { batches in
                Dictionary(batches.flatMap { batch in batch.ids.map { ($0, batch.stored) } }, uniquingKeysWith: { $1 })
            }
        }
    }

    /// A recorder over a store holding `count` pending messages for one endpoint, those
    /// messages, and what the recorder reports.
    func makeRecorder(_ count: Int, in directory: TemporaryDirectory) async throws -> (AttemptRecorder, SQLiteStore, [WebhookDelivery], Reports) {
        let (store, due) = try await storeWithMessages(count, in: directory)
        let reports = Reports()
        let recorder = AttemptRecorder(store: store, logger: Logger(label: "test")) { outcomes, stored, _ in reports.add(outcomes, stored: stored) }
        return (recorder, store, due, reports)
    }

    /// A store holding `count` pending messages for one endpoint, and those messages.
    func storeWithMessages(_ count: Int, in directory: TemporaryDirectory) async throws -> (SQLiteStore, [WebhookDelivery]) {
        let store = try SQLiteStore(path: directory.file("switchboard.sqlite"))
        try await store.insertWebhookEndpoint(WebhookEndpointRecord(
            id: "ep_1", url: "https://example.com/hook", events: ["*"], topics: [], description: nil, enabled: true,
            sealedSecret: [1, 2, 3], createdMilliseconds: 0, updatedMilliseconds: 0))
        _ = try store.append((0..<count).map { AppendRequest(topic: "events:t", name: "order.paid", data: "{\"n\":\($0)}", retainCount: 100) })
        let due = try await store.dueWebhookMessages(endpointID: "ep_1", nowMilliseconds: .max, after: nil, limit: count, excludingSequences: [])
        return (store, due)
    }

    func delivered(_ delivery: WebhookDelivery) -> WebhookAttemptOutcome {
        WebhookAttemptOutcome(
            attempt: WebhookAttemptRecord(
                messageID: delivery.message.id, endpointID: delivery.endpoint.id, attemptedMilliseconds: 1, statusCode: 200, durationMilliseconds: 1,
                error: nil, succeeded: true),
            of: delivery, next: .delivered, endpoint: .healthy)
    }

    @Test func outcomesGivenAtOnceAreWrittenAndReportedStored() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (recorder, store, due, reports) = try await makeRecorder(3, in: directory)
        let running = Task { await recorder.run() }
        for delivery in due { recorder.record(delivered(delivery)) }
        let deadline = ContinuousClock.now + .seconds(10)
        while reports.reported.count < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        recorder.finish()
        await running.value

        #expect(reports.reported == Dictionary(uniqueKeysWithValues: due.map { ($0.message.id, true) }))
        for delivery in due {
            #expect(try await store.webhookMessage(id: delivery.message.id)?.status == .delivered)
        }
    }

    @Test func aBatchTheStoreRefusesIsReportedNotStored() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (recorder, store, due, reports) = try await makeRecorder(1, in: directory)
        try await store.pool.write { db in try db.execute(sql: "DROP TABLE webhook_attempts") }  // no attempt can be written
        let running = Task { await recorder.run() }
        recorder.record(delivered(due[0]))
        recorder.finish()
        await running.value

        #expect(reports.reported == [due[0].message.id: false])
        #expect(try await store.webhookMessage(id: due[0].message.id)?.status == .pending)
    }

    @Test func anOutcomeGivenAfterFinishIsReportedNotStoredAtOnce() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (recorder, store, due, reports) = try await makeRecorder(1, in: directory)
        recorder.finish()
        await recorder.run()
        recorder.record(delivered(due[0]))

        #expect(reports.reported == [due[0].message.id: false])
        #expect(try await store.webhookMessage(id: due[0].message.id)?.status == .pending)
    }
}
