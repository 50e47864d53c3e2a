#!/usr/bin/env bash
# The "reconnect" figures of BENCHMARKS.md: 10,000 seeded users in 1,000 groups of
# 10 connect, all drop, 5 messages arrive in each group, all come back at once and
# resume. How long they were away, against the server's presence grace, decides
# what the reconnect meets, so each case fixes both:
#   blip     grace 30 s, away 10 s: nobody was ever shown offline
#   offline  grace 5 s, away 30 s: everyone was shown offline (and that storm has
#            passed) and comes back as news to their co-members
# Each run starts the server afresh (presence lives in memory), on the same data,
# once the last run's sockets have left TIME_WAIT: the tool binds each socket to a
# source address before connecting, and with ~19,000 of them still in TIME_WAIT the
# kernel's search for a free port made whole runs 2-4x slower in system time while
# the server's own CPU stayed the same (seen as a bimodal figure, BENCHMARKS.md).
# Loopback only; needs a release build:
#   cargo build --release -p confab -p confab-bench
#   bash scripts/bench-reconnect.sh         # writes docs/bench/reconnect-*.json
# Environment:
#   CONFAB    the server binary (default: this release build)
#   TAG       suffix for the JSON files (default: -r2)
#   CASES     name:grace:away ... (default "blip:30:10 offline:5:30")
#   RUNS      runs per case (default 3)
#   CLIENTS   (default 10000)
#   MESSAGES  missed messages per group (default 5; 0: nothing to replay, the
#             cost of coming back alone)
#   BACKENDS  sqlite,postgres,mysql (default sqlite)
#   PG, MYSQL admin URLs of the database servers
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

bench_builds
CASES=${CASES:-"blip:30:10 offline:5:30"}
RUNS=${RUNS:-3}
CLIENTS=${CLIENTS:-10000}
MESSAGES=${MESSAGES:-5}
BACKENDS=${BACKENDS:-sqlite}
PG=${PG:-postgres://postgres@127.0.0.1:5432/test}
MYSQL=${MYSQL:-mysql://root@127.0.0.1:3306/test}
port=18097
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
    postgres) admin=$PG ;;
    mysql) admin=$MYSQL ;;
    *) admin= ;;
  esac
  url=$(bench_database "$backend" "$work" "$admin" confab_bench_reconnect)
  confab=("$CONFAB" --data-dir "$work/data-$backend" --database-url "$url" --access-token-ttl-secs 7200)
  echo "$backend: seeding $CLIENTS users in $((CLIENTS / 10)) groups of 10..."
  "${confab[@]}" admin --init seed-bench --prefix load --users "$CLIENTS" --groups $((CLIENTS / 10)) \
    --group-size 10 >/dev/null
  "${confab[@]}" admin bench-tokens --prefix load --count "$CLIENTS" --out "$work/tokens" >/dev/null

  for case in $CASES; do
    IFS=: read -r name grace away <<<"$case"
    for run in $(seq "$RUNS"); do
      for _ in $(seq 90); do
        [ "$(ss -Htan state time-wait | wc -l)" -lt 500 ] && break; sleep 1
      done
      "${confab[@]}" --listen 127.0.0.1:$port --log warn --rate-limits false \
        --max-connections-per-address 0 --presence-grace-secs "$grace" &
      pid=$!
      wait_ready http://127.0.0.1:$port/readyz
      echo "$backend $name (grace $grace s, away $away s), run $run:"
      "$BENCH" --url http://127.0.0.1:$port --server-pid "$pid" \
        --json "docs/bench/reconnect-$backend-10k-$name-$run$TAG.json" reconnect \
        --tokens "$work/tokens" --clients "$CLIENTS" --messages "$MESSAGES" --sources 2 --concurrency 256 \
        --away-secs "$away"
      kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
    done
  done
done
