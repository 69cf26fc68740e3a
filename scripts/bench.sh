#!/usr/bin/env bash
# Benchmarks (release build, loopback only, bounded runs). Prints a report to paste into
# BENCHMARKS.md:
#   - process start to first 200 from /healthz, on an empty and on a 100 000-account database;
#   - seed-demo speed;
#   - portfolio page (server-rendered HTML) latency p50/p99 and requests/s at 10 000 and 100 000
#     accounts, with wrk (Debian's package), 2 threads, 16 connections, 10 s per scenario;
#   - peak RSS of the server (VmHWM).
# Usage: scripts/bench.sh [ACCOUNTS...]   (default: 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
./scripts/setup.sh
./scripts/build-site.sh --release >/dev/null
cargo build --release -p server
BIN=$PWD/target/release/bellwether
if [ $# -gt 0 ]; then SIZES=("$@"); else SIZES=(10000 100000); fi
WORK=$(mktemp -d)
PORT=3917
BASE=http://127.0.0.1:$PORT
PASS="bench password 1"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

now_ms() { date +%s%3N; }

# Starts the server on DB and echoes the milliseconds from exec to the first 200 from /healthz.
start_server() {
  local db=$1 t0 t1
  t0=$(now_ms)
  BELLWETHER_DB=$db RUST_LOG=warn "$BIN" serve --bind 127.0.0.1:$PORT --site-root target/site >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  until curl -sf -o /dev/null "$BASE/healthz"; do sleep 0.005; done
  t1=$(now_ms)
  echo $((t1 - t0))
}

stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; }
peak_rss_mb() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$SERVER_PID/status"; }

echo "# Bellwether benchmark — $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo

ms=$(start_server "surrealkv://$WORK/empty")
echo "start to first /healthz 200, empty database: ${ms} ms"
stop_server

for n in "${SIZES[@]}"; do
  db="surrealkv://$WORK/db-$n"
  t0=$(now_ms)
  BELLWETHER_DB=$db RUST_LOG=warn "$BIN" seed-demo --accounts "$n" --seed 1 | sed 's/^/  /'
  echo "  seed-demo $n accounts: $(( ($(now_ms) - t0) )) ms wall"
  BELLWETHER_DB=$db RUST_LOG=warn "$BIN" user create --email bench@example.com --role admin --name Bench --password "$PASS" >/dev/null
  ms=$(start_server "$db")
  echo "start to first /healthz 200, $n accounts: ${ms} ms"
  cookie=$(curl -s -D - -o /dev/null -X POST "$BASE/api/auth/login" --data-urlencode "email=bench@example.com" --data-urlencode "password=$PASS" \
    | awk -F'[ ;]' 'tolower($1)=="set-cookie:" {print $2}')
  for path in "/" "/?sort=arr" "/?tier=enterprise&stage=growth" "/?q=acme&sort=renewal" "/?page=200"; do
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" -H 'accept: text/html' "$BASE$path")
    [ "$status" = 200 ] || { echo "GET $path answered $status"; exit 1; }
    out=$(wrk -t2 -c16 -d10s --latency -H "Cookie: $cookie" "$BASE$path")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    echo "  portfolio $path at $n accounts: p50 $p50, p99 $p99, $rps req/s"
  done
  echo "  peak RSS after the runs: $(peak_rss_mb) MB"
  stop_server
done
