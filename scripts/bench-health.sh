#!/usr/bin/env bash
# Health-score figures: usage events through the API vs raw SurrealDB inserts, re-scoring every
# account with a million events behind them, and event-to-new-score latency.
# Release build; loopback only; bounded (ingestion stops after BENCH_EVENTS, the raw phase after
# BENCH_SECS). Usage: scripts/bench-health.sh  (env: BENCH_ACCOUNTS, BENCH_EVENTS, BENCH_CONC,
# BENCH_SECS, BENCH_SAMPLES)
set -euo pipefail
cd "$(dirname "$0")/.."
RUST_LOG=${RUST_LOG:-error} cargo bench -p server --bench health
