#!/usr/bin/env bash
# The "latency" figures of BENCHMARKS.md: 10,000 seeded users in 1,000 groups of
# 10, one sender per group, stepped through offered rates (open loop: latency is
# timed from when a send was due). The server's /metrics is scraped around each
# step, so the report splits the server's share of the time into the stages of a
# message (README, "Metrics": check, turn, queue, commit, wake,
# publish, route, deliver); what is left is the tool's and the kernel's.
# Loopback only; needs a release build:
#   cargo build --release -p confab -p confab-bench
#   bash scripts/bench-latency.sh          # writes docs/bench/latency-*.json
# Environment:
#   CONFAB    the server binary (default: this release build)
#   TAG       suffix for the JSON files (default: -r2)
#   BACKENDS  comma-separated: sqlite, postgres, mysql (default: sqlite)
#   RATES     offered deliveries/s, comma-separated (default 2500,...,50000)
#   SECONDS_PER_STEP (default 5), SETTLE (default 30), RUNS (default 1)
#   USERS     (default 10000; groups of 10)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

bench_builds
BACKENDS=${BACKENDS:-sqlite}
RATES=${RATES:-2500,5000,10000,20000,30000,50000}
SECONDS_PER_STEP=${SECONDS_PER_STEP:-5}
SETTLE=${SETTLE:-30}
RUNS=${RUNS:-1}
USERS=${USERS:-10000}
PG_ADMIN=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}
MYSQL_ADMIN=${MYSQL_ADMIN:-mysql://root@127.0.0.1:3306/mysql}
port=18098
metrics_port=18099
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p docs/bench
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

for backend in ${BACKENDS//,/ }; do
  case $backend in
    postgres) admin=$PG_ADMIN ;;
    mysql) admin=$MYSQL_ADMIN ;;
    *) admin= ;;
  esac
  for run in $(seq "$RUNS"); do
    # A fresh database each run: a run's messages would slow the next one's sends.
    rm -rf "$work/data"
    db=()
    [ "$backend" = sqlite ] || db=(--database-url "$(bench_database "$backend" "" "$admin" confab_latency)")
    confab=("$CONFAB" --data-dir "$work/data" "${db[@]}" --access-token-ttl-secs 7200)
    echo "$backend, run $run: seeding $USERS users in $((USERS / 10)) groups of 10..."
    "${confab[@]}" admin --init seed-bench --prefix load --users "$USERS" --groups $((USERS / 10)) \
      --group-size 10 >/dev/null
    "${confab[@]}" admin bench-tokens --prefix load --count "$USERS" --out "$work/tokens" >/dev/null
    for _ in $(seq 90); do
      [ "$(ss -Htan state time-wait | wc -l)" -lt 500 ] && break; sleep 1
    done
    "${confab[@]}" --listen 127.0.0.1:$port --log warn --rate-limits false \
      --max-connections-per-address 0 --metrics-listen 127.0.0.1:$metrics_port &
    pid=$!
    wait_ready http://127.0.0.1:$port/readyz
    "$BENCH" --url http://127.0.0.1:$port --server-pid "$pid" \
      --json "docs/bench/latency-$backend-10k-$run$TAG.json" latency \
      --metrics http://127.0.0.1:$metrics_port/metrics \
      --tokens "$work/tokens" --groups $((USERS / 10)) --members 10 --senders 1 \
      --rates "$RATES" --seconds "$SECONDS_PER_STEP" --settle "$SETTLE" --sources 2 --concurrency 128
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  done
done
