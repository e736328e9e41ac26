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
        migrator.registerMigration("v2-webhooks") { db in
            try db.execute(sql: """
                CREATE TABLE webhook_endpoints (
                    id TEXT PRIMARY KEY NOT NULL,
                    url TEXT NOT NULL,
                    description TEXT,
                    enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
                    disabled_reason TEXT,
                    secret BLOB NOT NULL,
                    previous_secret BLOB,
                    previous_secret_expires_ms INTEGER,
                    failing_since_ms INTEGER,
                    created_ms INTEGER NOT NULL,
                    updated_ms INTEGER NOT NULL
                );
                CREATE TABLE webhook_filters (
                    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL CHECK (kind IN ('event', 'topic')),
                    pattern TEXT NOT NULL,
                    PRIMARY KEY (endpoint_id, kind, pattern)
                ) WITHOUT ROWID;
                CREATE TABLE webhook_messages (
                    id TEXT PRIMARY KEY NOT NULL,
                    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
                    event_type TEXT NOT NULL,
                    body TEXT NOT NULL,
                    created_ms INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
                    attempts INTEGER NOT NULL CHECK (attempts >= 0),
                    next_attempt_ms INTEGER,
                    last_error TEXT,
                    CHECK ((status = 'pending') = (next_attempt_ms IS NOT NULL))
                );
                CREATE INDEX webhook_messages_due ON webhook_messages (endpoint_id, next_attempt_ms) WHERE status = 'pending';
                CREATE INDEX webhook_messages_by_endpoint ON webhook_messages (endpoint_id, status, created_ms);
                CREATE INDEX webhook_messages_by_time ON webhook_messages (created_ms);
                CREATE TABLE webhook_attempts (
                    id INTEGER PRIMARY KEY,
                    message_id TEXT NOT NULL REFERENCES webhook_messages(id) ON DELETE CASCADE,
                    endpoint_id TEXT NOT NULL,
                    attempted_ms INTEGER NOT NULL,
                    status_code INTEGER,
                    duration_ms INTEGER NOT NULL,
                    error TEXT,
                    succeeded INTEGER NOT NULL CHECK (succeeded IN (0, 1))
                );
                CREATE INDEX webhook_attempts_by_message ON webhook_attempts (message_id);
                CREATE INDEX webhook_attempts_by_endpoint ON webhook_attempts (endpoint_id, attempted_ms);
                CREATE INDEX webhook_attempts_by_time ON webhook_attempts (attempted_ms);
                """)
        }
        migrator.registerMigration("v3-entities") { db in
            try db.execute(sql: """
                CREATE TABLE entity_snapshots (
                    kind TEXT NOT NULL,
                    id TEXT NOT NULL,
                    state TEXT NOT NULL,
                    event_offset INTEGER NOT NULL CHECK (event_offset >= 0),
                    epoch TEXT NOT NULL,
                    taken_ms INTEGER NOT NULL,
                    PRIMARY KEY (kind, id)
                ) WITHOUT ROWID;
                CREATE TABLE entity_timers (
                    kind TEXT NOT NULL,
                    id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    due_ms INTEGER NOT NULL,
                    PRIMARY KEY (kind, id, name)
                ) WITHOUT ROWID;
                CREATE INDEX entity_timers_due ON entity_timers (kind, due_ms);
                """)
        }
        migrator.registerMigration("v4-event-audience") { db in
            try db.execute(sql: """
                ALTER TABLE topic_events ADD COLUMN audience TEXT NOT NULL DEFAULT 'everyone'
                    CHECK (audience IN ('everyone', 'staff'))
                """)
        }
        migrator.registerMigration("v5-ticket-index") { db in
            try db.execute(sql: """
                CREATE TABLE ticket_index (
                    id TEXT PRIMARY KEY NOT NULL,
                    queue TEXT NOT NULL,
                    status TEXT NOT NULL,
                    priority TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    requester TEXT,
                    assignee TEXT,
                    tags TEXT NOT NULL,
                    created_ms INTEGER NOT NULL,
                    updated_ms INTEGER NOT NULL
                );
                CREATE INDEX ticket_index_by_time ON ticket_index (created_ms, id);
                CREATE INDEX ticket_index_by_queue ON ticket_index (queue, status, created_ms);
                CREATE INDEX ticket_index_by_assignee ON ticket_index (assignee, created_ms);
                CREATE INDEX ticket_index_by_requester ON ticket_index (requester, created_ms);
                CREATE TABLE support_settings (
                    kind TEXT NOT NULL,
                    name TEXT NOT NULL,
                    json TEXT NOT NULL,
                    PRIMARY KEY (kind, name)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v6-chat-index") { db in
            try db.execute(sql: """
                CREATE TABLE chat_index (
                    id TEXT PRIMARY KEY NOT NULL,
                    queue TEXT NOT NULL,
                    status TEXT NOT NULL,
                    subject TEXT,
                    customer TEXT NOT NULL,
                    agent TEXT,
                    ticket TEXT,
                    created_ms INTEGER NOT NULL,
                    updated_ms INTEGER NOT NULL
                );
                CREATE INDEX chat_index_by_time ON chat_index (created_ms, id);
                CREATE INDEX chat_index_by_queue ON chat_index (queue, status, created_ms);
                CREATE INDEX chat_index_by_agent ON chat_index (agent, status, created_ms);
                CREATE INDEX chat_index_by_customer ON chat_index (customer, created_ms);
                """)
        }
        migrator.registerMigration("v7-knowledge-base") { db in
            // The index is an external-content FTS5 table over the articles, kept in step by
            // triggers, so an article and its index entry always change in one transaction.
            try db.execute(sql: """
                CREATE TABLE kb_articles (
                    id TEXT NOT NULL UNIQUE,
                    title TEXT NOT NULL,
                    body TEXT NOT NULL,
                    tags TEXT NOT NULL,
                    locale TEXT NOT NULL,
                    created_ms INTEGER NOT NULL,
                    updated_ms INTEGER NOT NULL
                );
                CREATE VIRTUAL TABLE kb_fts USING fts5(
                    title, body, tags, content = 'kb_articles', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2'
                );
                CREATE TRIGGER kb_articles_inserted AFTER INSERT ON kb_articles BEGIN
                    INSERT INTO kb_fts (rowid, title, body, tags) VALUES (new.rowid, new.title, new.body, new.tags);
                END;
                CREATE TRIGGER kb_articles_deleted AFTER DELETE ON kb_articles BEGIN
                    INSERT INTO kb_fts (kb_fts, rowid, title, body, tags) VALUES ('delete', old.rowid, old.title, old.body, old.tags);
                END;
                CREATE TRIGGER kb_articles_updated AFTER UPDATE ON kb_articles BEGIN
                    INSERT INTO kb_fts (kb_fts, rowid, title, body, tags) VALUES ('delete', old.rowid, old.title, old.body, old.tags);
                    INSERT INTO kb_fts (rowid, title, body, tags) VALUES (new.rowid, new.title, new.body, new.tags);
                END;
                """)
        }
        migrator.registerMigration("v8-notifications") { db in
            try db.execute(sql: """
                CREATE TABLE documents (
                    kind TEXT NOT NULL,
                    name TEXT NOT NULL,
                    json TEXT NOT NULL,
                    PRIMARY KEY (kind, name)
                ) WITHOUT ROWID;
                CREATE TABLE notifications (
                    id TEXT PRIMARY KEY NOT NULL,
                    type TEXT NOT NULL,
                    data TEXT NOT NULL,
                    requested_by TEXT NOT NULL,
                    idempotency_key TEXT,
                    created_ms INTEGER NOT NULL,
                    UNIQUE (requested_by, idempotency_key)
                );
                CREATE TABLE notification_deliveries (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    notification_id TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    status TEXT NOT NULL,
                    reason TEXT,
                    attempts INTEGER NOT NULL,
                    due_ms INTEGER,
                    updated_ms INTEGER NOT NULL,
                    UNIQUE (notification_id, recipient, channel)
                );
                CREATE INDEX notification_deliveries_due ON notification_deliveries (status, due_ms);
                CREATE TABLE inbox_items (
                    user TEXT NOT NULL,
                    notification_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    text TEXT NOT NULL,
                    created_ms INTEGER NOT NULL,
                    read_ms INTEGER,
                    archived_ms INTEGER,
                    PRIMARY KEY (user, notification_id)
                ) WITHOUT ROWID;
                CREATE INDEX inbox_items_by_time ON inbox_items (user, created_ms);
                """)
        }
        migrator.registerMigration("v9-notification-attempts") { db in
            try db.execute(sql: """
                CREATE TABLE notification_attempts (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    delivery_id INTEGER NOT NULL REFERENCES notification_deliveries (id) ON DELETE CASCADE,
                    provider TEXT NOT NULL,
                    started_ms INTEGER NOT NULL,
                    duration_ms INTEGER NOT NULL,
                    outcome TEXT NOT NULL,
                    detail TEXT
                );
                CREATE INDEX notification_attempts_by_delivery ON notification_attempts (delivery_id);
                DROP INDEX notification_deliveries_due;
                CREATE INDEX notification_deliveries_due ON notification_deliveries (status, channel, due_ms);
                """)
        }
        migrator.registerMigration("v10-notification-digests-and-topics") { db in
            try db.execute(sql: """
                ALTER TABLE notification_deliveries ADD COLUMN digest TEXT;
                CREATE INDEX notification_deliveries_digest ON notification_deliveries (recipient, channel, digest) WHERE digest IS NOT NULL;
                CREATE TABLE notification_topic_subscribers (
                    topic TEXT NOT NULL,
                    user TEXT NOT NULL,
                    PRIMARY KEY (topic, user)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v11-webhook-failed-index") { db in
            // Only the replay of failed messages reads by endpoint and creation time; an index
            // over every status was rewritten by each delivery (pending → delivered).
            try db.execute(sql: """
                DROP INDEX webhook_messages_by_endpoint;
                CREATE INDEX webhook_messages_failed ON webhook_messages (endpoint_id, created_ms) WHERE status = 'failed';
                """)
        }
        migrator.registerMigration("v12-webhook-messages-by-endpoint") { db in
            // Deleting an endpoint cascades to its messages by `endpoint_id`; a partial index
            // cannot serve that lookup. Without status in the key, a delivery never moves it.
            try db.execute(sql: "CREATE INDEX webhook_messages_by_endpoint ON webhook_messages (endpoint_id)")
        }
        migrator.registerMigration("v13-webhook-message-sequence") { db in
            // Rebuilt, which relies on GRDB's default deferred foreign-key checks: with keys
            // enforced, dropping the old table would cascade and delete every attempt. Two reasons:
            // - `seq`, an explicit rowid, so a message's place in the outbox never changes (VACUUM
            //   may renumber implicit rowids): the dispatcher reads due messages after the last one
            //   a read returned, and outcomes find their message by it, without a lookup by `id`;
            // - the status CHECK as ORs: SQLite builds a temporary b-tree for an IN list of three
            //   or more values at every insert and update (~2 µs each with 3.40: benchmarks/outbox_lab.py check).
            try db.execute(sql: """
                CREATE TABLE webhook_messages_v13 (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
                    event_type TEXT NOT NULL,
                    body TEXT NOT NULL,
                    created_ms INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status = 'pending' OR status = 'delivered' OR status = 'failed'),
                    attempts INTEGER NOT NULL CHECK (attempts >= 0),
                    next_attempt_ms INTEGER,
                    last_error TEXT,
                    CHECK ((status = 'pending') = (next_attempt_ms IS NOT NULL))
                );
                INSERT INTO webhook_messages_v13
                    (seq, id, endpoint_id, event_type, body, created_ms, status, attempts, next_attempt_ms, last_error)
                SELECT rowid, id, endpoint_id, event_type, body, created_ms, status, attempts, next_attempt_ms, last_error
                FROM webhook_messages;
                DROP TABLE webhook_messages;
                ALTER TABLE webhook_messages_v13 RENAME TO webhook_messages;
                CREATE INDEX webhook_messages_due ON webhook_messages (endpoint_id, next_attempt_ms) WHERE status = 'pending';
                CREATE INDEX webhook_messages_by_time ON webhook_messages (created_ms);
                CREATE INDEX webhook_messages_failed ON webhook_messages (endpoint_id, created_ms) WHERE status = 'failed';
                CREATE INDEX webhook_messages_by_endpoint ON webhook_messages (endpoint_id);
                """)
        }
        migrator.registerMigration("v14-waiting-chats") { db in
            // Every new chat asks for its queue's longest-waiting chat: only waiting chats
            // are in this index, so the answer does not walk the queue's open chats.
            try db.execute(sql: """
                CREATE INDEX chat_index_waiting ON chat_index (queue, created_ms, id) WHERE status = 'open' AND agent IS NULL
                """)
        }
        migrator.registerMigration("v15-store-probe") { db in
            // One row that readiness rewrites to learn whether commits work again after one
            // failed (StoreHealth): no traffic may come while the hub reports itself unready.
            try db.execute(sql: "CREATE TABLE store_probe (id INTEGER PRIMARY KEY CHECK (id = 1), checked_ms INTEGER NOT NULL)")
        }
        return migrator
    }
}
