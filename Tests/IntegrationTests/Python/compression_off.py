"""With compression off in the hub's config, a client that offers permessage-deflate
(the `websockets` package does by default) gets no extension and still talks."""
import json
import sys

from websockets.sync.client import connect

port, token = sys.argv[1], sys.argv[2]

with connect(f"ws://127.0.0.1:{port}/v1/ws?token={token}") as ws:
    assert ws.response.headers.get("Sec-WebSocket-Extensions") is None, ws.response.headers
    ws.send(json.dumps({"op": "ping", "id": 1}))
    reply = json.loads(ws.recv(timeout=10))
    assert reply == {"type": "reply", "id": 1, "ok": True, "result": {}}, reply
print("ok")
