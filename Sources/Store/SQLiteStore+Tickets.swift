import Foundation
import GRDB

extension SQLiteStore: TicketIndexStore {
    public func saveTicketSummary(_ summary: TicketSummary) async throws(StoreError) {
        let tags = String(decoding: (try? JSONEncoder().encode(summary.tags)) ?? Data("[]".utf8), as: UTF8.self)
        try await write { db in
            try db.execute(sql: """
                INSERT INTO ticket_index (id, queue, status, priority, subject, requester, assignee, tags, created_ms, updated_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET queue = excluded.queue, status = excluded.status,
                    priority = excluded.priority, subject = excluded.subject, requester = excluded.requester,
                    assignee = excluded.assignee, tags = excluded.tags, updated_ms = excluded.updated_ms
                """, arguments: [
                    summary.id, summary.queue, summary.status, summary.priority, summary.subject, summary.requester,
                    summary.assignee, tags, summary.createdMilliseconds, summary.updatedMilliseconds,
                ])
        }
    }

    public func openTicketCounts(queue: String) async throws(StoreError) -> [String: Int] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT assignee, COUNT(*) AS open FROM ticket_index
                WHERE queue = ? AND assignee IS NOT NULL AND status IN ('new', 'open', 'pending', 'on_hold')
                GROUP BY assignee
                """, arguments: [queue]).reduce(into: [:]) { $0[$1["assignee"] as String] = $1["open"] as Int }
        }
    }

    public func ticketSummaries(
        _ filter: TicketFilter, after: (createdMilliseconds: Int64, id: String)?, limit: Int
    ) async throws(StoreError) -> [TicketSummary] {
        try await read { db in
            var query = IndexPageQuery(table: "ticket_index")
            for (column, value) in [
                ("status", filter.status), ("queue", filter.queue), ("assignee", filter.assignee),
                ("priority", filter.priority), ("requester", filter.requester),
            ] {
                query.equal(column, value)
            }
            query.within("queue", filter.queues)
            query.after(after)
            return try query.fetch(db, limit: limit).map { row in
                let tagsText: String = row["tags"]
                return TicketSummary(
                    id: row["id"], queue: row["queue"], status: row["status"], priority: row["priority"],
                    subject: row["subject"], requester: row["requester"], assignee: row["assignee"],
                    tags: (try? JSONDecoder().decode([String].self, from: Data(tagsText.utf8))) ?? [],
                    createdMilliseconds: row["created_ms"], updatedMilliseconds: row["updated_ms"])
            }
        }
    }
}

extension SQLiteStore: SupportSettingsStore {
    public func saveSupportSetting(kind: String, name: String, json: String) async throws(StoreError) {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO support_settings (kind, name, json) VALUES (?, ?, ?)
                ON CONFLICT (kind, name) DO UPDATE SET json = excluded.json
                """, arguments: [kind, name, json])
        }
    }

    public func supportSettings(kind: String) async throws(StoreError) -> [(name: String, json: String)] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT name, json FROM support_settings WHERE kind = ? ORDER BY name", arguments: [kind])
                .map { ($0["name"], $0["json"]) }
        }
    }
}
