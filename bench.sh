#!/usr/bin/env bash
# Runs the BenchmarkDotNet suite with fixed arguments. Results: BenchmarkDotNet.Artifacts/results; record them in docs/benchmarks.md.
# Usage: ./bench.sh [filter]   e.g. ./bench.sh '*Compose*'
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
dotnet run -c Release --project bench/Mailsmith.Benchmarks -- --filter "${1:-*}" --join
