#!/usr/bin/env python3
"""WAL frames (pages) each publish batch writes, and which b-tree each page belongs to.

    KEEP_WORK=1 SCENARIOS=publish benchmarks/run.sh      # leaves .../data-publish/switchboard.sqlite
    benchmarks/wal_frames.py /tmp/switchboard-bench.XXXXXX/data-publish/switchboard.sqlite

Works on a copy of the database. Replays, on its busiest topic, batches shaped like the
hub's append transaction (`SQLiteStore.append`: the events, one count trim, one head
update; no webhook endpoint), `--batches` of `--events` each, and reads the WAL after each
commit. With `--drop-time-index` or `--trim-every N` it shows what those changes would save.
"""
import argparse, os, shutil, sqlite3, struct, tempfile

FRAME_HEADER, WAL_HEADER = 24, 32


def main():
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("database")
    options.add_argument("--batches", type=int, default=64)
    options.add_argument("--events", type=int, default=21, help="events per batch (the publish run's mean)")
    options.add_argument("--retain", type=int, default=10000, help="the namespace's history size")
    options.add_argument("--trim-every", type=int, default=1, help="trim only when the trim point crosses a multiple of N")
    options.add_argument("--drop-time-index", action="store_true")
    options.add_argument("--pages", action="store_true", help="print each batch's pages and their b-trees")
    args = options.parse_args()

    copy = os.path.join(tempfile.mkdtemp(), "copy.sqlite")
    shutil.copy(args.database, copy)
    db = sqlite3.connect(copy, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA wal_autocheckpoint = 0")  # keep every frame in the WAL to count it
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    if args.drop_time_index:
        db.execute("DROP INDEX topic_events_by_time")
    owner = {page: name for page, name in db.execute("SELECT pageno, name FROM dbstat")}
    topic, epoch, offset = db.execute("SELECT topic, epoch, last_offset FROM topic_heads ORDER BY last_offset DESC").fetchone()

    def frames():
        data = open(copy + "-wal", "rb").read() if os.path.exists(copy + "-wal") else b""
        return [struct.unpack(">I", data[at:at + 4])[0]
                for at in range(WAL_HEADER, len(data) - FRAME_HEADER, FRAME_HEADER + page_size)]

    total = 0
    for batch in range(args.batches):
        before, first = len(frames()), offset
        db.execute("BEGIN")
        for _ in range(args.events):
            offset += 1
            db.execute("INSERT INTO topic_events (topic, event_offset, name, data, time_ms, audience) VALUES (?, ?, ?, ?, ?, ?)",
                       (topic, offset, "bench.hook", '{"seq":%d}' % offset, 1_764_000_000_000 + offset, "everyone"))
        step = args.trim_every
        if (offset - args.retain) // step > (first - args.retain) // step:
            db.execute("DELETE FROM topic_events WHERE topic = ? AND event_offset <= ?",
                       (topic, (offset - args.retain) // step * step))
        db.execute("UPDATE topic_heads SET last_offset = ? WHERE topic = ?", (offset, topic))
        db.execute("COMMIT")
        written = frames()[before:]
        total += len(written)
        if args.pages:
            print(f"batch {batch}: " + ", ".join(f"{page} {owner.get(page, 'free/new')}" for page in written))
    print(f"{total / args.batches:.2f} WAL frames per commit ({args.batches} batches of {args.events} events, "
          f"trim every {args.trim_every}, time index {'dropped' if args.drop_time_index else 'kept'})")


if __name__ == "__main__":
    main()
