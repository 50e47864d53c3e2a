# An S3-compatible server for the S3 store's tests: moto in server mode, from PyPI
# in a virtualenv under ~/.cache/confab, on loopback only. Sourced by test.sh;
# `ensure_s3` exports CONFAB_TEST_S3_ENDPOINT (given already: used as is).

MOTO_VERSION=5.1.18
S3_PORT="${CONFAB_S3_PORT:-9100}"
S3_PID=""

ensure_s3() {
  [ -n "${CONFAB_TEST_S3_ENDPOINT:-}" ] && return 0
  local venv="${CONFAB_S3_VENV:-$HOME/.cache/confab/venv-s3}" ep="http://127.0.0.1:$S3_PORT" i
  if port_open 127.0.0.1 "$S3_PORT"; then
    # One left running by an earlier run is fine; anything else on the port is not.
    if curl -fs "$ep/" 2>/dev/null | grep -q ListAllMyBucketsResult; then
      export CONFAB_TEST_S3_ENDPOINT="$ep"; return 0
    fi
    warn "port $S3_PORT is taken by something that is not an S3 server (set CONFAB_S3_PORT)"
    return 1
  fi
  if ! "$venv/bin/pip" show moto 2>/dev/null | grep -qx "Version: $MOTO_VERSION"; then
    say "installing moto $MOTO_VERSION (S3-compatible test server) into $venv"
    python3 -m venv "$venv" && "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" || return 1
  fi
  say "starting moto (S3) on 127.0.0.1:$S3_PORT"
  "$venv/bin/moto_server" -H 127.0.0.1 -p "$S3_PORT" >"${TMPDIR:-/tmp}/confab-moto.log" 2>&1 &
  S3_PID=$!
  for i in $(seq 1 60); do
    port_open 127.0.0.1 "$S3_PORT" && { export CONFAB_TEST_S3_ENDPOINT="$ep"; return 0; }
    sleep 0.5
  done
  return 1
}

stop_s3() { [ -n "$S3_PID" ] && kill "$S3_PID" 2>/dev/null; S3_PID=""; }
