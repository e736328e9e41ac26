import GRDB

extension SQLiteStore: EntityStore {
    public func snapshot(kind: String, id: String) async throws(StoreError) -> EntitySnapshot? {
        try await read { db in
            try Row.fetchOne(db, sql: """
                SELECT state, event_offset, epoch, taken_ms FROM entity_snapshots WHERE kind = ? AND id = ?
                """, arguments: [kind, id]).map {
                EntitySnapshot(
                    kind: kind, id: id, state: $0["state"],
                    position: TopicPosition(epoch: $0["epoch"], offset: $0["event_offset"]), takenMilliseconds: $0["taken_ms"])
            }
        }
    }

    public func saveSnapshot(_ snapshot: EntitySnapshot) async throws(StoreError) {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO entity_snapshots (kind, id, state, event_offset, epoch, taken_ms) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (kind, id) DO UPDATE SET state = excluded.state, event_offset = excluded.event_offset,
                    epoch = excluded.epoch, taken_ms = excluded.taken_ms
                WHERE excluded.epoch != entity_snapshots.epoch OR excluded.event_offset >= entity_snapshots.event_offset
                """, arguments: [
                    snapshot.kind, snapshot.id, snapshot.state, snapshot.position.offset, snapshot.position.epoch,
                    snapshot.takenMilliseconds,
                ])
        }
    }

    public func setTimer(_ timer: EntityTimer) async throws(StoreError) {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO entity_timers (kind, id, name, due_ms) VALUES (?, ?, ?, ?)
                ON CONFLICT (kind, id, name) DO UPDATE SET due_ms = excluded.due_ms
                """, arguments: [timer.kind, timer.id, timer.name, timer.dueMilliseconds])
        }
    }

    public func cancelTimer(kind: String, id: String, name: String) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM entity_timers WHERE kind = ? AND id = ? AND name = ?", arguments: [kind, id, name])
        }
    }

    public func removeFiredTimer(_ timer: EntityTimer) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM entity_timers WHERE kind = ? AND id = ? AND name = ? AND due_ms = ?",
                arguments: [timer.kind, timer.id, timer.name, timer.dueMilliseconds])
        }
    }

    public func dueTimers(kind: String, nowMilliseconds: Int64, limit: Int) async throws(StoreError) -> [EntityTimer] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT kind, id, name, due_ms FROM entity_timers WHERE kind = ? AND due_ms <= ? ORDER BY due_ms LIMIT ?
                """, arguments: [kind, nowMilliseconds, limit]).map {
                EntityTimer(kind: $0["kind"], id: $0["id"], name: $0["name"], dueMilliseconds: $0["due_ms"])
            }
        }
    }
}
