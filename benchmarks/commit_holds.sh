#!/usr/bin/env bash
# What holds the hub's commit thread when a fan-out run has slow commits (docs/benchmarks.md,
# finding 15): repeats the fan-out scenario (1000 subscribers, 100 events/s, 10 s) under
# `perf sched record` until a run has a commit over 50 ms, then prints, for the hub's commit
# thread (its thread that most often sleeps in state D, waiting for the disk), every wait
# in state D longer than 5 ms and how many shorter ones there were, and the longest wait for
# a core (runnable, not running). A sleep counts from the switch out to the wake-up.
#
#   benchmarks/commit_holds.sh [HUB_BINARY] [ROUNDS]
#     HUB_BINARY: default the release build in .build-release; ROUNDS: at most this many runs (10)
#
# Needs perf (and root for system-wide scheduler tracepoints).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HUB=${1:-"$ROOT/.build-release/release/switchboard"}
ROUNDS=${2:-10}
source "$ROOT/benchmarks/hub.sh"
prepare_bench holds

for round in $(seq 1 "$ROUNDS"); do
    start_hub "$HUB" "$WORK"

    perf sched record -o "$WORK/sched.data" -- sleep 11 >/dev/null 2>&1 &
    PERF_PID=$!
    sleep 0.3
    "$LOADGEN" fanout --subscribers 1000 --rate 100 --duration 10 --url "$URL" --token "$TOKEN" --hub-pid "$HUB_PID" >"$WORK/loadgen.out"
    wait "$PERF_PID" || true
    UNDER_50MS=$(curl -s "$URL/metrics" -H "Authorization: Bearer $TOKEN" |
        sed -n 's/^switchboard_store_commit_latency_seconds_bucket{le="0\.05"} \([0-9]*\)$/\1/p')
    COMMITS=$(curl -s "$URL/metrics" -H "Authorization: Bearer $TOKEN" |
        sed -n 's/^switchboard_store_commit_latency_seconds_count \([0-9]*\)$/\1/p')
    HUB_TIDS=$(ls /proc/"$HUB_PID"/task | tr '\n' ' ')
    kill -TERM "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true
    echo "round $round: $((COMMITS - UNDER_50MS)) of $COMMITS commits over 50 ms"
    [[ "$UNDER_50MS" != "$COMMITS" ]] && break
done

grep -E "^(latency|commit after send|tail) " "$WORK/loadgen.out"
perf script -i "$WORK/sched.data" 2>/dev/null | awk -v tids="$HUB_TIDS" '
    BEGIN { n = split(tids, list, " "); for (i = 1; i <= n; i++) ofHub[list[i]] = 1 }
    # sched_switch: a thread of the hub (comm, then tid) leaves the core in state D or R.
    / sched:sched_switch: / {
        for (i = 1; i <= NF; i++) {
            if ($i ~ /^prev_pid=/) { tid = substr($i, 10) }
            if ($i ~ /^prev_state=/) { state = substr($i, 12) }
        }
        time = $4; sub(":", "", time)
        if (state == "D") { asleep[tid] = time; dcount[tid]++ }
        if (state ~ /^R/) { ready[tid] = time }
        # the next thread gets the core: it waited for one since it was made runnable
        for (i = 1; i <= NF; i++) if ($i ~ /^next_pid=/) next_tid = substr($i, 10)
        if (next_tid in ready) {
            wait = (time - ready[next_tid]) * 1000
            if (wait > longestReady[next_tid]) longestReady[next_tid] = wait
            delete ready[next_tid]
        }
    }
    / sched:sched_waking: / {
        for (i = 1; i <= NF; i++) if ($i ~ /^pid=/) tid = substr($i, 5)
        time = $4; sub(":", "", time)
        if (tid in asleep) {
            held = (time - asleep[tid]) * 1000
            if (held > 5) { long[tid] = long[tid] sprintf("  %.1f ms asleep in state D from %s s\n", held, asleep[tid]); longs[tid]++ }
            else short[tid]++
            delete asleep[tid]
        }
        ready[tid] = time
    }
    END {
        for (tid in dcount) if ((tid in ofHub) && dcount[tid] > most) { most = dcount[tid]; commit = tid }
        if (commit == "") { print "no thread of the hub waited in state D"; exit }
        printf "commit thread %s: %d waits in state D: %d of 5 ms or less, %d longer, %d whose end was not traced; longest wait for a core %.1f ms\n",
            commit, dcount[commit], short[commit], longs[commit], dcount[commit] - short[commit] - longs[commit], longestReady[commit]
        printf "%s", long[commit]
    }'
