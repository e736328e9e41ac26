"""The hub's timers, seen from raw sockets, against a hub pinging every INTERVAL seconds and
giving a second to answer its close: a client that never answers is pinged, closed with 1001
`ping timeout`, and its socket is closed under it; a client that answers every ping stays; a
client's own close is answered and the socket closed.
Arguments: port, a valid token, the ping interval in seconds."""
import base64
import os
import socket
import struct
import sys
import time

port, token, interval = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])


def connect():
    sock = socket.create_connection(("127.0.0.1", port), timeout=4 * interval + 5)
    lines = ["GET /v1/ws HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket", "Connection: Upgrade",
             "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: " + base64.b64encode(os.urandom(16)).decode(),
             f"Authorization: Bearer {token}"]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        assert chunk, "closed during the handshake"
        head += chunk
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def read_exactly(sock, count):
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def read_frame(sock):
    """(opcode, payload) of the next server frame, or None once the server closed the socket."""
    header = read_exactly(sock, 2)
    if header is None:
        return None
    opcode, length = header[0] & 0x0F, header[1] & 0x7F
    assert header[1] & 0x80 == 0, "server frames are not masked"
    if length == 126:
        length = struct.unpack("!H", read_exactly(sock, 2))[0]
    elif length == 127:
        length = struct.unpack("!Q", read_exactly(sock, 8))[0]
    return opcode, read_exactly(sock, length)


def send_frame(sock, opcode, payload=b""):
    mask = os.urandom(4)
    masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
    sock.sendall(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)


PING, PONG, CLOSE = 0x9, 0xA, 0x8

# Silent: a ping, then (nothing heard for a whole period) a close with 1001, then the
# socket closed by the hub although this client never answers the close.
sock = connect()
started = time.monotonic()
assert read_frame(sock)[0] == PING
opcode, payload = read_frame(sock)
assert opcode == CLOSE, opcode
code, reason = struct.unpack("!H", payload[:2])[0], payload[2:].decode()
assert (code, reason) == (1001, "ping timeout"), (code, reason)
assert read_frame(sock) is None, "the hub keeps a socket whose client never answered its close"
elapsed = time.monotonic() - started
assert elapsed < 4 * interval + 4, f"closed after {elapsed:.1f} s with a {interval} s ping interval"

# Answering: every ping answered with a pong, through more than two periods, and never closed.
sock = connect()
deadline = time.monotonic() + 2.5 * interval
pings = 0
while time.monotonic() < deadline:
    sock.settimeout(max(0.1, deadline - time.monotonic()))
    try:
        frame = read_frame(sock)
    except socket.timeout:
        break
    assert frame is not None and frame[0] == PING, f"a client answering pings got {frame}"
    pings += 1
    send_frame(sock, PONG, frame[1])
assert pings >= 2, pings

# The client closes first: the hub answers with its own close and closes the socket.
sock.settimeout(4 * interval + 5)
send_frame(sock, CLOSE, struct.pack("!H", 1000))
while True:
    frame = read_frame(sock)
    assert frame is not None, "the socket closed before the hub answered the close"
    if frame[0] == CLOSE:
        break
assert read_frame(sock) is None, "the hub kept the socket after the closing handshake"
print("ok")
