"""A binary frame gets a bad_request error frame; the connection then still answers."""
import json
import sys

from websockets.sync.client import connect

port, token = sys.argv[1], sys.argv[2]
with connect(f"ws://127.0.0.1:{port}/v1/ws", additional_headers={"Authorization": f"Bearer {token}"}) as ws:
    ws.send(b"\x00\x01binary")
    frame = json.loads(ws.recv(timeout=10))
    assert frame["type"] == "error" and frame["error"]["code"] == "bad_request", frame
    ws.send(json.dumps({"op": "ping", "id": 1}))
    reply = json.loads(ws.recv(timeout=10))
    assert reply == {"type": "reply", "id": 1, "ok": True, "result": {}}, reply
print("ok")
