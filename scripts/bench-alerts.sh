#!/usr/bin/env bash
# Early-warning figures: the daily rule pass over 100 000 accounts with a year of usage rollups,
# and the events API with streaming rules on and off (alternated in one run). Release build;
# loopback only; bounded (BENCH_EVENTS per ingestion run, BENCH_ROUNDS on/off pairs).
# Usage: scripts/bench-alerts.sh  (env: BENCH_ACCOUNTS, BENCH_EVENTS, BENCH_CONC, BENCH_ROUNDS)
set -euo pipefail
cd "$(dirname "$0")/.."
RUST_LOG=${RUST_LOG:-error} cargo bench -p server --bench alerts
