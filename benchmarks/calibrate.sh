#!/usr/bin/env bash
# How fast this machine is right now, in two numbers that do not depend on the hub: the
# machine's speed drifts 20-50% within an hour (docs/benchmarks.md, finding 8), so each
# scenario prints them, and figures from different minutes can be told apart by them.
#
#   benchmarks/calibrate.sh [DIR]     DIR: where to write the sync test file (default: /tmp)
#
# Prints one line: seconds to SHA-256 256 MiB of zeros (`head | sha256sum`, mostly one
# busy core: CPU speed, lower is faster), and the mean time of 500 synchronous 4 KiB writes
# (`dd oflag=dsync`, the cost of the fsync every acknowledged publish waits for). Whether
# these track the hub's throughput is not yet shown (docs/benchmarks.md, finding 13).
set -euo pipefail
DIR=${1:-${TMPDIR:-/tmp}}
FILE=$(mktemp "$DIR/calibrate.XXXXXX")
trap 'rm -f "$FILE"' EXIT
t0=$(date +%s.%N)
head -c 268435456 /dev/zero | sha256sum >/dev/null
t1=$(date +%s.%N)
dd if=/dev/zero of="$FILE" bs=4k count=500 oflag=dsync status=none
t2=$(date +%s.%N)
awk -v t0="$t0" -v t1="$t1" -v t2="$t2" \
    'BEGIN { printf "machine speed: sha256 of 256 MiB %.2f s, synced 4 KiB write %.3f ms\n", t1 - t0, (t2 - t1) * 1000 / 500 }'
