#!/usr/bin/env bash
# Builds the hub and the load generator in release, then runs each benchmark scenario
# against a freshly started hub on 127.0.0.1 and prints the results.
#
#   benchmarks/run.sh                      # every scenario
#   SCENARIOS="fanout publish" benchmarks/run.sh
#   DURATION=20 SKIP_BUILD=1 benchmarks/run.sh
#   HUB=/path/to/other/switchboard SKIP_BUILD=1 SCENARIOS=publish benchmarks/run.sh   # another build (A/B runs)
#   benchmarks/run.sh fanout --subscribers 1000 --rate 5   # one loadgen command of your own
#   benchmarks/run.sh notifications-email --users 1000 --recipients 100   # (with its SMTP server)
#   KEEP_WORK=1 SCENARIOS=webhooks-drain benchmarks/run.sh   # keeps the data directories and hub logs
#
# Scenarios: fanout (1000 subscribers at 100 events/s, the target), fanout-25
# (1000 subscribers at 25 events/s), fanout-small (100 subscribers at 100 events/s),
# publish (50 publishers, one publish outstanding each), publish-pipelined (one publisher
# connection keeping 32 publishes outstanding), topics (100 topics x 10
# subscribers at 1000 events/s), idle (10,000 idle subscribed connections),
# idle-bare (10,000 idle connections without subscriptions, for comparison), webhooks
# (50,000 events to one webhook endpoint on a local receiver, signed deliveries/s),
# webhooks-drain (100,000 webhook messages left pending, the hub killed and restarted, time
# to drain), webhooks-drain-wide (the same with 256 attempts at once per endpoint), chat (500 chats, a customer and an agent each, answering at once: messages/s
# end to end at saturation), chat-paced (the same, each answering after 1 s: latency at a
# steady load), activation (1000 chats passivated, then each read cold and warm: the time
# to activate an actor from its snapshot), notifications-accept (50 REST clients POSTing in-app
# notifications of one recipient each, one outstanding per client: accepted/s and latency to the 202),
# notifications-accept-100 (the same with 100 recipients per notification: recipient deliveries
# accepted/s), notifications-email (10,000 users' e-mail addresses saved, then 10 notifications x 1000
# recipients on the email channel to a real SMTP server, aiosmtpd on 127.0.0.1: e-mails/s from the
# first POST until the server has them all), notifications-inapp (10 notifications x 1000 recipients
# on the in_app channel, 1000 of the recipients watching their inbox:{user} over WebSocket:
# deliveries/s until all are sent, and POST-to-notification.created latency). Each scenario gets a
# new hub with a new data directory, so one scenario's state (memory, history, commit count) does not
# colour the next. Before each one, `calibrate.sh` prints how fast the machine is at that minute.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH="$ROOT/benchmarks"
DURATION=${DURATION:-10}
SCENARIOS=${SCENARIOS:-"fanout fanout-25 fanout-small publish publish-pipelined topics idle idle-bare webhooks webhooks-drain chat chat-paced activation notifications-accept notifications-accept-100 notifications-email notifications-inapp"}
# Scratch paths of the two release builds, so a run can use builds of its own.
HUB_SCRATCH=${HUB_SCRATCH:-.build-release}
BENCH_SCRATCH=${BENCH_SCRATCH:-.build-bench}
# HUB: the hub binary; another commit's release build for interleaved A/B runs.
HUB=${HUB:-"$ROOT/$HUB_SCRATCH/release/switchboard"}
LOADGEN="$BENCH/$BENCH_SCRATCH/release/loadgen"

if [[ -z "${SKIP_BUILD:-}" ]]; then
    echo "== building the hub (release, $HUB_SCRATCH)"
    (cd "$ROOT" && swift build -c release --scratch-path "$HUB_SCRATCH" --product switchboard)
    echo "== building the load generator (release, benchmarks/$BENCH_SCRATCH)"
    (cd "$BENCH" && swift build -c release --scratch-path "$BENCH_SCRATCH")
