#!/usr/bin/env bash
# Does POST /auth/password-reset answer a real account (confirmed address, a
# token and a mail written for every request) as fast as a made-up one? Runs a
# server with a real SMTP server (aiosmtpd) on loopback and times N requests of
# each kind, interleaved, with curl. Prints median and p90 in milliseconds.
#
#   scripts/reset-timing.sh [N] [CONFAB_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. scripts/test-python.sh
ensure_test_python || die "needs python3 with venv (aiosmtpd)"
N="${1:-200}"
BIN="${2:-$CARGO_TARGET_DIR/release/confab}"
[ -x "$BIN" ] || BIN="$CARGO_TARGET_DIR/debug/confab"
[ -x "$BIN" ] || die "build confab first (cargo build --release)"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
smtp=2525; port=18089; base="http://127.0.0.1:$port/api/v1"
"$CONFAB_TEST_PYTHON" -m aiosmtpd -n -l "127.0.0.1:$smtp" -c aiosmtpd.handlers.Mailbox "$work/mail" &
"$BIN" --data-dir "$work/data" --listen "127.0.0.1:$port" --log warn --rate-limits false \
  --smtp-url "smtp://127.0.0.1:$smtp" --mail-poll-ms 200 --password-reset-interval-secs 0 &
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
curl -fs -X POST "$base/auth/register" -H 'content-type: application/json' \
  -d '{"username":"ann","password":"correct horse battery","full_name":"Ann","email":"ann@example.org"}' >/dev/null
for _ in $(seq 100); do ls "$work/mail/new" 2>/dev/null | grep -q . && break; sleep 0.1; done
token=$(cat "$work"/mail/new/* | tr -d '\r' | sed -e ':a;/=$/{N;s/=\n//;ba}' | grep -o 'verify-email#token=3D[A-Za-z0-9_-]*' | head -1 | sed 's/.*token=3D//')
curl -fs -X POST "$base/auth/verify-email" -H 'content-type: application/json' -d "{\"token\":\"$token\"}" >/dev/null \
  || die "could not confirm the address"
time_one() { curl -s -o /dev/null -w '%{time_total}\n' -X POST "$base/auth/password-reset" -H 'content-type: application/json' -d "$1"; }
for i in $(seq "$N"); do
  time_one '{"username":"ann"}' >> "$work/known"
  time_one "{\"username\":\"nobody$i\"}" >> "$work/unknown"
done
stats() { sort -n "$1" | awk '{v[NR]=$1} END {printf "median %.2f ms, p90 %.2f ms", v[int(NR/2)+1]*1000, v[int(NR*0.9)]*1000}'; }
echo "known account, confirmed address ($N): $(stats "$work/known")"
echo "unknown account ($N):                  $(stats "$work/unknown")"
echo "reset mails queued: $(( $(ls "$work/mail/new" | wc -l) - 1 )) delivered so far"
