#!/usr/bin/env bash
# Survey response throughput against raw SurrealDB inserts, and the survey page's size.
# Release build; loopback only; every scenario stops by itself after BENCH_SECS (default 10).
# Usage: scripts/bench-surveys.sh   (env: BENCH_SECS, BENCH_CONC, BENCH_ACCOUNTS)
set -euo pipefail
cd "$(dirname "$0")/.."
RUST_LOG=${RUST_LOG:-error} cargo bench -p server --bench surveys
