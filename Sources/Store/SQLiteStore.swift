import Foundation
import GRDB
import Logging

/// The default ``EventStore`` and ``WebhookStore``: one SQLite file in WAL mode, through a
/// GRDB `DatabasePool`.
///
/// Reads run concurrently on the pool's readers; writes are serialized by SQLite.
/// Database errors are logged here and surface as ``StoreError`` without their text.
public struct SQLiteStore: EventStore, WebhookStore {
    /// How hard each commit is pushed to disk.
    public enum Durability: String, Sendable, Codable {
        /// `synchronous = FULL`: an acknowledged event survives a power loss.
        case full
        /// `synchronous = NORMAL`: an acknowledged event survives a process crash; a power
        /// loss may lose the last commits.
        case normal
    }

    let pool: DatabasePool
    let logger: Logger
    let durability: Durability
    /// Small writes on hot paths (inbox items, delivery outcomes, accepted notifications)
    /// share transactions through it.
    let sharedWriter: SharedWriter
    /// The file's identity and the last commit's outcome, for ``checkHealth()``.
    let health: StoreHealth

    /// The writer's page cache, in KiB: an upper bound, filled only as pages are used.
    static let writerCacheKiB = 64 * 1024

    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    public init(path: String, durability: Durability = .full, logger: Logger = Logger(label: "switchboard.store")) throws(StoreError) {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        self.logger = logger
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // Set on the writer after opening: GRDB turns WAL on after `prepareDatabase`
            // and sets `synchronous = NORMAL` as it does, which would undo FULL.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: Self.synchronousPragma(durability))
                // The writer's page cache outlives its transactions (the hub's only writer;
                // a write from another process, e.g. `keys create`, just drops it), so it is
                // worth keeping large: with SQLite's 2 MiB default, recording
                // webhook outcomes re-read ~3 pages per delivery from the file. Readers keep the
                // default, since a reader's cache is dropped whenever the database has changed.
                try db.execute(sql: "PRAGMA cache_size = -\(Self.writerCacheKiB)")
            }
            try Self.migrator.migrate(pool)
            sharedWriter = SharedWriter(pool: pool)
            health = StoreHealth(path: path)
            self.durability = durability
        } catch {
            logger.error("cannot open the store", metadata: ["sb.path": "\(path)", "error": "\(error)"])
            throw .unavailable("cannot open the store at \(path)")
        }
    }

    public func append(_ batch: [AppendRequest]) throws(StoreError) -> [AppendOutcome] {
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        do {
            let outcomes = try pool.writeWithoutTransaction { db in
                // Set for every batch rather than trusted: acknowledged events get the store's
                // durability even if an unsynced write could not restore it (see unsyncedWrite).
                try db.execute(sql: Self.synchronousPragma(durability))
                return try Self.inTransaction(db) { db in try Self.append(batch, now: now, db: db) }
            }
            health.recordCommit(succeeded: true)
            return outcomes
        } catch {
            health.recordCommit(succeeded: false)
            throw failure("write", error)
        }
    }

    /// The `synchronous` setting `durability` asks for.
    private static func synchronousPragma(_ durability: Durability) -> String {
        "PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL")"
    }

    /// The batch's statements, in its write transaction: offsets from the topic heads, one
    /// history trim and one head update per topic, webhook messages beside their events.
    private static func append(_ batch: [AppendRequest], now: Int64, db: Database) throws -> [AppendOutcome] {
        let outbox = try WebhookOutbox(db)
        var heads: [String: TopicPosition] = [:]
        var trimThrough: [String: Int64] = [:]
        var outcomes: [AppendOutcome] = []
        outcomes.reserveCapacity(batch.count)
        for request in batch {
            if let key = request.key, let first = try Self.eventForKey(key, topic: request.topic, db: db) {
                outcomes.append(AppendOutcome(event: first, isDuplicate: true))
                continue
            }
            var head = try heads[request.topic] ?? Self.head(of: request.topic, db: db)
            head.offset += 1
            heads[request.topic] = head
            let event = StoredEvent(
                topic: request.topic, offset: head.offset, epoch: head.epoch,
                name: request.name, data: request.data, timeMilliseconds: now, audience: request.audience)
            try db.cachedStatement(sql: """
                INSERT INTO topic_events (topic, event_offset, name, data, time_ms, audience) VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    event.topic, event.offset, event.name, event.data, event.timeMilliseconds, event.audience.rawValue,
                ])
            if let key = request.key {
                try db.cachedStatement(sql: """
                    INSERT INTO publish_keys (topic, key, event_offset, epoch, created_ms) VALUES (?, ?, ?, ?, ?)
                    """).execute(arguments: [event.topic, key, event.offset, event.epoch, now])
            }
            trimThrough[request.topic] = max(trimThrough[request.topic] ?? 0, event.offset - Int64(max(request.retainCount, 1)))
            try outbox.enqueue(event, db: db)
            outcomes.append(AppendOutcome(event: event, isDuplicate: false))
        }
        // One trim per topic and batch: the events past each topic's history bound.
        for (topic, last) in trimThrough where last > 0 {
            try db.cachedStatement(sql: "DELETE FROM topic_events WHERE topic = ? AND event_offset <= ?")
                .execute(arguments: [topic, last])
        }
        for (topic, head) in heads {
            try db.cachedStatement(sql: """
                INSERT INTO topic_heads (topic, epoch, last_offset) VALUES (?, ?, ?)
                ON CONFLICT(topic) DO UPDATE SET last_offset = excluded.last_offset
                """).execute(arguments: [topic, head.epoch, head.offset])
        }
        return outcomes
    }

    public func position(of topic: String) async throws(StoreError) -> TopicPosition {
        try await read { db in
            let row = try Row.fetchOne(db, sql: "SELECT epoch, last_offset FROM topic_heads WHERE topic = ?", arguments: [topic])
            return row.map { TopicPosition(epoch: $0["epoch"], offset: $0["last_offset"]) } ?? .empty
        }
    }

    public func events(of topic: String, after offset: Int64, limit: Int) async throws(StoreError) -> [StoredEvent] {
        try await read { db in
            try Self.fetchEvents(db, sql: """
                SELECT e.topic, e.event_offset, h.epoch, e.name, e.data, e.time_ms, e.audience
                FROM topic_events e JOIN topic_heads h ON h.topic = e.topic
                WHERE e.topic = ? AND e.event_offset > ? ORDER BY e.event_offset LIMIT ?
                """, arguments: [topic, offset, limit])
        }
    }

    public func latestEvents(of topic: String, limit: Int) async throws(StoreError) -> [StoredEvent] {
        try await read { db in
            try Self.fetchEvents(db, sql: """
                SELECT e.topic, e.event_offset, h.epoch, e.name, e.data, e.time_ms, e.audience
                FROM topic_events e JOIN topic_heads h ON h.topic = e.topic
                WHERE e.topic = ? ORDER BY e.event_offset DESC LIMIT ?
                """, arguments: [topic, limit]).reversed()
        }
    }

    public func trimEvents(namespace: String, before cutoffMilliseconds: Int64) async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(sql: """
                DELETE FROM topic_events
                WHERE topic >= ? AND topic < ? AND time_ms < ?
                  AND event_offset < (SELECT last_offset FROM topic_heads h WHERE h.topic = topic_events.topic)
                """, arguments: [namespace + ":", namespace + ";", cutoffMilliseconds])
            return db.changesCount
        }
    }

    public func expireIdempotencyKeys(before cutoffMilliseconds: Int64) async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM publish_keys WHERE created_ms < ?", arguments: [cutoffMilliseconds])
            return db.changesCount
        }
    }

    public func insertAPIKey(_ record: APIKeyRecord) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO api_keys (id, hash, role, created_ms) VALUES (?, ?, ?, ?)",
                arguments: [record.id, record.hash, record.role, record.createdMilliseconds])
        }
    }

    public func apiKey(hash: String) async throws(StoreError) -> APIKeyRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT id, hash, role, created_ms FROM api_keys WHERE hash = ?", arguments: [hash]).map {
                APIKeyRecord(id: $0["id"], hash: $0["hash"], role: $0["role"], createdMilliseconds: $0["created_ms"])
            }
        }
    }

    public func checkHealth() async throws(StoreError) {
        if health.isFileReplaced { throw .unavailable("the database file was removed or replaced") }
        if health.lastCommitFailed {
            // Only a commit shows that commits work again, and while readiness fails no
            // publish may come to make one: so make one.
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            do {
                try await write { db in
                    try db.execute(sql: "INSERT OR REPLACE INTO store_probe (id, checked_ms) VALUES (1, ?)", arguments: [now])
                }
            } catch {
                throw .unavailable("the last commit failed, and so does a new one")
            }
            health.recordCommit(succeeded: true)
        }
        // Reads the schema from the file, which a constant query would not touch.
        _ = try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
    }

    // MARK: - Helpers

    private static func head(of topic: String, db: Database) throws -> TopicPosition {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT epoch, last_offset FROM topic_heads WHERE topic = ?"), arguments: [topic])
        return row.map { TopicPosition(epoch: $0["epoch"], offset: $0["last_offset"]) }
            ?? TopicPosition(epoch: Self.newEpoch(), offset: 0)
    }

    private static func eventForKey(_ key: String, topic: String, db: Database) throws -> StoredEvent? {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT event_offset, epoch FROM publish_keys WHERE topic = ? AND key = ?"),
            arguments: [topic, key])
        else { return nil }
        let offset: Int64 = row["event_offset"]
        let epoch: String = row["epoch"]
        let stored = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT name, data, time_ms, audience FROM topic_events WHERE topic = ? AND event_offset = ?"),
            arguments: [topic, offset])
        // The event may have been trimmed since; the position is still the first result.
        return StoredEvent(
            topic: topic, offset: offset, epoch: epoch,
            name: stored?["name"] ?? "", data: stored?["data"] ?? "null", timeMilliseconds: stored?["time_ms"] ?? 0,
            audience: EventAudience(rawValue: stored?["audience"] ?? "") ?? .staff)
    }

    private static func fetchEvents(_ db: Database, sql: String, arguments: StatementArguments) throws -> [StoredEvent] {
        try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map(event)
    }

    /// An event from a row of `topic, event_offset, epoch, name, data, time_ms, audience`.
    static func event(_ row: Row) -> StoredEvent {
        StoredEvent(
            topic: row[0], offset: row[1], epoch: row[2], name: row[3], data: row[4], timeMilliseconds: row[5],
            audience: EventAudience(rawValue: row[6]) ?? .staff)
    }

    /// A short random epoch: 64 bits as hex, enough that a restarted sequence never reuses one.
    static func newEpoch() -> String {
        String(UInt64.random(in: .min ... .max), radix: 16)
    }

    func write<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws(StoreError) -> T {
        try await access("write") { try await pool.write(body) }
    }

    /// ``write(_:)`` in a transaction shared with concurrent callers (see ``SharedWriter``):
    /// for many small writes at once, one sync for all of them.
    func sharedWrite<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws(StoreError) -> T {
        try await access("write") { try await sharedWriter.write(body) }
    }

    /// ``write(_:)`` committed without waiting for the disk (`synchronous = NORMAL` for this
    /// one transaction): it survives a process crash, and a power loss may undo it until the
    /// next synced commit or checkpoint. Only for writes whose loss repeats work rather than
    /// losing it, such as webhook attempt outcomes (the message is sent again, with the same
    /// `webhook-id`). Every other write keeps the store's ``Durability``.
    func unsyncedWrite<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws(StoreError) -> T {
        guard durability == .full else { return try await write(body) }
        return try await access("write") {
            do {
                return try await writeUncancelled { db in
                    try db.execute(sql: "PRAGMA synchronous = NORMAL")
                    // Restored before anything is thrown, so no later commit runs unsynced.
                    let result = Result { try Self.inTransaction(db, body) }
                    try db.execute(sql: "PRAGMA synchronous = FULL")
                    return try result.get()
                }
            } catch {
                // In case the failure came between the two pragmas.
                do {
                    try await writeUncancelled { try $0.execute(sql: "PRAGMA synchronous = FULL") }
                } catch {
                    logger.critical("commits may not be synced until the hub restarts", metadata: ["error": "\(error)"])
                }
                throw error
            }
        }
    }

    /// Runs `body` on the writer outside any transaction, in a task of its own that the
    /// caller's cancellation does not reach: GRDB refuses every statement of a cancelled
    /// access, so a cancelled ``unsyncedWrite(_:)`` could not restore `synchronous = FULL`.
    private func writeUncancelled<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        try await Task { [pool] in try await pool.writeWithoutTransaction(body) }.value
    }

    private static func inTransaction<T>(_ db: Database, _ body: (Database) throws -> T) throws -> T {
        var result: T?
        try db.inTransaction {
            result = try body(db)
            return .commit
        }
        return result!
    }

    func read<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws(StoreError) -> T {
        try await access("read") { try await pool.read(body) }
    }

    /// Runs one database access: a failure is logged here and surfaces as ``StoreError``
    /// `unavailable`, without the database's text.
    private func access<T>(_ kind: String, _ run: () async throws -> T) async throws(StoreError) -> T {
        do {
            return try await run()
        } catch {
            throw failure(kind, error)
        }
    }

    /// Logs a failed database access and returns what callers see of it.
    private func failure(_ kind: String, _ error: any Error) -> StoreError {
        logger.error("store \(kind) failed", metadata: ["error": "\(error)"])
        return .unavailable()
    }
}
