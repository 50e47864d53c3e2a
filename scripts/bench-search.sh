#!/usr/bin/env bash
# The "search" figures of BENCHMARKS.md: 8 users searching at once for seeded topic
# words over one conversation of MESSAGES (1,000,000) messages, on SQLite,
# PostgreSQL and MariaDB. Loopback only; needs a release build:
#   cargo build --release -p confab -p confab-bench
#   bash scripts/bench-search.sh             # writes docs/bench/search-*.json
# Environment: PG, MYSQL (admin URLs), MESSAGES, SEARCHES (2000), BACKENDS
# (sqlite,postgres,mysql).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

target=${CARGO_TARGET_DIR:-$HOME/.cache/confab/target}/release
PG=${PG:-postgres://postgres@127.0.0.1:5432/test}
MYSQL=${MYSQL:-mysql://root@127.0.0.1:3306/test}
MESSAGES=${MESSAGES:-1000000}
SEARCHES=${SEARCHES:-2000}
BACKENDS=${BACKENDS:-sqlite,postgres,mysql}
db=confab_bench_search
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p docs/bench

for backend in ${BACKENDS//,/ }; do
  case $backend in
    postgres) url=$(bench_database "$backend" "$work" "$PG" "$db") ;;
    *) url=$(bench_database "$backend" "$work" "$MYSQL" "$db") ;;
  esac
  confab=("$target/confab" --data-dir "$work/$backend" --database-url "$url" --access-token-ttl-secs 7200)
  echo "$backend: seeding $MESSAGES messages in one conversation of 10..."
  started=$(date +%s)
  "${confab[@]}" admin --init seed-bench --prefix srch --users 10 --groups 1 --group-size 10 \
    --messages "$MESSAGES" >/dev/null
  echo "$backend: seeded (and indexed) in $(( $(date +%s) - started )) s"
  "${confab[@]}" admin bench-tokens --prefix srch --count 10 --out "$work/tokens.txt" >/dev/null
  "${confab[@]}" --listen 127.0.0.1:18097 --log warn --rate-limits false &
  pid=$!
  for _ in $(seq 100); do curl -fs http://127.0.0.1:18097/readyz >/dev/null 2>&1 && break; sleep 0.2; done
  "$target/confab-bench" --url http://127.0.0.1:18097 --json "docs/bench/search-$backend.json" \
    search --tokens "$work/tokens.txt" --searchers 8 --searches "$SEARCHES"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
done
