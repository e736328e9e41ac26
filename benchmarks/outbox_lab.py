#!/usr/bin/env python3
"""SQLite timings behind the webhook outbox's design (docs/benchmarks.md, finding 13).

    benchmarks/outbox_lab.py due       # a due read: excluding busy messages by id, by rowid, or reading after a position
    benchmarks/outbox_lab.py check     # a status CHECK written as IN ('a', 'b', 'c') against ORs: insert and update
    benchmarks/outbox_lab.py enqueue   # a message per event as INSERT ... SELECT against SELECT + INSERT ... VALUES
    benchmarks/outbox_lab.py migrate   # migration v13 (read from the source) on a million messages and attempts

Runs on Python's sqlite3 (the system's SQLite, 3.40.1 here) in a temporary directory, with
tables shaped like the hub's. Times include Python's own cost per statement (~1.7 us here,
`enqueue`'s "no-op select"), so compare rows with each other, not with the hub.
"""
import argparse, json, os, random, sqlite3, tempfile, time

BODY = ('{"type":"order.paid","timestamp":"2026-11-30T05:00:00.000Z","data":{"topic":"events:webhooks-1",'
        '"offset":1234,"epoch":"e1","data":{"n":12345,"text":"hello world"}}}')


def connect(name):
    db = sqlite3.connect(os.path.join(tempfile.mkdtemp(), name), isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    return db


def timed(label, count, run):
    start = time.perf_counter()
    for _ in range(count):
        run()
    print(f"{label:48s} {(time.perf_counter() - start) / count * 1e6:7.1f} us")


def due():
    """100k pending messages with random due times; the 150 first in due order are busy."""
    db = connect("due.sqlite")
    db.executescript("""
        CREATE TABLE m (id TEXT PRIMARY KEY NOT NULL, endpoint_id TEXT NOT NULL, body TEXT NOT NULL,
                        status TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_ms INTEGER);
        CREATE INDEX m_due ON m (endpoint_id, next_attempt_ms) WHERE status = 'pending';
        """)
    random.seed(1)
    db.execute("BEGIN")
    db.executemany("INSERT INTO m VALUES (?, 'ep', ?, 'pending', 3, ?)",
                   ((f"msg_{random.getrandbits(120):030x}", BODY, random.randint(0, 10**6)) for _ in range(100_000)))
    db.execute("COMMIT")
    head = db.execute("SELECT id, rowid, next_attempt_ms FROM m WHERE endpoint_id = 'ep' AND status = 'pending' "
                      "ORDER BY next_attempt_ms, rowid LIMIT 150").fetchall()
    select = "SELECT rowid, id, body, attempts, next_attempt_ms FROM m WHERE endpoint_id = 'ep' AND status = 'pending' AND next_attempt_ms <= 10000000"
    order = " ORDER BY next_attempt_ms, rowid LIMIT 32"
    by_id = select + " AND id NOT IN (SELECT value FROM json_each(?))" + order
    by_rowid = select + " AND rowid NOT IN (SELECT value FROM json_each(?))" + order
    after = select + " AND (next_attempt_ms, rowid) > (?, ?)" + order
    ids, rowids = json.dumps([h[0] for h in head]), json.dumps([h[1] for h in head])
    timed("excluding 150 busy by id", 2000, lambda: db.execute(by_id, (ids,)).fetchall())
    timed("excluding 150 busy by rowid", 2000, lambda: db.execute(by_rowid, (rowids,)).fetchall())
    timed("after the last busy one's position", 2000, lambda: db.execute(after, (head[-1][2], head[-1][1])).fetchall())
    timed("excluding nothing", 2000, lambda: db.execute(select + order).fetchall())


def check():
    """100k inserts, then 100k updates, of a table with a due index, per form of the status CHECK."""
    forms = {"IN (3 values)": "CHECK (status IN ('pending', 'delivered', 'failed'))",
             "ORs": "CHECK (status = 'pending' OR status = 'delivered' OR status = 'failed')",
             "no CHECK": ""}
    for label, constraint in forms.items():
        db = connect("check.sqlite")
        db.executescript(f"""
            CREATE TABLE m (id TEXT PRIMARY KEY NOT NULL, endpoint_id TEXT NOT NULL, body TEXT NOT NULL,
                            status TEXT NOT NULL {constraint}, next_attempt_ms INTEGER);
            CREATE INDEX m_due ON m (endpoint_id, next_attempt_ms) WHERE status = 'pending';
            """)
        ids = iter(range(100_000))
        db.execute("BEGIN")
        timed(f"{label}: insert", 100_000, lambda: db.execute(
            "INSERT INTO m VALUES (?, 'ep', ?, 'pending', 1)", (f"msg_{next(ids):012x}", BODY)))
        ids = iter(range(100_000))
        timed(f"{label}: update", 100_000, lambda: db.execute(
            "UPDATE m SET status = 'delivered', next_attempt_ms = NULL WHERE id = ?", (f"msg_{next(ids):012x}",)))
        db.execute("COMMIT")


def enqueue():
    """50k events, one endpoint taking every event, with the hub's filter subqueries."""
    matching = """FROM webhook_endpoints e WHERE e.enabled = 1
        AND EXISTS (SELECT 1 FROM webhook_filters f WHERE f.endpoint_id = e.id AND f.kind = 'event' AND :name GLOB f.pattern)
        AND (NOT EXISTS (SELECT 1 FROM webhook_filters f WHERE f.endpoint_id = e.id AND f.kind = 'topic')
             OR EXISTS (SELECT 1 FROM webhook_filters f WHERE f.endpoint_id = e.id AND f.kind = 'topic'
                        AND (:topic GLOB f.pattern OR :namespace GLOB f.pattern)))"""
    columns = "INSERT INTO webhook_messages (id, endpoint_id, event_type, body, created_ms, status, attempts, next_attempt_ms)"
    message = "'msg_' || printf('%012x', :now) || lower(hex(randomblob(8)))"
    one_statement = f"{columns} SELECT {message}, e.id, :name, :body, :now, 'pending', 0, :now {matching}"
    select = f"SELECT e.id {matching}"
    insert = f"{columns} VALUES ({message}, :endpoint, :name, :body, :now, 'pending', 0, :now)"
    arguments = {"now": 1764478800000, "name": "order.paid", "body": BODY, "topic": "events:webhooks-1", "namespace": "events"}

    def run(label, each):
        db = connect("enqueue.sqlite")
        db.execute("PRAGMA foreign_keys = ON")
        db.executescript("""
            CREATE TABLE webhook_endpoints (id TEXT PRIMARY KEY NOT NULL, enabled INTEGER NOT NULL);
            CREATE TABLE webhook_filters (endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id), kind TEXT NOT NULL,
                                          pattern TEXT NOT NULL, PRIMARY KEY (endpoint_id, kind, pattern)) WITHOUT ROWID;
            CREATE TABLE webhook_messages (
                seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
                endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
                event_type TEXT NOT NULL, body TEXT NOT NULL, created_ms INTEGER NOT NULL,
                status TEXT NOT NULL CHECK (status = 'pending' OR status = 'delivered' OR status = 'failed'),
                attempts INTEGER NOT NULL, next_attempt_ms INTEGER, last_error TEXT);
            CREATE INDEX webhook_messages_due ON webhook_messages (endpoint_id, next_attempt_ms) WHERE status = 'pending';
            CREATE INDEX webhook_messages_by_time ON webhook_messages (created_ms);
            CREATE INDEX webhook_messages_by_endpoint ON webhook_messages (endpoint_id);
            INSERT INTO webhook_endpoints VALUES ('ep_1', 1);
            INSERT INTO webhook_filters VALUES ('ep_1', 'event', '*');
            """)
        db.execute("BEGIN")
        timed(label, 50_000, lambda: each(db))
        db.execute("COMMIT")

    run("INSERT ... SELECT", lambda db: db.execute(one_statement, arguments))

    def two_statements(db):
        for (endpoint,) in db.execute(select, arguments).fetchall():
            db.execute(insert, dict(arguments, endpoint=endpoint))
    run("SELECT, then INSERT ... VALUES per endpoint", two_statements)
    run("no-op select (Python's cost per statement)", lambda db: db.execute("SELECT :now, :name, :body", arguments))


def migrate():
    """Migration v13's SQL, read from SQLiteStore+Migrations.swift, on a table shaped as before it."""
    source = open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                               "../Sources/Store/SQLiteStore+Migrations.swift")).read()
    start = source.index("CREATE TABLE webhook_messages_v13")
    v13 = source[start:source.index('"""', start)]
    db = connect("migrate.sqlite")
    db.executescript("""
        CREATE TABLE webhook_endpoints (id TEXT PRIMARY KEY NOT NULL);
        INSERT INTO webhook_endpoints VALUES ('ep_1');
        CREATE TABLE webhook_messages (
            id TEXT PRIMARY KEY NOT NULL, endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
            event_type TEXT NOT NULL, body TEXT NOT NULL, created_ms INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
            attempts INTEGER NOT NULL, next_attempt_ms INTEGER, last_error TEXT,
            CHECK ((status = 'pending') = (next_attempt_ms IS NOT NULL)));
        CREATE INDEX webhook_messages_due ON webhook_messages (endpoint_id, next_attempt_ms) WHERE status = 'pending';
        CREATE INDEX webhook_messages_by_time ON webhook_messages (created_ms);
        CREATE INDEX webhook_messages_failed ON webhook_messages (endpoint_id, created_ms) WHERE status = 'failed';
        CREATE INDEX webhook_messages_by_endpoint ON webhook_messages (endpoint_id);
        CREATE TABLE webhook_attempts (id INTEGER PRIMARY KEY,
            message_id TEXT NOT NULL REFERENCES webhook_messages(id) ON DELETE CASCADE, endpoint_id TEXT NOT NULL);
        CREATE INDEX webhook_attempts_by_message ON webhook_attempts (message_id);
        """)
    count = 1_000_000
    ids = [f"msg_{n:012x}{n:016x}" for n in range(count)]
    db.execute("BEGIN")
    db.executemany("INSERT INTO webhook_messages VALUES (?, 'ep_1', 'order.paid', ?, ?, 'delivered', 1, NULL, NULL)",
                   ((ids[n], BODY, n) for n in range(count)))
    db.executemany("INSERT INTO webhook_attempts (message_id, endpoint_id) VALUES (?, 'ep_1')", ((i,) for i in ids))
    db.execute("COMMIT")
    db.execute("PRAGMA foreign_keys = OFF")  # as GRDB runs a migration
    start = time.perf_counter()
    db.execute("BEGIN")
    for statement in filter(str.strip, v13.split(";")):
        db.execute(statement)
    violations = db.execute("PRAGMA foreign_key_check").fetchall()
    db.execute("COMMIT")
    print(f"v13 on {count} messages and {count} attempts, with the foreign key check: "
          f"{time.perf_counter() - start:.1f} s, {len(violations)} violations")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lab", choices=["due", "check", "enqueue", "migrate"])
    {"due": due, "check": check, "enqueue": enqueue, "migrate": migrate}[parser.parse_args().lab]()
