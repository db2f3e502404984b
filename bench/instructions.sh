#!/bin/bash
# CPU instructions per request (callgrind), which unlike req/s do not depend on what else the
# machine runs: the measure to compare two versions of a tool with. Django's whole handler in one
# process (middleware, view, template, gzip), production settings, after a warm-up.
#
#   bench/instructions.sh /activation-memory/@fragment /activation-memory/@page
#   N=20 bench/instructions.sh /gpus/rtx-3060-12gb/@fragment
#
# Needs valgrind (Debian: apt-get install valgrind).
# /healthz is counted first, for scale (about 1.1 M). From the runs of bench/tools_bench.py, a
# ratio to /healthz is close to 2.16 / (M + 1.0): 0.35x is about 5.2 M, 0.20x about 9.8 M.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10}
signals=$(mktemp -d)
trap 'rm -rf "$signals"' EXIT
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$signals/out" \
  .venv/bin/python bench/instructions_requests.py "$signals" "$N" /healthz@page "$@" \
  >"$signals/log" 2>&1 &
pid=$!
until [ -f "$signals/ready" ]; do sleep 0.2; done
i=0
for job in /healthz@page "$@"; do
  callgrind_control -i on $pid >/dev/null 2>&1
  callgrind_control -z $pid >/dev/null 2>&1
  touch "$signals/go$i"
  until [ -f "$signals/done$i" ]; do sleep 0.1; done
  callgrind_control -d $pid >/dev/null 2>&1
  callgrind_control -i off $pid >/dev/null 2>&1
  total=$(grep -m1 -h '^summary:\|^totals:' $(ls -t "$signals"/out* | head -1) | awk '{print $2}')
  python3 -c "print(f'{\"$job\":<40} {$total / $N / 1e6:6.2f} M instructions a request')"
  i=$((i + 1))
done
wait $pid
