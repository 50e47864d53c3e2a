#!/usr/bin/env bash
# The "fanout" figures of BENCHMARKS.md: seeded groups, closed-loop senders, every
# member receiving, on SQLite, PostgreSQL and MariaDB, with the server's CPU time
# and system calls per delivery; and the same flow against the Node.js Socket.IO
# peer of bench/peers/socketio (PEER=1), on MariaDB like the peer's users run it.
# Loopback only; needs a release build:
#   cargo build --release -p confab -p confab-bench
#   bash scripts/bench-fanout.sh            # writes docs/bench/fanout-*.json
# Environment:
#   CONFAB    the server binary (default: this release build; point it at an older
#             build to measure "before" with the same tool)
#   TAG       suffix for the JSON files (default: -r2, round two of issue 14)
#   BACKENDS  sqlite,postgres,mysql (default sqlite)
#   SHAPES    groups x members : senders per group (0: all) : messages per sender
#             (default "100x10:0:20 5x200:50:10")
#   PEER=1    also the Socket.IO peer, same shapes (MariaDB database confab_peer)
#   PG, MYSQL admin URLs of the database servers
# System calls are counted by `perf stat` on the kernel's syscall tracepoints
# (counting only, no sampling) over the sending window only; without perf the JSON
# simply lacks them.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

bench_builds
BACKENDS=${BACKENDS:-sqlite}
SHAPES=${SHAPES:-"100x10:0:20 5x200:50:10"}
PG=${PG:-postgres://postgres@127.0.0.1:5432/test}
MYSQL=${MYSQL:-mysql://root@127.0.0.1:3306/test}
db=confab_bench_fanout
port=18098
work=$(mktemp -d)
pid=
perf_pid=
perf_flag=()
cleanup() {
  [ -n "$perf_pid" ] && kill -INT "$perf_pid" 2>/dev/null
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p docs/bench
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# Starts perf counting the system calls of process $1 into $2, disabled until the
# load tool enables it over the control FIFO for its measured window (sends and
# deliveries, not connection set-up); perf_flag is the tool's flag for that.
count_syscalls() {
  perf_pid=; perf_flag=()
  command -v perf >/dev/null || return 0
  rm -f "$work/perf.ctl"; mkfifo "$work/perf.ctl"
  perf stat -x, -o "$2" -p "$1" --control "fifo:$work/perf.ctl" -D -1 \
    -e raw_syscalls:sys_enter,syscalls:sys_enter_write,syscalls:sys_enter_writev,syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_futex,context-switches \
    2>/dev/null &
  perf_pid=$!
  perf_flag=(--perf-control "$work/perf.ctl")
  sleep 0.5
}

# Stops counting and adds the counts, and per delivery, to the run's JSON ($2).
add_syscalls() {
  local counts=$1 json=$2
  [ -n "$perf_pid" ] || return 0
  kill -INT "$perf_pid" 2>/dev/null; wait "$perf_pid" 2>/dev/null || true; perf_pid=
  python3 - "$counts" "$json" <<'EOF'
import json, sys
counts, path = sys.argv[1], sys.argv[2]
seen = {}
for line in open(counts):
    f = line.strip().split(",")
    if len(f) > 2 and f[0].replace(".", "").isdigit():
        seen[f[2].split(":")[-1].replace("sys_enter_", "").replace("sys_enter", "all")] = int(float(f[0]))
report = json.load(open(path))
delivered = max(report.get("delivered", 0), 1)
report["server_syscalls"] = seen
report["server_syscalls_per_delivery"] = {k: round(v / delivered, 3) for k, v in seen.items()}
json.dump(report, open(path, "w"), indent=2)
print("  syscalls per delivery: " + ", ".join(f"{k} {v}" for k, v in report["server_syscalls_per_delivery"].items()))
EOF
}


for backend in ${BACKENDS//,/ }; do
  case $backend in
    postgres) url=$(bench_database "$backend" "$work" "$PG" "$db") ;;
    *) url=$(bench_database "$backend" "$work" "$MYSQL" "$db") ;;
  esac
  confab=("$CONFAB" --data-dir "$work/$backend" --database-url "$url" --access-token-ttl-secs 7200)
  for shape in $SHAPES; do
    IFS=: read -r gm senders messages <<<"$shape"
    groups=${gm%x*}; members=${gm#*x}; prefix="f${groups}x${members}"
    echo "$backend $gm: seeding $((groups * members)) users in $groups groups..."
    "${confab[@]}" admin --init seed-bench --prefix "$prefix" --users $((groups * members)) \
      --groups "$groups" --group-size "$members" >/dev/null
    "${confab[@]}" admin bench-tokens --prefix "$prefix" --count $((groups * members)) \
      --out "$work/$prefix.tokens" >/dev/null
  done
  "${confab[@]}" --listen 127.0.0.1:$port --log warn --rate-limits false \
    --max-connections-per-address 0 &
  pid=$!
  wait_ready http://127.0.0.1:$port/readyz
  for shape in $SHAPES; do
    IFS=: read -r gm senders messages <<<"$shape"
    groups=${gm%x*}; members=${gm#*x}; prefix="f${groups}x${members}"
    json="docs/bench/fanout-$backend-$gm$TAG.json"
    count_syscalls "$pid" "$work/perf.txt"
    "$BENCH" --url http://127.0.0.1:$port --server-pid "$pid" "${perf_flag[@]}" --json "$json" fanout \
      --tokens "$work/$prefix.tokens" --groups "$groups" --members "$members" \
      --senders "$senders" --messages "$messages" --concurrency 128
    add_syscalls "$work/perf.txt" "$json"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
done

[ "${PEER:-0}" = 1 ] || exit 0
peer_db="${MYSQL%/*}/confab_peer"
mariadb -h127.0.0.1 -uroot -e "CREATE DATABASE IF NOT EXISTS confab_peer"
(cd bench/peers/socketio && [ -d node_modules ] || npm ci --no-audit --no-fund >/dev/null)
for shape in $SHAPES; do
  IFS=: read -r gm senders messages <<<"$shape"
  groups=${gm%x*}; members=${gm#*x}
  node bench/peers/socketio/server.mjs --seed --groups "$groups" --members "$members" --database "$peer_db"
  node bench/peers/socketio/server.mjs --port $port --database "$peer_db" &
  pid=$!
  # The peer answers only WebSocket upgrades on Socket.IO's path: wait for the port.
  for _ in $(seq 150); do port_open 127.0.0.1 $port && break; sleep 0.2; done
  json="docs/bench/peer-fanout-mysql-$gm$TAG.json"
  count_syscalls "$pid" "$work/perf.txt"
  "$BENCH" --url http://127.0.0.1:$port --server-pid "$pid" "${perf_flag[@]}" --json "$json" peer-fanout \
    --groups "$groups" --members "$members" --senders "$senders" --messages "$messages" --concurrency 128
  add_syscalls "$work/perf.txt" "$json"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
done
