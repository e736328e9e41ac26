# Sourced by the benchmark scripts that start a hub of their own (fanout_commits.sh,
# commit_holds.sh).

# prepare_bench NAME: sets LOADGEN (the release load generator) and WORK (a new temporary
# directory), raises the open-file limit, and on exit stops the hub start_hub started and
# removes WORK.
prepare_bench() {
    LOADGEN="$ROOT/benchmarks/.build-bench/release/loadgen"
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-$1.XXXXXX")
    HUB_PID=""
    # The hub may be gone already (commit_holds.sh stops each round's): under set -e a failed
    # kill would end the trap before WORK (with its 25 MiB perf file) is removed.
    trap 'if [[ -n "$HUB_PID" ]]; then kill -TERM "$HUB_PID" 2>/dev/null || true; fi; wait; rm -rf "$WORK"' EXIT
    ulimit -n "$(ulimit -Hn)"
}

# start_hub HUB_BINARY WORK_DIR: starts the hub with the configuration run.sh gives its
# hubs, on a free port with a fresh data directory in WORK_DIR, and sets HUB_PID, URL and a
# service TOKEN. Exits with the hub's log if it does not start within 10 s.
start_hub() {
    local hub=$1 work=$2 port=""
    rm -rf "$work/data"
    echo '{"maxConnectionsPerUser": 100000, "outboundQueueBytes": 1048576, "socketLimits": {}}' >"$work/config.json"
    "$hub" serve --port 0 --data "$work/data" --config "$work/config.json" --log-level warning >"$work/hub.log" 2>&1 &
    HUB_PID=$!
    for _ in $(seq 1 100); do
        port=$(sed -n 's/^Switchboard listening on http:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/hub.log")
        [[ -n "$port" ]] && break
        sleep 0.1
    done
    [[ -n "$port" ]] || { cat "$work/hub.log" >&2; exit 1; }
    URL="http://127.0.0.1:$port"
    TOKEN=$("$hub" token --sub bench --role service --data "$work/data")
}
