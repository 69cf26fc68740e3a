#!/usr/bin/env bash
# Benchmarks (release build, loopback only, bounded runs). Prints a report to paste into
# BENCHMARKS.md:
#   - process start to first 200 from /healthz, on an empty and on a 100 000-account database;
#   - seed-demo speed;
#   - portfolio page (server-rendered HTML) latency p50/p99 and requests/s at 10 000 and 100 000
#     accounts, with wrk (Debian's package), 2 threads, 16 connections, 10 s per scenario;
#   - peak RSS of the server (VmHWM).
# Usage: scripts/bench.sh [ACCOUNTS...]   (default: 10000 100000); BENCH_HISTORY=1 seeds the
# year of product usage too; BELLWETHER_BIN=path benchmarks that binary.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
./scripts/setup.sh
./scripts/build-site.sh --release >/dev/null
# BELLWETHER_BIN: a release binary built elsewhere (another target directory) instead.
if [ -n "${BELLWETHER_BIN:-}" ]; then
  BIN=$BELLWETHER_BIN
else
  cargo build --release -p server
  BIN=$PWD/target/release/bellwether
fi
if [ $# -gt 0 ]; then SIZES=("$@"); else SIZES=(10000 100000); fi
WORK=$(mktemp -d)
PORT=$((20000 + RANDOM % 20000))
BASE=http://127.0.0.1:$PORT
PASS="bench password 1"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

now_ms() { date +%s%3N; }

# Starts the server on DB; sets SERVER_PID and START_MS (exec to the first 200 from /healthz).
start_server() {
  local db=$1 t0 t1
  t0=$(now_ms)
  BELLWETHER_DB=$db RUST_LOG=warn,app::store::portfolio_index=info "$BIN" serve --bind 127.0.0.1:$PORT --site-root target/site >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  until curl -sf -o /dev/null "$BASE/healthz"; do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
    sleep 0.005
  done
  t1=$(now_ms)
  START_MS=$((t1 - t0))
}

stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; }
peak_rss_mb() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$SERVER_PID/status"; }

echo "# Bellwether benchmark — $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo

start_server "surrealkv://$WORK/empty"
echo "start to first /healthz 200, empty database: ${START_MS} ms"
stop_server

history=(--no-history)
[ -n "${BENCH_HISTORY:-}" ] && history=()
for n in "${SIZES[@]}"; do
  db="surrealkv://$WORK/db-$n"
  t0=$(now_ms)
  # Without the year of daily usage (tens of millions of rows at 100 000 accounts, half an hour
  # to seed): the portfolio and start-up do not read it. BENCH_HISTORY=1 seeds it all.
  BELLWETHER_DB=$db RUST_LOG=warn "$BIN" seed-demo --accounts "$n" --seed 1 "${history[@]}" | sed 's/^/  /'
  echo "  seed-demo $n accounts: $(( ($(now_ms) - t0) )) ms wall"
  BELLWETHER_DB=$db RUST_LOG=warn "$BIN" user create --email bench@example.com --role admin --name Bench --password "$PASS" >/dev/null
  start_server "$db"
  echo "start to first /healthz 200, $n accounts: ${START_MS} ms"
  # The portfolio index loads in the background after start; measure pages once it has.
  until grep -q "portfolio index loaded" "$WORK/server.log"; do sleep 0.05; done
  echo "  portfolio index: $(sed 's/\x1b\[[0-9;]*m//g' "$WORK/server.log" | grep -o 'accounts=[0-9]* ms=[0-9]*')"
  cookie=$(curl -s -D - -o /dev/null -X POST "$BASE/api/auth/login" --data-urlencode "email=bench@example.com" --data-urlencode "password=$PASS" \
    | awk -F'[ ;]' 'tolower($1)=="set-cookie:" {print $2}')
  for path in "/" "/?sort=arr" "/?tier=enterprise&stage=growth&q=a&sort=renewal"; do
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" -H 'accept: text/html' "$BASE$path")
    [ "$status" = 200 ] || { echo "GET $path answered $status"; exit 1; }
    # One connection: the latency a person sees. Sixteen: throughput, with queueing.
    one=$(wrk -t1 -c1 -d5s --latency -H "Cookie: $cookie" "$BASE$path")
    many=$(wrk -t2 -c16 -d10s --latency -H "Cookie: $cookie" "$BASE$path")
    pct() { echo "$1" | awk -v p="$2" '$1==p {print $2}'; }
    echo "  portfolio $path at $n accounts: 1 conn p50 $(pct "$one" 50%) p99 $(pct "$one" 99%); 16 conns p50 $(pct "$many" 50%) p99 $(pct "$many" 99%), $(echo "$many" | awk '/Requests\/sec/ {print $2}') req/s"
  done
  echo "  peak RSS after the runs: $(peak_rss_mb) MB"
  stop_server
done
