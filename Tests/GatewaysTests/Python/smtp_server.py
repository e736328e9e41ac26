"""A real SMTP server (aiosmtpd) for the SMTP client's tests.

Prints `listening PORT` once it accepts connections on 127.0.0.1, then appends one JSON
line per event to the --record file: {"event": "connect"|"disconnect", "connection": N}
and {"event": "message", ...} with the envelope, the raw data (base64), whether the
commands after MAIL FROM arrived pipelined, whether the session was under TLS and who
authenticated, plus the message parsed by Python's `email` package.

Options choose the extensions and failures: --tls CERT KEY (STARTTLS, or with
--implicit-tls TLS from the first byte), --auth USER:PASS (AUTH required; --auth-mechanisms
to limit the mechanisms, --auth-plaintext to allow it without TLS), --pipelining,
--no-8bitmime, --size N (0 advertises no SIZE), --no-ehlo (answers EHLO with 502), and
--rcpt-reply ADDRESS=CODE (repeatable) or --data-reply CODE to refuse; --idle-timeout S
closes a silent session after S seconds, --close-after-message hangs up (as a server
restart would) right after accepting a message, and --silent accepts connections but never
answers (for client timeouts).

--count-only (for benchmarks) records a message as {"event": "message", "connection",
"rcpt_tos", "t"} only, where t is CLOCK_MONOTONIC in nanoseconds when it was accepted:
without the raw data and its parse, which would cost more than the SMTP session.

It exits when its parent dies; the test stops it with SIGKILL.
"""
import argparse
import asyncio
import base64
import email
import email.policy
import json
import os
import signal
import ssl
import time
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

# aiosmtpd reads its own deprecated Session.login_data on AUTH.
warnings.filterwarnings("ignore", message="Session.login_data")
# The Swift test runner blocks these; without unblocking, SIGTERM would be ignored.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

parser = argparse.ArgumentParser()
parser.add_argument("--record", required=True)
parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
parser.add_argument("--implicit-tls", action="store_true")
parser.add_argument("--auth")
parser.add_argument("--auth-mechanisms")
parser.add_argument("--auth-plaintext", action="store_true")
parser.add_argument("--pipelining", action="store_true")
parser.add_argument("--no-8bitmime", action="store_true")
parser.add_argument("--size", type=int, default=0)
parser.add_argument("--no-ehlo", action="store_true")
parser.add_argument("--rcpt-reply", action="append", default=[])
parser.add_argument("--data-reply")
parser.add_argument("--idle-timeout", type=float, default=300)
parser.add_argument("--silent", action="store_true")
parser.add_argument("--close-after-message", action="store_true")
parser.add_argument("--count-only", action="store_true")
args = parser.parse_args()

REPLY_TEXT = {"4": "Try again later", "5": "Rejected"}
rcpt_replies = dict(item.rsplit("=", 1) for item in args.rcpt_reply)
record_file = open(args.record, "a", buffering=1)
connections = 0


def record(event):
    record_file.write(json.dumps(event) + "\n")


def reply(code):
    return f"{code} {REPLY_TEXT[code[0]]}"


def describe(message):
    """The parsed structure the Swift tests check."""
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        parts.append({
            "content_type": part.get_content_type(),
            "charset": part.get_content_charset(),
            "transfer_encoding": part.get("Content-Transfer-Encoding"),
            "content": part.get_content(),
        })
    return {
        "content_type": message.get_content_type(),
        "headers": {name: str(value) for name, value in message.items()},
        "defects": [type(defect).__name__ for defect in message.defects],
        "parts": parts,
    }


class Handler:
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if args.no_ehlo:
            return ["502 Command not implemented"]
        if args.no_8bitmime:
            responses = [line for line in responses if "8BITMIME" not in line]
        if args.pipelining:
            responses.insert(1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in rcpt_replies:
            return reply(rcpt_replies[address])
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if args.data_reply:
            return reply(args.data_reply)
        if args.count_only:
            record({"event": "message", "connection": session.connection_id, "rcpt_tos": envelope.rcpt_tos,
                    "t": time.monotonic_ns()})
        else:
            raw = envelope.original_content
            record({
                "event": "message",
                "connection": session.connection_id,
                "mail_from": envelope.mail_from,
                "mail_options": envelope.mail_options,
                "rcpt_tos": envelope.rcpt_tos,
                "pipelined": session.pipelined,
                "tls": server.transport.get_extra_info("ssl_object") is not None,
                "auth": session.auth_data,
                "raw": base64.b64encode(raw).decode(),
                "parsed": describe(email.message_from_bytes(raw, policy=email.policy.default)),
            })
        if args.close_after_message:
            asyncio.get_running_loop().call_later(0.05, server.transport.close)
        return "250 Message accepted"


class RecordingSMTP(SMTP):
    def connection_made(self, transport):
        global connections
        super().connection_made(transport)
        if not hasattr(self, "connection_id"):
            connections += 1
            self.connection_id = connections
            record({"event": "connect", "connection": self.connection_id})
        self.session.connection_id = self.connection_id
        self.session.pipelined = False

    def connection_lost(self, error):
        super().connection_lost(error)
        record({"event": "disconnect", "connection": self.connection_id})

    async def smtp_MAIL(self, arg):
        # Pipelined clients send RCPT (and DATA) with MAIL: they are already buffered.
        self.session.pipelined = b"RCPT" in bytes(self._reader._buffer)
        await super().smtp_MAIL(arg)


def authenticator(server, session, envelope, mechanism, auth_data):
    user, password = args.auth.split(":", 1)
    if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password:
        return AuthResult(success=True, auth_data=user)
    return AuthResult(success=False, handled=False)


async def main():
    context = None
    if args.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*args.tls)
    options = {
        "hostname": "switchboard-test",
        "data_size_limit": args.size or None,
        "tls_context": None if args.implicit_tls else context,
        "authenticator": authenticator if args.auth else None,
        "auth_required": bool(args.auth),
        # Under implicit TLS aiosmtpd does not see the TLS (it only tracks STARTTLS).
        "auth_require_tls": not (args.auth_plaintext or args.implicit_tls),
        "timeout": args.idle_timeout,
    }
    if args.auth_mechanisms:
        allowed = set(args.auth_mechanisms.split(","))
        options["auth_exclude_mechanism"] = {"PLAIN", "LOGIN"} - allowed
    loop = asyncio.get_running_loop()
    factory = asyncio.Protocol if args.silent else lambda: RecordingSMTP(Handler(), **options)
    server = await loop.create_server(factory, host="127.0.0.1", port=0, ssl=context if args.implicit_tls else None)
    print(f"listening {server.sockets[0].getsockname()[1]}", flush=True)
    parent = os.getppid()
    while os.getppid() == parent:
        await asyncio.sleep(0.5)


asyncio.run(main())
