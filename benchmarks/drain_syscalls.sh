#!/usr/bin/env bash
# System calls per webhook delivery during the 100k drain, a figure the machine's speed drift
# does not move (deliveries/s swing 20-30% between runs; see docs/benchmarks.md, finding 10).
#
#   benchmarks/drain_syscalls.sh [HUB_BINARY]    # default: the release build in .build-release
#
# Runs the webhooks-drain scenario, and 3 s after the restarted hub starts delivering counts
# its system calls, context switches and CPU time (ms) for 5 s with `perf stat`; prints them
# per `writev` (one per delivery: each attempt's request leaves in one write).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HUB=${1:-"$ROOT/.build-release/release/switchboard"}
LOG=$(mktemp) COUNTS=$(mktemp)
trap 'rm -f "$LOG" "$COUNTS"' EXIT

HUB="$HUB" SKIP_BUILD=1 SCENARIOS=webhooks-drain "$ROOT/benchmarks/run.sh" >"$LOG" 2>&1 &
RUN=$!
until grep -q "webhooks-drain: receiver" "$LOG"; do sleep 1; kill -0 $RUN 2>/dev/null || { cat "$LOG"; exit 1; }; done
sleep 3
PID=$(pgrep -f "serve --port 0 --data .*webhooks-drain" | tail -1)
perf stat -x, -e 'syscalls:sys_enter_writev,syscalls:sys_enter_pwrite64,syscalls:sys_enter_pread64,syscalls:sys_enter_write,syscalls:sys_enter_read,syscalls:sys_enter_fdatasync,syscalls:sys_enter_futex,syscalls:sys_enter_epoll_wait,context-switches,task-clock' \
    -p "$PID" -- sleep 5 2>"$COUNTS"
wait $RUN
grep -E "from first to last|cpu  " "$LOG" | tail -2
awk -F, '$3 ~ /writev$/ {w = $1} {n[$3] = $1} END {
    for (k in n) { name = k; sub(/.*sys_enter_/, "", name); printf "%-17s %6.2f per delivery%s\n", name, n[k] / w, (name == "task-clock" ? " (ms of CPU)" : "") } }' "$COUNTS" | sort
