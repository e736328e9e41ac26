"""Upgrade requests a WebSocket library would never send, over raw sockets: none is upgraded
or redirected (each gets a 4xx with the error envelope), and a client that half-closes its
socket is let go at once.
Arguments: port, a valid token."""
import base64
import json
import os
import socket
import sys

port, token = int(sys.argv[1]), sys.argv[2]


def handshake(path, version="13", key=True):
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket", "Connection: Upgrade",
             f"Sec-WebSocket-Version: {version}", f"Authorization: Bearer {token}"]
    if key:
        lines.append("Sec-WebSocket-Key: " + base64.b64encode(os.urandom(16)).decode())
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return sock


def read_response(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    if not data:
        return None, {}, b""  # closed without an answer
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        body += sock.recv(4096)
    return int(lines[0].split()[1]), headers, body


# A version the hub does not speak, or no key: 400 with the error envelope; never a 101,
# never a redirect to the same URI.
for version, key in (("12", True), ("13", False)):
    status, headers, body = read_response(handshake("/v1/ws", version=version, key=key))
    assert status == 400 and json.loads(body)["error"]["code"] == "bad_request", (version, key, status, body)

# Another path: 404 with the error envelope.
sock = handshake("/v1/elsewhere")
status, headers, body = read_response(sock)
assert status == 404 and json.loads(body)["error"]["code"] == "not_found", (status, body)

# An upgrade asked for later on a kept-alive connection: a 307 to the same URI, to be
# asked again on a new connection (NIO upgrades only a connection's first request).
sock = socket.create_connection(("127.0.0.1", port), timeout=5)
sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
status, _, _ = read_response(sock)
assert status == 200, status
lines = ["GET /v1/ws?x=1 HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket", "Connection: Upgrade",
         "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: " + base64.b64encode(os.urandom(16)).decode()]
sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
status, headers, _ = read_response(sock)
assert status == 307 and headers.get("location") == "/v1/ws?x=1", (status, headers)

# Upgraded, then the client shuts its sending side without a close frame: the hub closes
# the socket at once instead of waiting for the next ping to fail.
sock = handshake("/v1/ws")
status, headers, _ = read_response(sock)
assert status == 101, status
sock.shutdown(socket.SHUT_WR)
try:
    while sock.recv(4096):
        pass
except socket.timeout:
    raise AssertionError("a half-closed connection was kept open")
print("ok")
