import GRDB

/// Reading the retained history of whole namespaces, for reports computed from events
/// (agent analytics) rather than from projections.
public protocol EventHistoryStore: Sendable {
    /// Folds the whole retained history of every topic in `namespaces` that has at least one
    /// event from `from` to `to` (milliseconds since 1970, inclusive), in topic order and
    /// offset order within a topic, so a report sees each entity's earlier events too.
    /// Events are streamed: memory is the accumulator's only.
    func foldHistory<T: Sendable>(
        ofNamespaces namespaces: [String], touchedFrom from: Int64, to: Int64, into initial: T,
        _ fold: @escaping @Sendable (inout T, StoredEvent) -> Void
    ) async throws(StoreError) -> T
}

extension SQLiteStore: EventHistoryStore {
    public func foldHistory<T: Sendable>(
        ofNamespaces namespaces: [String], touchedFrom from: Int64, to: Int64, into initial: T,
        _ fold: @escaping @Sendable (inout T, StoredEvent) -> Void
    ) async throws(StoreError) -> T {
        guard !namespaces.isEmpty else { return initial }
        let patterns = namespaces.map { $0 + ":*" }
        let matches = Array(repeating: "topic GLOB ?", count: patterns.count).joined(separator: " OR ")
        return try await read { db in
            var result = initial
            let rows = try Row.fetchCursor(db, sql: """
                WITH touched AS (
                    SELECT DISTINCT topic FROM topic_events WHERE time_ms BETWEEN ? AND ? AND (\(matches))
                )
                SELECT e.topic, e.event_offset, h.epoch, e.name, e.data, e.time_ms, e.audience
                FROM touched t JOIN topic_events e ON e.topic = t.topic JOIN topic_heads h ON h.topic = e.topic
                ORDER BY e.topic, e.event_offset
                """, arguments: StatementArguments([from, to] + patterns))
            while let row = try rows.next() {
                fold(&result, Self.event(row))
            }
            return result
        }
    }
}
