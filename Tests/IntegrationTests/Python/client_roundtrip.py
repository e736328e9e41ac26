"""The protocol as seen by a client no one here wrote (the `websockets` package):
subscribe, publish, live event, history, recovery, with permessage-deflate negotiated."""
import json
import sys

from websockets.sync.client import connect

port, token = sys.argv[1], sys.argv[2]
url = f"ws://127.0.0.1:{port}/v1/ws?token={token}"


passed_over = []  # frames that arrived while waiting for a reply


def request(ws, frame):
    ws.send(json.dumps(frame))
    while True:
        reply = json.loads(ws.recv(timeout=10))
        if reply.get("type") == "reply" and reply.get("id") == frame["id"]:
            return reply
        passed_over.append(reply)


with connect(url, max_size=None) as ws:
    assert "permessage-deflate" in (ws.response.headers.get("Sec-WebSocket-Extensions") or ""), ws.response.headers
    sub = request(ws, {"op": "subscribe", "id": 1, "topic": "events:py"})
    assert sub["ok"] and sub["result"]["recovered"] is False, sub
    pub = request(ws, {"op": "publish", "id": 2, "topic": "events:py", "name": "greeting", "data": {"text": "héllo"}})
    assert pub["ok"] and pub["result"]["offset"] == 1, pub
    epoch = pub["result"]["epoch"]
with connect(url, max_size=None) as ws:
    event_seen = False
    request(ws, {"op": "publish", "id": 3, "topic": "events:py", "name": "second", "data": [1, 2.5, None, True]})
    sub = request(ws, {"op": "subscribe", "id": 4, "topic": "events:py", "since": {"offset": 1, "epoch": epoch}})
    assert sub["result"]["recovered"] is True, sub
    assert [e["offset"] for e in sub["result"]["events"]] == [2], sub
    assert sub["result"]["events"][0]["data"] == [1, 2.5, None, True], sub
    request(ws, {"op": "publish", "id": 5, "topic": "events:py", "name": "third", "data": {"text": "héllo"}})
    big = "switchboard " * 500  # compressed both ways by permessage-deflate
    request(ws, {"op": "publish", "id": 6, "topic": "events:py", "name": "big", "data": {"text": big}})
    # Fan-out precedes the acknowledgement, so the event came before the publish reply.
    for frame in passed_over:
        if frame.get("type") == "event" and frame["name"] == "big":
            assert frame["data"]["text"] == big and frame["offset"] == 4, frame["offset"]
            break
    else:
        raise AssertionError("the big event never arrived")
    hist = request(ws, {"op": "history", "id": 7, "topic": "events:py", "limit": 10})
    assert [e["name"] for e in hist["result"]["events"]] == ["greeting", "second", "third", "big"], hist
    assert hist["result"]["events"][0]["data"] == {"text": "héllo"}, hist
print("ok")
