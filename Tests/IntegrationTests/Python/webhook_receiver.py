"""A webhook receiver for the integration tests: records every delivery and verifies it
with the official `standardwebhooks` package, once per configured secret.

Usage: python3 webhook_receiver.py [--port N]
Binds 127.0.0.1 (port 0 unless --port), prints `listening PORT`, then serves forever.

Control API (JSON):
  POST /_control  {"secrets": [...], "fail_first": N, "fail_status": S, "status": S,
                   "retry_after": "..." | null, "delays": {"/path": seconds}}
                  -> {"ok": true}   (any subset of keys; retry_after null or "" sends no
                  Retry-After; a delivery to a path in delays is recorded on arrival and
                  answered that many seconds later)
  GET  /_received -> list of deliveries, oldest first
  POST /_reset    -> clears deliveries and attempt counts
Any other POST is a delivery.
"""

import argparse
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook

PARENT = os.getppid()

lock = threading.Lock()
settings = {"secrets": [], "fail_first": 0, "fail_status": 500, "status": 200, "retry_after": None, "delays": {}}
received = []
attempts = {}


def verified_with(secrets, body, headers):
    """Indexes of the secrets with which the library verifies this request on its own."""
    indexes = []
    for index, secret in enumerate(secrets):
        try:
            Webhook(secret).verify(body, headers)
            indexes.append(index)
        except Exception:  # WebhookVerificationError, or malformed headers/body/secret
            pass
    return indexes


def field(value, kind, *keys):
    """value[keys[0]][keys[1]]... when present and of `kind`, else None (never a crash)."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    if isinstance(value, bool) or not isinstance(value, kind):
        return None
    return value


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def reply(self, status, body, content_type="text/plain", extra=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def reply_json(self, status, value):
        self.reply(status, json.dumps(value), "application/json")

    def do_GET(self):
        if self.path == "/_received":
            with lock:
                snapshot = list(received)
            self.reply_json(200, snapshot)
        else:
            self.reply(404, "not found")

    def do_POST(self):
        body = self.read_body()
        if self.path == "/_control":
            try:
                update = json.loads(body or b"{}")
                if not isinstance(update, dict):
                    raise ValueError("not an object")
            except ValueError as error:
                self.reply_json(400, {"ok": False, "error": str(error)})
                return
            with lock:
                for key in settings:
                    if key in update:
                        settings[key] = update[key]
            self.reply_json(200, {"ok": True})
        elif self.path == "/_reset":
            with lock:
                received.clear()
                attempts.clear()
            self.reply_json(200, {"ok": True})
        else:
            self.deliver(body)

    def deliver(self, body):
        headers = {name.lower(): value for name, value in self.headers.items()}
        msg_id = headers.get("webhook-id", "")
        try:
            timestamp = int(headers.get("webhook-timestamp", "0"))
        except ValueError:
            timestamp = 0
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        with lock:
            secrets = list(settings["secrets"] or [])
        verified = verified_with(secrets, body, headers)
        with lock:
            attempts[msg_id] = attempts.get(msg_id, 0) + 1
            attempt = attempts[msg_id]
            if attempt <= int(settings["fail_first"] or 0):
                status = int(settings["fail_status"])
            else:
                status = int(settings["status"])
            retry_after = settings["retry_after"]
            delay = float((settings["delays"] or {}).get(self.path, 0))
            received.append({
                "id": msg_id,
                "timestamp": timestamp,
                "signature": headers.get("webhook-signature", ""),
                "verified": verified,
                "status": status,
                "path": self.path,
                "body": parsed,
                "type": field(parsed, str, "type"),
                "topic": field(parsed, str, "data", "topic"),
                "offset": field(parsed, int, "data", "offset"),
                "attempt": attempt,
            })
        time.sleep(delay)
        ok = 200 <= status < 300
        extra = [("Retry-After", str(retry_after))] if retry_after not in (None, "") and not ok else []
        self.reply(status, "ok" if ok else "fail", extra=extra)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 resets connections under bursts

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def exit_with_parent():
    """Exits once the process that started us is gone, so a crashed test run leaves no receiver behind."""
    while os.getppid() == PARENT:
        time.sleep(0.5)
    os._exit(0)


def main():
    # A child inherits its parent thread's signal mask; the Swift test runner's threads
    # block SIGTERM, which would make Process.terminate() a no-op here.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    port = parser.parse_args().port
    server = Server(("127.0.0.1", port), Handler)
    threading.Thread(target=exit_with_parent, daemon=True).start()
    print(f"listening {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
