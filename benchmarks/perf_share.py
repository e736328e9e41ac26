#!/usr/bin/env python3
"""Share of profile samples whose call stack matches each pattern (docs/benchmarks.md, finding 14).

    perf record -F 999 --call-graph dwarf,16384 -o hub.data -p HUB_PID -- sleep 5
    perf script -i hub.data --tid TID1,TID2 | benchmarks/perf_share.py PATTERN...

Each PATTERN is a regular expression matched against every frame of a sample (Swift names
are mangled: `SocketHandlerC5drain` is SocketHandler.drain). A sample counts once per
pattern, wherever the frame is in its stack; `kernel` counts samples whose leaf is in the kernel.
"""
import re
import sys


def samples(lines):
    stack = []
    for line in lines:
        if not line.strip():
            if stack:
                yield stack
            stack = []
        elif line[0] in " \t":
            stack.append(line.strip())
        # a header line (comm, tid, time, event) starts a sample
    if stack:
        yield stack


def main():
    patterns = sys.argv[1:]
    if not patterns:
        sys.exit(__doc__)
    all_samples = list(samples(sys.stdin))
    print(f"samples {len(all_samples)}")
    if not all_samples:
        return
    for pattern in patterns:
        if pattern == "kernel":
            count = sum(1 for stack in all_samples if "[kernel.kallsyms]" in stack[0])
        else:
            regex = re.compile(pattern)
            count = sum(1 for stack in all_samples if any(regex.search(frame) for frame in stack))
        print(f"{100 * count / len(all_samples):6.1f}%  {pattern}")


if __name__ == "__main__":
    main()