fi

# 10,000 connections need 10,000 descriptors in the hub and in the load generator.
ulimit -n "$(ulimit -Hn)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-bench.XXXXXX")
# No per-role WebSocket limits (an empty table), so the chat scenarios' customers and agents
# are not throttled; the other scenarios use a service token, which is never throttled.
cat > "$WORK/config.json" <<'JSON'
{"maxConnectionsPerUser": 100000, "outboundQueueBytes": 1048576, "socketLimits": {}}
JSON
# The activation scenario's hub passivates actors idle for a second.
cat > "$WORK/config-idle.json" <<'JSON'
{"maxConnectionsPerUser": 100000, "socketLimits": {}, "actorIdleSeconds": 1}
JSON
# The webhooks-drain-wide scenario's hub lets one endpoint take 256 attempts at once.
cat > "$WORK/config-wide.json" <<'JSON'
{"maxConnectionsPerUser": 100000, "socketLimits": {}, "webhooks": {"maxConcurrentPerEndpoint": 256, "maxConcurrentDeliveries": 512}}
JSON
HUB_CONFIG="$WORK/config.json"
HUB_PID=""
# Environment of the hubs started next (the webhook scenarios set it).
HUB_ENV=()
# The webhook scenarios' receiver is on 127.0.0.1, which the hub refuses unless allowed.
WEBHOOK_ALLOW=SWITCHBOARD_WEBHOOK_ALLOW=127.0.0.1/32

stop_hub() {
    if [[ -n "$HUB_PID" ]] && kill -0 "$HUB_PID" 2>/dev/null; then
        kill -TERM "$HUB_PID"
        wait "$HUB_PID" 2>/dev/null || true
    fi
    HUB_PID=""
}
cleanup() {
    stop_hub
    if [[ -n "${KEEP_WORK:-}" ]]; then echo "== kept $WORK (data directories and hub logs)"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# Starts a hub with its own data directory; sets HUB_PID, URL and TOKEN.
start_hub() {
    local data="$WORK/data-$1" log="$WORK/hub-$1.log"
    mkdir -p "$data"
    env "${HUB_ENV[@]}" "$HUB" serve --port 0 --data "$data" --config "$HUB_CONFIG" --log-level warning >"$log" 2>&1 &
    HUB_PID=$!
    local port=""
    for _ in $(seq 1 100); do
        port=$(sed -n 's/^Switchboard listening on http:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log")
        [[ -n "$port" ]] && break
        sleep 0.1
    done
    if [[ -z "$port" ]]; then
        echo "the hub did not start:" >&2
        cat "$log" >&2
        exit 1
    fi
    URL="http://127.0.0.1:$port"
    TOKEN=$("$HUB" token --sub bench --role service --data "$data")
    # The chat scenarios' participants (loadgen chat's default subjects).
    CUSTOMER_TOKEN=$("$HUB" token --sub bench-customer --role customer --ttl 3600 --data "$data")
    AGENT_TOKEN=$("$HUB" token --sub bench-agent --role agent --ttl 3600 --data "$data")
}

# The machine's speed at this minute; a failed speed test does not stop the run.
speed_line() {
    "$BENCH/calibrate.sh" "$WORK" || echo "machine speed: unavailable"
}

# The machine, its load average and its speed.
machine_lines() {
    echo "machine: $(nproc) cores, $(free -m | awk '/^Mem:/ {print $2}') MiB memory; loadavg before: $(cat /proc/loadavg)"
    speed_line
}

# Runs one loadgen command against a fresh hub.
scenario() {
    local name=$1
    shift
    start_hub "$name"
    echo
    echo "\$ loadgen $* --url $URL --token \$TOKEN --hub-pid $HUB_PID"
    machine_lines
    # @CUSTOMER_TOKEN@ and @AGENT_TOKEN@ stand for the tokens minted for this hub.
    local args=()
    for arg in "$@"; do
        case "$arg" in
        @CUSTOMER_TOKEN@) args+=("$CUSTOMER_TOKEN") ;;
        @AGENT_TOKEN@) args+=("$AGENT_TOKEN") ;;
        *) args+=("$arg") ;;
        esac
    done
    "$LOADGEN" "${args[@]}" --url "$URL" --token "$TOKEN" --hub-pid "$HUB_PID" || echo "(loadgen exited with $?)"
    stop_hub
}

