"""Ends every digest window now: moves the due time of each queued digest delivery in the
hub's SQLite file to the present, as if its window had passed. Usage: end_digest_windows.py DB"""
import sqlite3
import sys
import time

connection = sqlite3.connect(sys.argv[1], timeout=10)
with connection:
    changed = connection.execute(
        "UPDATE notification_deliveries SET due_ms = ? WHERE status = 'queued' AND digest IS NOT NULL",
        (int(time.time() * 1000),)).rowcount
print(changed)
