"""Hub RSS per idle subscribed connection with and without permessage-deflate, measured with
Python `websockets` clients (which compress every message they send once it is negotiated).

Start a fresh hub that allows the connections, then run this once per mode against it:

  switchboard serve --port 18111 --data /tmp/sbc --config cfg.json   # cfg: {"maxConnectionsPerUser": 100000}
  python3 benchmarks/compressed_idle.py 18111 "$(switchboard token --sub svc --role service --data /tmp/sbc)" \\
      "$(pgrep -f 'serve --port 18111')" 2000 deflate        # or: ... 2000 none

Use a fresh hub per mode: memory freed by an earlier run is reused and hides the cost.
"""
import asyncio
import json
import sys

from websockets.asyncio.client import connect

port, token, pid, count, mode = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]


def rss_kib():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1])


async def subscribed(index, connections):
    ws = await connect(f"ws://127.0.0.1:{port}/v1/ws", additional_headers={"Authorization": f"Bearer {token}"},
                       compression="deflate" if mode == "deflate" else None, ping_interval=None)
    await ws.send(json.dumps({"op": "subscribe", "id": 1, "topic": f"events:idle-{mode}-{index}"}))
    await ws.recv()
    connections.append(ws)


async def main():
    before = rss_kib()
    connections = []
    for start in range(0, count, 100):
        await asyncio.gather(*(subscribed(i, connections) for i in range(start, min(count, start + 100))))
    await asyncio.sleep(2)
    held = rss_kib()
    print(f"mode={mode} connections={len(connections)} rss_before={before} KiB rss_held={held} KiB "
          f"per_connection={(held - before) / len(connections):.2f} KiB")


asyncio.run(main())
