"""A client that subscribes and then stops reading, with a tiny receive buffer.

It prints "subscribed" once its subscription is confirmed, waits for a line on stdin
(sent once the test has published enough to overflow it), then reads everything and
prints the close code the server sent."""
import base64
import json
import os
import socket
import struct
import sys

port, token, topic = int(sys.argv[1]), sys.argv[2], sys.argv[3]
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
sock.connect(("127.0.0.1", port))
key = base64.b64encode(os.urandom(16)).decode()
sock.sendall((
    f"GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n"
).encode())
buffer = b""
while b"\r\n\r\n" not in buffer:
    buffer += sock.recv(4096)
head, buffer = buffer.split(b"\r\n\r\n", 1)
assert b" 101 " in head.split(b"\r\n")[0], head


def send_text(text):
    payload = text.encode()
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    length = len(payload)
    header = struct.pack("!BB", 0x81, 0x80 | length) if length < 126 else struct.pack("!BBH", 0x81, 0x80 | 126, length)
    sock.sendall(header + mask + masked)


def read_exact(n):
    global buffer
    while len(buffer) < n:
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError
        buffer += chunk
    data, buffer = buffer[:n], buffer[n:]
    return data


def read_frame():
    first, second = read_exact(2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", read_exact(2))[0]
    elif length == 127:
        length = struct.unpack("!Q", read_exact(8))[0]
    return first & 0x0F, read_exact(length)


send_text(json.dumps({"op": "subscribe", "id": 1, "topic": topic}))
opcode, payload = read_frame()
assert json.loads(payload)["id"] == 1, payload
print("subscribed", flush=True)
sys.stdin.readline()
events = 0
while True:
    try:
        opcode, payload = read_frame()
    except EOFError:
        print("eof without close frame", events, flush=True)
        sys.exit(1)
    if opcode == 0x8:
        code = struct.unpack("!H", payload[:2])[0]
        print("close", code, "after", events, "events", flush=True)
        sys.exit(0 if code == 4008 else 1)
    events += 1
