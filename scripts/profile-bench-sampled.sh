#!/usr/bin/env bash
# `bench profile --json` with the process's VmRSS sampled every 0.2 s, to see in which step the peak falls
# (docs/benchmarks.md, "Profile memory, continued"). Each sample line gives the time, the RSS in kB and the last log
# line printed so far (the step running). Usage: scripts/profile-bench-sampled.sh [BUILD_DIR] [more bench options]
set -euo pipefail
build="${1:-artifacts/bin/Mailsmith.Cli/release}"; shift || true
log=$(mktemp)
dotnet "$build/Mailsmith.Cli.dll" bench profile --json "$@" > "$log" 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status" 2>/dev/null || true)
  echo "$(date +%T.%N | cut -c1-11) rss_kb ${rss:-?} | $(grep -v '^ *[{}"]' "$log" | tail -1)"
  sleep 0.2
done
wait "$pid"
cat "$log"; rm -f "$log"