# webhooks-drain: webhooks-fill leaves 100,000 messages pending for a receiver port where
# nothing listens yet; the hub is killed (SIGKILL) and restarted on the same data directory,
# held back on a FIFO until webhooks-drain's receiver listens on that port, so none of the
# restarted hub's attempts is refused; webhooks-drain times the drain from there.
drain_scenario() {
    local name=$1 events=$2
    local data="$WORK/data-$name" fifo="$WORK/release-$name" port secret
    start_hub "$name"
    echo
    echo "\$ loadgen webhooks-fill --events $events --handoff \$HANDOFF --url $URL --token \$TOKEN --hub-pid $HUB_PID"
    machine_lines
    if ! "$LOADGEN" webhooks-fill --events "$events" --handoff "$WORK/handoff-$name" \
        --url "$URL" --token "$TOKEN" --hub-pid "$HUB_PID"; then
        echo "(loadgen exited with $?)"
        stop_hub
        return
    fi
    read -r port secret <"$WORK/handoff-$name"
    kill -KILL "$HUB_PID"
    wait "$HUB_PID" 2>/dev/null || true
    echo "(hub $HUB_PID killed with SIGKILL; restarting it on the same data directory)"
    speed_line
    mkfifo "$fifo"
    (
        read -r _ <"$fifo"
        exec env "${HUB_ENV[@]}" "$HUB" serve --port 0 --data "$data" --config "$HUB_CONFIG" --log-level warning \
            >"$WORK/hub-$name-restart.log" 2>&1
    ) &
    HUB_PID=$!
    echo "\$ loadgen webhooks-drain --receiver-port $port --secret \$SECRET --expect $events --release \$FIFO --hub-pid $HUB_PID"
    "$LOADGEN" webhooks-drain --receiver-port "$port" --secret "$secret" --expect "$events" --release "$fifo" \
        --hub-pid "$HUB_PID" || echo "(loadgen exited with $?)"
    stop_hub
}

# notifications-email: the tests' SMTP server (aiosmtpd, installed by scripts/test), recording one
# compact line per accepted message, is started first on a port of its own; the hub is started with
# it as its e-mail provider, and the load generator reads the record file and the server's CPU time.
email_scenario() {
    local name=$1
    shift
    local record="$WORK/smtp-$name.jsonl" out="$WORK/smtp-$name.out" port=""
    : >"$record"
    python3 "$ROOT/Tests/GatewaysTests/Python/smtp_server.py" --record "$record" --pipelining --count-only >"$out" 2>&1 &
    local smtp_pid=$!
    for _ in $(seq 1 100); do
        port=$(sed -n 's/^listening \([0-9]*\)$/\1/p' "$out")
        [[ -n "$port" ]] && break
        sleep 0.1
    done
    if [[ -z "$port" ]]; then
        echo "the SMTP server did not start:" >&2
        cat "$out" >&2
        kill "$smtp_pid" 2>/dev/null || true
        exit 1
    fi
    HUB_ENV=(SWITCHBOARD_SMTP_URL="smtp://127.0.0.1:$port" SWITCHBOARD_EMAIL_FROM=noreply@example.com)
    scenario "$name" "$@" --smtp-record "$record" --smtp-pid "$smtp_pid"
    HUB_ENV=()
    kill "$smtp_pid" 2>/dev/null || true
    wait "$smtp_pid" 2>/dev/null || true
}

echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -srm), $(nproc) cores, $(free -m | awk '/^Mem:/ {print $2}') MiB"
echo "   hub: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- Sources || echo ' + uncommitted changes')"
if [[ $# -gt 0 ]]; then
    # A loadgen command of the caller's, against a fresh hub (url, token and pid are added).
    [[ $1 == webhooks ]] && HUB_ENV=("$WEBHOOK_ALLOW" SWITCHBOARD_WEBHOOK_RETRY_SCHEDULE=0s,1s,1s)
    if [[ $1 == notifications-email ]]; then email_scenario custom "$@"; else scenario custom "$@"; fi
    exit 0
fi
for name in $SCENARIOS; do
    case "$name" in
    fanout) scenario "$name" fanout --subscribers 1000 --rate 100 --duration "$DURATION" ;;
    fanout-25) scenario "$name" fanout --subscribers 1000 --rate 25 --duration "$DURATION" ;;
    fanout-small) scenario "$name" fanout --subscribers 100 --rate 100 --duration "$DURATION" ;;
    publish) scenario "$name" publish --publishers 50 --duration "$DURATION" ;;
    publish-pipelined) scenario "$name" publish --publishers 1 --outstanding 32 --duration "$DURATION" ;;
    topics) scenario "$name" topics --topics 100 --subscribers-per-topic 10 --rate 1000 --duration "$DURATION" ;;
    idle) scenario "$name" idle --connections 10000 --hold 5 ;;
    idle-bare) scenario "$name" idle --connections 10000 --hold 5 --no-subscribe ;;
    webhooks)
        HUB_ENV=("$WEBHOOK_ALLOW" SWITCHBOARD_WEBHOOK_RETRY_SCHEDULE=0s,1s,1s)
        scenario "$name" webhooks --events 50000
        HUB_ENV=()
        ;;
    chat) scenario "$name" chat --chats 500 --duration "$DURATION" --customer-token @CUSTOMER_TOKEN@ --agent-token @AGENT_TOKEN@ ;;
    chat-paced) scenario "$name" chat --chats 500 --think 1000 --duration "$DURATION" --customer-token @CUSTOMER_TOKEN@ --agent-token @AGENT_TOKEN@ ;;
    activation)
        HUB_CONFIG="$WORK/config-idle.json"
        scenario "$name" activation --chats 1000
        HUB_CONFIG="$WORK/config.json"
        ;;
    notifications-accept) scenario "$name" notifications-accept --clients 50 --duration "$DURATION" ;;
    notifications-accept-100) scenario "$name" notifications-accept --clients 50 --recipients 100 --duration "$DURATION" ;;
    notifications-email) email_scenario "$name" notifications-email --users 10000 --recipients 1000 ;;
    notifications-inapp) scenario "$name" notifications-inapp --users 10000 --recipients 1000 --watchers 1000 ;;
    webhooks-drain-wide)
        HUB_ENV=("$WEBHOOK_ALLOW" SWITCHBOARD_WEBHOOK_RETRY_SCHEDULE="0s$(printf ',1s%.0s' {1..599})")
        HUB_CONFIG="$WORK/config-wide.json"
        drain_scenario "$name" 100000
        HUB_CONFIG="$WORK/config.json"
        HUB_ENV=()
        ;;
    webhooks-drain)
        # 0s then 1s x 599: every message must still be pending when the fill ends, however
        # many refused attempts the hub makes meanwhile (10 attempts ran out during a 130 s fill).
        HUB_ENV=("$WEBHOOK_ALLOW" SWITCHBOARD_WEBHOOK_RETRY_SCHEDULE="0s$(printf ',1s%.0s' {1..599})")
        drain_scenario "$name" 100000
        HUB_ENV=()
        ;;
    *) echo "unknown scenario $name" >&2; exit 2 ;;
    esac
done
