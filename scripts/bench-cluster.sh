#!/usr/bin/env bash
# The "Several nodes" figures of BENCHMARKS.md: one node against three nodes
# (PostgreSQL + Redis) at the same load, and 5,000 clients of a killed node.
# Loopback only. Needs PostgreSQL and Redis (scripts/services.sh starts them)
# and a release build:
#   cargo build --release -p confab -p confab-bench
#   bash scripts/bench-cluster.sh            # writes docs/bench/cluster-*.json
# Environment: PG (admin URL), REDIS, CLIENTS (5000), RATES (2000,5000).
set -euo pipefail
cd "$(dirname "$0")/.."

target=${CARGO_TARGET_DIR:-$HOME/.cache/confab/target}/release
PG=${PG:-postgres://postgres@127.0.0.1:5432/test}
REDIS=${REDIS:-redis://127.0.0.1:6379}
CLIENTS=${CLIENTS:-5000}
RATES=${RATES:-2000,5000}
db=confab_bench_cluster
url="${PG%/*}/$db"
work=$(mktemp -d)
secret=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
channel="bench-$$"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

psql "$PG" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
confab=("$target/confab" --database-url "$url" --jwt-secret "$secret" --access-token-ttl-secs 7200)
echo "seeding $CLIENTS users in groups of 10..."
"${confab[@]}" --data-dir "$work/seed" admin --init seed-bench --prefix cl --users "$CLIENTS" \
  --groups $((CLIENTS / 10)) --group-size 10 >/dev/null
"${confab[@]}" --data-dir "$work/seed" admin bench-tokens --prefix cl --count "$CLIENTS" \
  --out "$work/tokens.txt" >/dev/null

# start PORT [extra flags...]: a node; its pid is the last of $pids.
start() {
  local port=$1; shift
  "${confab[@]}" --data-dir "$work/n$port" --listen "127.0.0.1:$port" --log warn \
    --rate-limits false --max-connections-per-address 0 --presence-grace-secs 5 "$@" &
  pids+=($!)
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && return 0
    sleep 0.1
  done
  echo "node on $port did not start" >&2; exit 1
}
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; pids=(); }
bench=("$target/confab-bench")
out=docs/bench

echo "== one node (no Redis)"
start 18190
"${bench[@]}" --url http://127.0.0.1:18190 --json "$out/cluster-latency-1node.json" \
  latency --tokens "$work/tokens.txt" --groups 100 --members 10 --rates "$RATES" --seconds 5 --settle 5
"${bench[@]}" --url http://127.0.0.1:18190 --json "$out/cluster-fanout-1node.json" \
  fanout --tokens "$work/tokens.txt" --groups 100 --members 10 --messages 20 --senders 1
stop_all

echo "== three nodes (Redis), every group spread over the three"
cluster=(--redis-url "$REDIS" --redis-channel "$channel" --node-ttl-secs 15)
start 18191 "${cluster[@]}"; start 18192 "${cluster[@]}"; start 18193 "${cluster[@]}"
b_pid=${pids[1]}
spread=(--url http://127.0.0.1:18191 --ws-url http://127.0.0.1:18191,http://127.0.0.1:18192,http://127.0.0.1:18193)
"${bench[@]}" "${spread[@]}" --json "$out/cluster-latency-3nodes.json" \
  latency --tokens "$work/tokens.txt" --groups 100 --members 10 --rates "$RATES" --seconds 5 --settle 5
"${bench[@]}" "${spread[@]}" --json "$out/cluster-fanout-3nodes.json" \
  fanout --tokens "$work/tokens.txt" --groups 100 --members 10 --messages 20 --senders 1

echo "== $CLIENTS clients on node B; B is killed; they come back to A and C"
"${bench[@]}" --url http://127.0.0.1:18191 --ws-url http://127.0.0.1:18191,http://127.0.0.1:18193 \
  --json "$out/cluster-killed-node.json" \
  reconnect --tokens "$work/tokens.txt" --clients "$CLIENTS" --messages 5 --sources 4 \
  --concurrency 256 --first-url http://127.0.0.1:18192 --kill-pid "$b_pid"
stop_all
psql "$PG" -qc "DROP DATABASE IF EXISTS $db"
