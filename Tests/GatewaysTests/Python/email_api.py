"""A fake SendGrid-style e-mail API for the HTTP provider's tests.

Prints `listening PORT`, answers every POST with --status, and appends one JSON line per
request to --record: {"path", "authorization", "content_type", "body"}, the body as
canonical JSON (sorted keys, no spaces, non-ASCII kept) so tests compare it as a string. Exits when its
parent dies; the test stops it with SIGKILL.
"""
import argparse
import json
import os
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

parser = argparse.ArgumentParser()
parser.add_argument("--record", required=True)
parser.add_argument("--status", type=int, default=202)
args = parser.parse_args()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(args.record, "a") as record:
            record.write(json.dumps({
                "path": self.path,
                "authorization": self.headers.get("Authorization"),
                "content_type": self.headers.get("Content-Type"),
                "body": json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False),
            }) + "\n")
        answer = b'{"errors":[{"message":"test"}]}' if args.status >= 300 else b""
        self.send_response(args.status)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *_):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(f"listening {server.server_address[1]}", flush=True)
parent = os.getppid()
while os.getppid() == parent:
    threading.Event().wait(0.5)
