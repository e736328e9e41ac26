"""A local fake of an OpenAI-compatible chat-completions API, for the assistant tests.

Usage: python3 fake_assistant.py
Binds 127.0.0.1 on a free port, prints `listening PORT`, then serves forever.

  POST /v1/chat/completions -> {"choices": [{"message": {"role": "assistant", "content":
                               "Draft for: <the last user message> (<n> articles)"}}]}
  POST /_mode {"mode": "ok" | "slow" | "fail"}  slow waits 5 s before answering; fail answers 500
  GET  /_requests -> every completions request body received, oldest first
"""

import json
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PARENT = os.getppid()
lock = threading.Lock()
state = {"mode": "ok", "requests": []}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with lock:
            requests = list(state["requests"])
        self.answer(200, requests)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if self.path == "/_mode":
            with lock:
                state["mode"] = body["mode"]
            return self.answer(200, {"ok": True})
        with lock:
            state["requests"].append(body)
            mode = state["mode"]
        if mode == "slow":
            time.sleep(5)
        if mode == "fail":
            return self.answer(500, {"error": {"message": "upstream exploded"}})
        messages = body.get("messages", [])
        last = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
        articles = sum(1 for m in messages if m["role"] == "system" and m["content"].startswith("Knowledge-base article"))
        self.answer(200, {"choices": [{"message": {"role": "assistant", "content": f"Draft for: {last} ({articles} articles)"}}]})


class Server(ThreadingHTTPServer):
    daemon_threads = True


def exit_with_parent():
    """Exits once the process that started us is gone, so a crashed test run leaves nothing behind."""
    while os.getppid() == PARENT:
        time.sleep(0.5)
    os._exit(0)


def main():
    # The Swift test runner's threads block SIGTERM; unblock it so the test can stop us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=exit_with_parent, daemon=True).start()
    print(f"listening {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
