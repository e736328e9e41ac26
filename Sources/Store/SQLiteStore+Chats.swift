import GRDB

extension SQLiteStore: ChatIndexStore {
    public func saveChatSummary(_ summary: ChatSummary) async throws(StoreError) {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO chat_index (id, queue, status, subject, customer, agent, ticket, created_ms, updated_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET queue = excluded.queue, status = excluded.status,
                    subject = excluded.subject, customer = excluded.customer, agent = excluded.agent,
                    ticket = excluded.ticket, updated_ms = excluded.updated_ms
                """, arguments: [
                    summary.id, summary.queue, summary.status, summary.subject, summary.customer, summary.agent,
                    summary.ticket, summary.createdMilliseconds, summary.updatedMilliseconds,
                ])
        }
    }

    public func openChatCounts(queue: String) async throws(StoreError) -> [String: Int] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT agent, COUNT(*) AS open FROM chat_index
                WHERE queue = ? AND agent IS NOT NULL AND status = 'open'
                GROUP BY agent
                """, arguments: [queue]).reduce(into: [:]) { $0[$1["agent"] as String] = $1["open"] as Int }
        }
    }

    public func chatSummaries(
        _ filter: ChatFilter, after: (createdMilliseconds: Int64, id: String)?, limit: Int
    ) async throws(StoreError) -> [ChatSummary] {
        try await read { db in
            var query = IndexPageQuery(table: "chat_index")
            for (column, value) in [
                ("status", filter.status), ("queue", filter.queue), ("agent", filter.agent), ("customer", filter.customer),
            ] {
                query.equal(column, value)
            }
            query.within("queue", filter.queues)
            query.after(after)
            return try query.fetch(db, limit: limit).map(Self.chatSummary)
        }
    }

    public func waitingChats(queue: String, limit: Int) async throws(StoreError) -> [ChatSummary] {
        try await read { db in
            // Through `chat_index_waiting`, which holds only waiting chats, in this order.
            try Row.fetchAll(db, sql: """
                SELECT * FROM chat_index WHERE queue = ? AND status = 'open' AND agent IS NULL
                ORDER BY created_ms, id LIMIT ?
                """, arguments: [queue, limit]).map(Self.chatSummary)
        }
    }

    private static func chatSummary(_ row: Row) -> ChatSummary {
        ChatSummary(
            id: row["id"], queue: row["queue"], status: row["status"], subject: row["subject"],
            customer: row["customer"], agent: row["agent"], ticket: row["ticket"],
            createdMilliseconds: row["created_ms"], updatedMilliseconds: row["updated_ms"])
    }
}
