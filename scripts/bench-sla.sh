#!/usr/bin/env bash
# SLA timer figures: breach → alert latency with 100 000 open escalations armed, and the time
# to re-arm them after a restart. Release build; loopback only; bounded (one spread of due
# times). Usage: scripts/bench-sla.sh  (env: BENCH_OPEN, BENCH_BREACHES, BENCH_SPREAD)
set -euo pipefail
cd "$(dirname "$0")/.."
RUST_LOG=${RUST_LOG:-error} cargo bench -p server --bench sla
