#!/usr/bin/env bash
# System calls per operation of the hub during a scenario, a figure the machine's speed drift
# does not move (throughput swings 20-30% between runs; see docs/benchmarks.md, finding 10).
#
#   benchmarks/syscalls.sh [SCENARIO] [HUB_BINARY]
#     SCENARIO: webhooks-drain (the default; per delivery) or publish (per acknowledged publish)
#     HUB_BINARY: default the release build in .build-release
#
# Runs the scenario, and 3 s after the hub starts the measured work (the restarted hub
# delivering, or the publishers' warm-up) counts its system calls, context switches and CPU
# time (ms) for 5 s with `perf stat`; prints them per `writev`: one per delivery (each
# attempt's request leaves in one write) or one per publish (each reply frame).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCENARIO=${1:-webhooks-drain}
HUB=${2:-"$ROOT/.build-release/release/switchboard"}
case "$SCENARIO" in
    webhooks-drain) STARTED="webhooks-drain: receiver" UNIT=delivery RESULT="from first to last|cpu  " DURATION=10 ;;
    # 12 s of publishing, so the 5 s counted sit inside it.
    publish) STARTED="== publish" UNIT=publish RESULT="acknowledged|cpu  " DURATION=12 ;;
    *) echo "usage: $0 [webhooks-drain|publish] [HUB_BINARY]" >&2; exit 2 ;;
esac
LOG=$(mktemp) COUNTS=$(mktemp)
trap 'rm -f "$LOG" "$COUNTS"' EXIT

HUB="$HUB" SKIP_BUILD=1 SCENARIOS="$SCENARIO" DURATION="$DURATION" "$ROOT/benchmarks/run.sh" >"$LOG" 2>&1 &
RUN=$!
until grep -q "$STARTED" "$LOG"; do sleep 1; kill -0 $RUN 2>/dev/null || { cat "$LOG"; exit 1; }; done
sleep 3
PID=$(pgrep -f "serve --port 0 --data .*data-$SCENARIO" | tail -1)
perf stat -x, -e 'syscalls:sys_enter_writev,syscalls:sys_enter_pwrite64,syscalls:sys_enter_pread64,syscalls:sys_enter_write,syscalls:sys_enter_read,syscalls:sys_enter_fdatasync,syscalls:sys_enter_futex,syscalls:sys_enter_epoll_wait,context-switches,task-clock' \
    -p "$PID" -- sleep 5 2>"$COUNTS"
wait $RUN
grep -E "$RESULT" "$LOG" | tail -2
awk -F, -v unit="$UNIT" '$3 ~ /writev$/ {w = $1} {n[$3] = $1} END {
    for (k in n) { name = k; sub(/.*sys_enter_/, "", name); printf "%-17s %6.3f per %s%s\n", name, n[k] / w, unit, (name == "task-clock" ? " (ms of CPU)" : "") } }' "$COUNTS" | sort
