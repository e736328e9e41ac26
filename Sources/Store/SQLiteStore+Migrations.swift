import GRDB

extension SQLiteStore {
    /// Forward-only, named migrations; each runs once per database file.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-topics") { db in
            try db.execute(sql: """
                CREATE TABLE topic_heads (
                    topic TEXT PRIMARY KEY NOT NULL,
                    epoch TEXT NOT NULL,
                    last_offset INTEGER NOT NULL CHECK (last_offset >= 0)
                ) WITHOUT ROWID;
                CREATE TABLE topic_events (
                    topic TEXT NOT NULL,
                    event_offset INTEGER NOT NULL CHECK (event_offset > 0),
                    name TEXT NOT NULL,
                    data TEXT NOT NULL,
                    time_ms INTEGER NOT NULL,
                    PRIMARY KEY (topic, event_offset)
                ) WITHOUT ROWID;
                CREATE INDEX topic_events_by_time ON topic_events (time_ms);
                CREATE TABLE publish_keys (
                    topic TEXT NOT NULL,
                    key TEXT NOT NULL,
                    event_offset INTEGER NOT NULL,
                    epoch TEXT NOT NULL,
                    created_ms INTEGER NOT NULL,
                    PRIMARY KEY (topic, key)
                ) WITHOUT ROWID;
                CREATE INDEX publish_keys_by_time ON publish_keys (created_ms);
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY NOT NULL,
                    hash TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL,
                    created_ms INTEGER NOT NULL
                );
                """)
        }
        return migrator
    }
}
