#!/usr/bin/env bash
# The fan-out scenario (1000 subscribers, 100 events/s, 10 s) against a hub started here,
# then the hub's commit latencies from /metrics: whether a slow p99 came with slow commits
# (docs/benchmarks.md, finding 13). run.sh stops its hubs before they can be asked.
#
#   benchmarks/fanout_commits.sh [HUB_BINARY] [NICE]
#     HUB_BINARY: default the release build in .build-release
#     NICE: if given, `renice` the hub's commit thread (the one that calls fdatasync, found
#           with strace during one publish) to this value first; needs strace and, below 0, root
#
# Prints the load generator's latency, ack latency, commit after send, tail and cpu lines, the commit latency sum and count, and
# how many commits took at most 10 and 50 ms.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HUB=${1:-"$ROOT/.build-release/release/switchboard"}
NICE=${2:-}
source "$ROOT/benchmarks/hub.sh"
prepare_bench fanout
start_hub "$HUB" "$WORK"

if [[ -n "$NICE" ]]; then
    (sleep 0.3; curl -s -X POST "$URL/api/v1/topics/events:probe/events" -H "Authorization: Bearer $TOKEN" \
        -H 'content-type: application/json' -d '{"name":"probe","data":{}}' >/dev/null) &
    TID=$(timeout 2 strace -f -e trace=fdatasync -p "$HUB_PID" 2>&1 | sed -n 's/^\[pid *\([0-9]*\)\] fdatasync.*/\1/p' | head -1)
    renice -n "$NICE" -p "$TID" >/dev/null
    echo "commit thread $TID reniced to $NICE"
fi

"$LOADGEN" fanout --subscribers 1000 --rate 100 --duration 10 --url "$URL" --token "$TOKEN" --hub-pid "$HUB_PID" |
    grep -E "^(latency|ack latency|commit after send|tail|cpu) "
curl -s "$URL/metrics" -H "Authorization: Bearer $TOKEN" |
    grep -E 'switchboard_store_commit_latency_seconds_(sum|count|bucket\{le="0\.01"\}|bucket\{le="0\.05"\})'
