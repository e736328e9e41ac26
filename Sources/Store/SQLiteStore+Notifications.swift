import GRDB

extension SQLiteStore: NotificationStore {
    public func saveDocument(kind: String, name: String, json: String) async throws(StoreError) {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO documents (kind, name, json) VALUES (?, ?, ?)
                ON CONFLICT (kind, name) DO UPDATE SET json = excluded.json
                """, arguments: [kind, name, json])
        }
    }

    public func document(kind: String, name: String) async throws(StoreError) -> String? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT json FROM documents WHERE kind = ? AND name = ?", arguments: [kind, name])
        }
    }

    public func documents(kind: String, names: [String]) async throws(StoreError) -> [String: String] {
        guard !names.isEmpty else { return [:] }
        return try await read { db in
            // In slices, within SQLite's limit on bound parameters.
            try stride(from: 0, to: names.count, by: 10_000).reduce(into: [:]) { found, start in
                let slice = Array(names[start..<min(start + 10_000, names.count)])
                for row in try Row.fetchAll(
                    db, sql: "SELECT name, json FROM documents WHERE kind = ? AND name IN (\(databaseQuestionMarks(count: slice.count)))",
                    arguments: StatementArguments([kind] + slice)) {
                    found[row["name"] as String] = row["json"] as String
                }
            }
        }
    }

    public func insertNotification(
        _ notification: NotificationRecord, deliveries: [DeliveryRecord], keyLifetimeMilliseconds: Int64
    ) async throws(StoreError) -> (id: String, isNew: Bool) {
        // A notification to a large topic is a big write: it must not hold up the small
        // writes sharing a transaction.
        let body: @Sendable (Database) throws -> (id: String, isNew: Bool) = { db in
            if let key = notification.idempotencyKey {
                // A key older than its lifetime is released, so it may be used again.
                try db.execute(
                    sql: "UPDATE notifications SET idempotency_key = NULL WHERE requested_by = ? AND idempotency_key = ? AND created_ms < ?",
                    arguments: [notification.requestedBy, key, notification.createdMilliseconds - keyLifetimeMilliseconds])
                if let first = try String.fetchOne(
                    db, sql: "SELECT id FROM notifications WHERE requested_by = ? AND idempotency_key = ?",
                    arguments: [notification.requestedBy, key]) {
                    return (first, false)
                }
            }
            try db.execute(sql: """
                INSERT INTO notifications (id, type, data, requested_by, idempotency_key, created_ms) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [
                    notification.id, notification.type, notification.data, notification.requestedBy, notification.idempotencyKey,
                    notification.createdMilliseconds,
                ])
            let insert = try db.cachedStatement(sql: """
                INSERT INTO notification_deliveries (notification_id, recipient, channel, status, reason, attempts, due_ms, updated_ms, digest)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for delivery in deliveries {
                try insert.execute(arguments: [
                    notification.id, delivery.recipient, delivery.channel, delivery.status, delivery.reason, delivery.attempts,
                    delivery.dueMilliseconds, delivery.updatedMilliseconds, delivery.digest,
                ])
            }
            return (notification.id, true)
        }
        return deliveries.count <= 1000 ? try await sharedWrite(body) : try await write(body)
    }

    public func notification(id: String) async throws(StoreError) -> (NotificationRecord, [DeliveryRecord])? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM notifications WHERE id = ?", arguments: [id]) else { return nil }
            let record = NotificationRecord(
                id: row["id"], type: row["type"], data: row["data"], requestedBy: row["requested_by"],
                idempotencyKey: row["idempotency_key"], createdMilliseconds: row["created_ms"])
            let deliveries = try Row.fetchAll(
                db, sql: "SELECT * FROM notification_deliveries WHERE notification_id = ? ORDER BY recipient, channel", arguments: [id]
            ).map(Self.delivery)
            return (record, deliveries)
        }
    }

    public func deliveryAttempts(notificationID: String) async throws(StoreError) -> [DeliveryAttemptRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT a.* FROM notification_attempts a JOIN notification_deliveries d ON d.id = a.delivery_id
                WHERE d.notification_id = ? ORDER BY a.id
                """, arguments: [notificationID]).map { row in
                DeliveryAttemptRecord(
                    deliveryID: row["delivery_id"], provider: row["provider"], startedMilliseconds: row["started_ms"],
                    durationMilliseconds: row["duration_ms"], outcome: row["outcome"], detail: row["detail"])
            }
        }
    }

    public func dueDeliveries(channel: String, nowMilliseconds: Int64, limit: Int) async throws(StoreError) -> [DeliveryRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM notification_deliveries WHERE status = 'queued' AND channel = ? AND due_ms <= ? ORDER BY due_ms LIMIT ?
                """, arguments: [channel, nowMilliseconds, limit]).map(Self.delivery)
        }
    }

    public func expireNotifications(createdBefore: Int64, limit: Int) async throws(StoreError) -> Int {
        try await write { db in
            let ids = try String.fetchAll(db, sql: """
                SELECT n.id FROM notifications n WHERE n.created_ms < ?
                  AND NOT EXISTS (SELECT 1 FROM notification_deliveries d WHERE d.notification_id = n.id AND d.status = 'queued')
                LIMIT ?
                """, arguments: [createdBefore, limit])
            guard !ids.isEmpty else { return 0 }
            let marks = databaseQuestionMarks(count: ids.count)
            try db.execute(sql: """
                DELETE FROM notification_attempts WHERE delivery_id IN
                  (SELECT id FROM notification_deliveries WHERE notification_id IN (\(marks)))
                """, arguments: StatementArguments(ids))
            try db.execute(sql: "DELETE FROM notification_deliveries WHERE notification_id IN (\(marks))", arguments: StatementArguments(ids))
            try db.execute(sql: "DELETE FROM notifications WHERE id IN (\(marks))", arguments: StatementArguments(ids))
            return ids.count
        }
    }

    public func queuedDeliveryCount(exceptOn channels: [String]) async throws(StoreError) -> Int {
        try await read { db in
            try Int.fetchOne(
                db, sql: """
                    SELECT COUNT(*) FROM notification_deliveries
                    WHERE status = 'queued' AND channel NOT IN (\(databaseQuestionMarks(count: channels.count)))
                    """,
                arguments: StatementArguments(channels)) ?? 0
        }
    }

    public func digestDeliveries(recipient: String, channel: String, digest: String) async throws(StoreError) -> [DeliveryRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM notification_deliveries WHERE recipient = ? AND channel = ? AND digest = ? AND status = 'queued' ORDER BY id
                """, arguments: [recipient, channel, digest]).map(Self.delivery)
        }
    }

    public func updateDeliveries(_ deliveries: [DeliveryRecord], attempts: [DeliveryAttemptRecord]) async throws(StoreError) {
        try await sharedWrite { db in
            let update = try db.cachedStatement(sql: """
                UPDATE notification_deliveries SET status = ?, reason = ?, attempts = ?, due_ms = ?, updated_ms = ? WHERE id = ?
                """)
            for delivery in deliveries {
                try update.execute(arguments: [
                    delivery.status, delivery.reason, delivery.attempts, delivery.dueMilliseconds, delivery.updatedMilliseconds, delivery.id,
                ])
            }
            let insert = try db.cachedStatement(sql: """
                INSERT INTO notification_attempts (delivery_id, provider, started_ms, duration_ms, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)
                """)
            for attempt in attempts {
                try insert.execute(arguments: [
                    attempt.deliveryID, attempt.provider, attempt.startedMilliseconds, attempt.durationMilliseconds, attempt.outcome,
                    attempt.detail,
                ])
            }
        }
    }

    public func changeTopicSubscribers(topic: String, add: [String], remove: [String], limit: Int) async throws(StoreError) -> Int? {
        try await write { db in
            var count: Int?
            try db.inSavepoint {
                let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO notification_topic_subscribers (topic, user) VALUES (?, ?)")
                for user in add { try insert.execute(arguments: [topic, user]) }
                let delete = try db.cachedStatement(sql: "DELETE FROM notification_topic_subscribers WHERE topic = ? AND user = ?")
                for user in remove { try delete.execute(arguments: [topic, user]) }
                let size = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM notification_topic_subscribers WHERE topic = ?", arguments: [topic]) ?? 0
                // Over the limit only by adding: removing from a topic already past it is fine.
                count = size <= limit || add.isEmpty ? size : nil
                return count == nil ? .rollback : .commit
            }
            return count
        }
    }

    public func topicSubscribers(topic: String, limit: Int) async throws(StoreError) -> [String] {
        try await read { db in
            try String.fetchAll(
                db, sql: "SELECT user FROM notification_topic_subscribers WHERE topic = ? ORDER BY user LIMIT ?", arguments: [topic, limit])
        }
    }

    public func addInboxItem(user: String, _ item: InboxItem) async throws(StoreError) -> Int {
        try await sharedWrite { db in
            try db.execute(sql: """
                INSERT INTO inbox_items (user, notification_id, type, text, created_ms) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (user, notification_id) DO NOTHING
                """, arguments: [user, item.notificationID, item.type, item.text, item.createdMilliseconds])
            return try Self.unreadCount(db, user: user)
        }
    }

    public func inboxItems(
        user: String, before: (createdMilliseconds: Int64, id: String)?, limit: Int
    ) async throws(StoreError) -> [InboxItem] {
        try await read { db in
            var sql = "SELECT * FROM inbox_items WHERE user = ? AND archived_ms IS NULL"
            var arguments: [any DatabaseValueConvertible] = [user]
            if let before {
                sql += " AND (created_ms < ? OR (created_ms = ? AND notification_id < ?))"
                arguments += [before.createdMilliseconds, before.createdMilliseconds, before.id]
            }
            sql += " ORDER BY created_ms DESC, notification_id DESC LIMIT ?"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments + [limit])).map { row in
                InboxItem(
                    notificationID: row["notification_id"], text: row["text"], type: row["type"], createdMilliseconds: row["created_ms"],
                    readMilliseconds: row["read_ms"], archivedMilliseconds: row["archived_ms"])
            }
        }
    }

    public func markInbox(user: String, ids: [String]?, archive: Bool, atMilliseconds: Int64) async throws(StoreError) -> Int {
        try await write { db in
            let column = archive ? "archived_ms" : "read_ms"
            var sql = "UPDATE inbox_items SET \(column) = ?, read_ms = COALESCE(read_ms, ?) WHERE user = ? AND \(column) IS NULL"
            var arguments: [any DatabaseValueConvertible] = [atMilliseconds, atMilliseconds, user]
            if let ids {
                guard !ids.isEmpty else { return try Self.unreadCount(db, user: user) }
                sql += " AND notification_id IN (\(databaseQuestionMarks(count: ids.count)))"
                arguments += ids
            }
            try db.execute(sql: sql, arguments: StatementArguments(arguments))
            return try Self.unreadCount(db, user: user)
        }
    }

    private static func unreadCount(_ db: Database, user: String) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM inbox_items WHERE user = ? AND read_ms IS NULL AND archived_ms IS NULL", arguments: [user]) ?? 0
    }

    private static func delivery(_ row: Row) -> DeliveryRecord {
        DeliveryRecord(
            id: row["id"], notificationID: row["notification_id"], recipient: row["recipient"], channel: row["channel"],
            status: row["status"], reason: row["reason"], attempts: row["attempts"], dueMilliseconds: row["due_ms"],
            updatedMilliseconds: row["updated_ms"], digest: row["digest"])
    }
}
