@testable import Store
import Testing

@Suite("Notification retention")
struct NotificationRetentionTests {
    func insert(_ store: SQLiteStore, _ id: String, createdMilliseconds: Int64, status: String) async throws {
        let record = NotificationRecord(
            id: id, type: "t", data: "{}", requestedBy: "svc", idempotencyKey: id, createdMilliseconds: createdMilliseconds)
        let delivery = DeliveryRecord(
            notificationID: id, recipient: "u1", channel: "email", status: status,
            dueMilliseconds: status == "queued" ? createdMilliseconds : nil, updatedMilliseconds: createdMilliseconds)
        _ = try await store.insertNotification(record, deliveries: [delivery], keyLifetimeMilliseconds: 1)
        if status == "sent", let (_, deliveries) = try await store.notification(id: id) {
            try await store.updateDeliveries(deliveries, attempts: [DeliveryAttemptRecord(
                deliveryID: deliveries[0].id, provider: "smtp", startedMilliseconds: createdMilliseconds, durationMilliseconds: 5,
                outcome: "sent", detail: nil)])
        }
    }

    @Test func oldNotificationsWithNothingLeftToSendGoWithTheirDeliveriesAndCalls() async throws {
        let store = try SQLiteStore(path: temporaryDatabase())
        try await insert(store, "ntf_old_sent", createdMilliseconds: 1_000, status: "sent")
        try await insert(store, "ntf_old_waiting", createdMilliseconds: 1_000, status: "queued")
        try await insert(store, "ntf_new", createdMilliseconds: 9_000, status: "sent")

        #expect(try await store.expireNotifications(createdBefore: 5_000, limit: 100) == 1)
        #expect(try await store.notification(id: "ntf_old_sent") == nil)
        #expect(try await store.deliveryAttempts(notificationID: "ntf_old_sent").isEmpty)
        #expect(try await store.notification(id: "ntf_old_waiting") != nil, "a delivery still waits to be sent")
        #expect(try await store.notification(id: "ntf_new") != nil)
        let calls = try await store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM notification_attempts") ?? -1 }
        #expect(calls == 1, "only ntf_new's provider call is left")
    }
}
