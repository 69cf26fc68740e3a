#!/usr/bin/env bash
# Usage-segment figures: the portfolio filtered on band + adoption + inactivity at 100 000
# accounts (1 and 16 connections, against unfiltered and tier/stage pages in the same run), and
# the daily segment pass. Release build; loopback only; bounded (BENCH_REQUESTS sequential
# requests, BENCH_SECS of 16 connections per page).
# Usage: scripts/bench-segments.sh  (env: BENCH_ACCOUNTS, BENCH_REQUESTS, BENCH_SECS, BENCH_SEGMENTS)
set -euo pipefail
cd "$(dirname "$0")/.."
RUST_LOG=${RUST_LOG:-error} cargo bench -p server --bench segments
