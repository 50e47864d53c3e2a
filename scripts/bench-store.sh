#!/usr/bin/env bash
# The store-bound figures of BENCHMARKS.md, on SQLite, PostgreSQL and MariaDB:
# `ingest` (durable sends/s, two-person conversations, closed loop) and `history`
# (random pages of 50 in one conversation of MESSAGES messages, 1 and 8 readers),
# each with the server's CPU time per send or page. Loopback only; needs a
# release build:
#   cargo build --release -p confab -p confab-bench
#   bash scripts/bench-store.sh             # writes docs/bench/{ingest,history}-*.json
# Environment:
#   CONFAB     the server binary (default: this release build)
#   TAG        suffix for the JSON files (default: -r2, round two of issue 14)
#   BACKENDS   sqlite,postgres,mysql (default sqlite)
#   SCENARIOS  ingest,history (default both)
#   MESSAGES   messages seeded for history (default 10000000: ~95 s and 4.6 GB on SQLite)
#   PG, MYSQL  admin URLs of the database servers
#   WORK       where the SQLite files go (default a temporary directory, removed)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

bench_builds
BACKENDS=${BACKENDS:-sqlite}
SCENARIOS=${SCENARIOS:-ingest,history}
MESSAGES=${MESSAGES:-10000000}
PG=${PG:-postgres://postgres@127.0.0.1:5432/test}
MYSQL=${MYSQL:-mysql://root@127.0.0.1:3306/test}
port=18099
keep_work=${WORK:+1}
work=${WORK:-$(mktemp -d)}
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  [ -n "$keep_work" ] || rm -rf "$work"
}
trap cleanup EXIT
mkdir -p docs/bench "$work"


# A fresh database for one scenario on one backend: the URL.
fresh() { # backend name
  case $1 in
    sqlite) rm -rf "${work:?}/$2"; bench_database sqlite "$work" "" "" | sed "s#/sqlite/#/$2/#" ;;
    postgres) bench_database postgres "$work" "$PG" "confab_bench_$2" ;;
    mysql) bench_database mysql "$work" "$MYSQL" "confab_bench_$2" ;;
  esac
}

serve() { # data-dir url
  "$CONFAB" --data-dir "$1" --database-url "$2" --access-token-ttl-secs 7200 \
    --listen 127.0.0.1:$port --log warn --rate-limits false --max-connections-per-address 0 &
  pid=$!
  wait_ready http://127.0.0.1:$port/readyz
}

stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }

for backend in ${BACKENDS//,/ }; do
  if [[ ",$SCENARIOS," == *,ingest,* ]]; then
    url=$(fresh "$backend" ingest); dir="$work/ingest"
    echo "$backend ingest: seeding 2,000 users in 1,000 conversations of 2..."
    "$CONFAB" --data-dir "$dir" --database-url "$url" admin --init seed-bench --prefix load \
      --users 2000 --groups 1000 --group-size 2 >/dev/null
    "$CONFAB" --data-dir "$dir" --database-url "$url" --access-token-ttl-secs 7200 admin bench-tokens \
      --prefix load --count 2000 --out "$work/ingest.tokens" >/dev/null
    serve "$dir" "$url"
    "$BENCH" --url http://127.0.0.1:$port --server-pid "$pid" --json "docs/bench/ingest-$backend$TAG.json" \
      ingest --tokens "$work/ingest.tokens" --conversations 500 --messages 40 --concurrency 128
    stop
  fi
  if [[ ",$SCENARIOS," == *,history,* ]]; then
    url=$(fresh "$backend" history); dir="$work/history"
    echo "$backend history: seeding $MESSAGES messages in one conversation..."
    start=$(date +%s)
    "$CONFAB" --data-dir "$dir" --database-url "$url" admin --init seed-bench --prefix hist \
      --users 10 --groups 1 --group-size 10 --messages "$MESSAGES" >/dev/null
    echo "  seeded in $(( $(date +%s) - start )) s"
    "$CONFAB" --data-dir "$dir" --database-url "$url" --access-token-ttl-secs 7200 admin bench-tokens \
      --prefix hist --count 10 --out "$work/history.tokens" >/dev/null
    serve "$dir" "$url"
    "$BENCH" --url http://127.0.0.1:$port history --tokens "$work/history.tokens" --readers 1 --pages 3000 >/dev/null  # warm-up
    for readers in 1 8; do
      pages=$(( readers == 1 ? 8000 : 40000 ))
      "$BENCH" --url http://127.0.0.1:$port --server-pid "$pid" \
        --json "docs/bench/history-$backend-$readers$TAG.json" \
        history --tokens "$work/history.tokens" --readers "$readers" --pages "$pages"
    done
    stop
  fi
done
