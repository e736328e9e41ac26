"""Every token given after the port is refused: the socket is closed with 4001 at once
and no frame is delivered on it. An empty argument means no token at all."""
import json
import sys

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

port, tokens = sys.argv[1], sys.argv[2:]
for token in tokens:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with connect(f"ws://127.0.0.1:{port}/v1/ws", additional_headers=headers) as ws:
        try:
            ws.send(json.dumps({"op": "subscribe", "id": 1, "topic": "events:x"}))
            frame = ws.recv(timeout=10)
            raise AssertionError(f"a refused token got a frame: {frame}")
        except ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 4001, (token[:20], closed)
print("ok")
