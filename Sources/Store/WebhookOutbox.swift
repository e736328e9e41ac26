import GRDB

/// Turns committed events into webhook messages inside the append transaction: the
/// transactional outbox.
///
/// Matching is SQL `GLOB` against the endpoints' filter patterns (`*`, `ticket.*`, exact
/// names: the pattern syntax has no other glob characters). A topic pattern matches the
/// topic name or its namespace. When no endpoint is enabled the outbox costs one query per
/// batch and nothing per event.
struct WebhookOutbox {
    private let isActive: Bool

    /// Looks, once per transaction, whether any endpoint could take a message.
    init(_ db: Database) throws {
        isActive = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled = 1)")) ?? false
    }

    /// Adds one pending message, due now, per enabled endpoint whose filters match `event`.
    ///
    /// Its id is `msg_`, the creation time in milliseconds as 12 hex digits, then 64 random
    /// bits: ids in creation order keep the indexes on them (the messages' key, attempts by
    /// message) growing at their end, so recording a batch of outcomes writes a few pages
    /// rather than one page per message.
    func enqueue(_ event: StoredEvent, db: Database) throws {
        guard isActive else { return }
        let namespace = event.topic.split(separator: ":", maxSplits: 1).first.map(String.init) ?? event.topic
        try db.cachedStatement(sql: """
            INSERT INTO webhook_messages (id, endpoint_id, event_type, body, created_ms, status, attempts, next_attempt_ms)
            SELECT 'msg_' || printf('%012x', :now) || lower(hex(randomblob(8))), e.id, :name, :body, :now, 'pending', 0, :now
            FROM webhook_endpoints e
            WHERE e.enabled = 1
              AND EXISTS (SELECT 1 FROM webhook_filters f
                          WHERE f.endpoint_id = e.id AND f.kind = 'event' AND :name GLOB f.pattern)
              AND (NOT EXISTS (SELECT 1 FROM webhook_filters f WHERE f.endpoint_id = e.id AND f.kind = 'topic')
                   OR EXISTS (SELECT 1 FROM webhook_filters f
                              WHERE f.endpoint_id = e.id AND f.kind = 'topic'
                                AND (:topic GLOB f.pattern OR :namespace GLOB f.pattern)))
            """).execute(arguments: [
                "name": event.name, "body": Self.body(of: event), "now": event.timeMilliseconds,
                "topic": event.topic, "namespace": namespace,
            ])
    }

    /// `{"type", "timestamp", "data": {"topic", "offset", "epoch", "data"}}`, the event's data as stored.
    static func body(of event: StoredEvent) -> String {
        #"{"type":\#(JSONText.quoted(event.name)),"timestamp":"\#(JSONText.timestamp(milliseconds: event.timeMilliseconds))","#
            + #""data":{"topic":\#(JSONText.quoted(event.topic)),"offset":\#(event.offset),"#
            + #""epoch":\#(JSONText.quoted(event.epoch)),"data":\#(event.data)}}"#
    }
}
