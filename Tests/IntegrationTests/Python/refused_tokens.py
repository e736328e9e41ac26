"""Every token given after the port is refused before the upgrade: HTTP 401 with the error
envelope, so no frame can ever be delivered. An empty argument means no token at all."""
import json
import sys

from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

port, tokens = sys.argv[1], sys.argv[2:]
for token in tokens:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with connect(f"ws://127.0.0.1:{port}/v1/ws", additional_headers=headers) as ws:
            raise AssertionError(f"a refused token was upgraded: {token[:20]}")
    except InvalidStatus as refused:
        response = refused.response
        assert response.status_code == 401, (token[:20], response.status_code)
        error = json.loads(response.body)["error"]
        assert error["code"] == "unauthorized" and error["message"], (token[:20], error)
print("ok")
