"""A fake Twilio-style SMS API and FCM HTTP v1-style push API for the messaging providers' tests.

Prints `listening PORT` and serves, on 127.0.0.1:
  POST /2010-04-01/Accounts/{sid}/Messages.json  -> 201 {"sid": "SM0000…0001", "status": "queued"}
  POST /v1/projects/{project}/messages:send       -> 200 {"name": "projects/{project}/messages/1"}
Each request is appended to --record as one JSON line before it is answered:
{"path", "authorization", "content_type", "body"}, plus "form" (field -> list of values, decoded
as UTF-8) for SMS; a push body is canonical JSON (sorted keys, no spaces, non-ASCII kept) so
tests compare it as a string. Options:
  --status S          answer S, with the API's error body, instead of success
  --fail-first N      only the first N requests get --status; later ones succeed
  --error-code C      the Twilio error code (or FCM errorCode) in --status answers
  --invalid-number N  SMS to N get 400 with Twilio error 21211 (repeatable)
  --unregistered T    pushes to T get 404 NOT_FOUND with errorCode UNREGISTERED (repeatable)
  --silent            record each request, then never answer
  --stall-body        send each answer's status and headers, then never its body
Exits when its parent dies; the test stops it with SIGKILL.
"""
import argparse
import json
import os
import re
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

parser = argparse.ArgumentParser()
parser.add_argument("--record", required=True)
parser.add_argument("--status", type=int)
parser.add_argument("--fail-first", type=int)
parser.add_argument("--error-code")
parser.add_argument("--invalid-number", action="append", default=[])
parser.add_argument("--unregistered", action="append", default=[])
parser.add_argument("--silent", action="store_true")
parser.add_argument("--stall-body", action="store_true")
args = parser.parse_args()

SMS_PATH = re.compile(r"^/2010-04-01/Accounts/([A-Za-z0-9_-]+)/Messages\.json$")
PUSH_PATH = re.compile(r"^/v1/projects/([A-Za-z0-9_-]+)/messages:send$")
lock = threading.Lock()
count = 0


def fcm_error(status, name, error_code):
    details = [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": error_code}] if error_code else []
    return {"error": {"code": status, "message": "test", "status": name, "details": details}}


FCM_STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                    429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        entry = {
            "path": self.path,
            "authorization": self.headers.get("Authorization"),
            "content_type": self.headers.get("Content-Type"),
        }
        sms, push = SMS_PATH.match(self.path), PUSH_PATH.match(self.path)
        if sms:
            entry["body"] = raw.decode("utf-8")
            entry["form"] = parse_qs(entry["body"], keep_blank_values=True, strict_parsing=True, encoding="utf-8", errors="strict")
        elif push:
            entry["body"] = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        else:
            entry["body"] = raw.decode("utf-8", "replace")
        with lock:
            count += 1
            number = count
            with open(args.record, "a") as record:
                record.write(json.dumps(entry) + "\n")
        if args.silent:
            threading.Event().wait()
        failing = args.status is not None and (args.fail_first is None or number <= args.fail_first)
        if sms:
            to = entry["form"].get("To", [""])[0]
            if failing:
                code = int(args.error_code) if args.error_code else 20000 + args.status
                self.answer(args.status, {"code": code, "message": "test", "status": args.status})
            elif to in args.invalid_number:
                self.answer(400, {"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400})
            else:
                self.answer(201, {"sid": f"SM{number:032x}", "status": "queued"})
        elif push:
            token = json.loads(raw)["message"]["token"]
            if failing:
                self.answer(args.status, fcm_error(args.status, FCM_STATUS_NAMES.get(args.status, "UNKNOWN"), args.error_code))
            elif token in args.unregistered:
                self.answer(404, fcm_error(404, "NOT_FOUND", "UNREGISTERED"))
            else:
                self.answer(200, {"name": f"projects/{push.group(1)}/messages/{number}"})
        else:
            self.answer(404, {"error": "no such path"})

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if args.stall_body:
            self.wfile.flush()
            threading.Event().wait()
        self.wfile.write(data)

    def log_message(self, *_):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(f"listening {server.server_address[1]}", flush=True)
parent = os.getppid()
while os.getppid() == parent:
    threading.Event().wait(0.5)
