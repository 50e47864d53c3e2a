#!/usr/bin/env bash
# The whole test suite: formatting, lints (warnings are errors), unit tests and the
# integration tests on every database backend that can be reached, the API contract
# run (schemathesis) and the browser tests.
#
#   CONFAB_TEST_POSTGRES_URL  admin URL of a PostgreSQL server (default
#                             postgres://postgres@127.0.0.1:5432/test)
#   CONFAB_TEST_MYSQL_URL     admin URL of a MySQL/MariaDB server (default
#                             mysql://root@127.0.0.1:3306/test)
#   CONFAB_TEST_REDIS_URL     a Redis for the cluster tests (default
#                             redis://127.0.0.1:6379; redis-server must be
#                             installed too: the outage test starts its own)
#   CONFAB_TEST_S3_ENDPOINT   an S3-compatible server (default: moto, installed
#                             from PyPI and started on 127.0.0.1:9100)
#   CONFAB_TEST_PYTHON        a python with aiosmtpd, http_ece and cryptography:
#                             the SMTP and push servers the tests start
#                             (default: installed from PyPI)
# Set one to "" to leave that backend out. Outside CI an unreachable server is
# left out with a clear notice; under CI=true it fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_cargo
started=$(date +%s)

export CONFAB_TEST_POSTGRES_URL="${CONFAB_TEST_POSTGRES_URL-postgres://postgres@127.0.0.1:5432/test}"
export CONFAB_TEST_MYSQL_URL="${CONFAB_TEST_MYSQL_URL-mysql://root@127.0.0.1:3306/test}"
export CONFAB_TEST_REDIS_URL="${CONFAB_TEST_REDIS_URL-redis://127.0.0.1:6379}"
not_run=()
check_backend() { # VAR NAME DEFAULT_PORT
  local var=$1 name=$2 url="${!1}"
  if [ -z "$url" ]; then
    is_ci && die "$var is empty: CI must test $name"
    not_run+=("$name (no $var)"); unset "$var"; return
  fi
  if ! port_open "$(url_host "$url")" "$(url_port "$url" "$3")"; then
    is_ci && die "$name is not reachable at $(url_host "$url"):$(url_port "$url" "$3") (.ci/run starts it)"
    warn "$name is not reachable at $(url_host "$url"):$(url_port "$url" "$3"): its tests will NOT run"
    not_run+=("$name (not reachable)"); unset "$var"
  fi
}
check_backend CONFAB_TEST_POSTGRES_URL PostgreSQL 5432
check_backend CONFAB_TEST_MYSQL_URL MySQL/MariaDB 3306
check_backend CONFAB_TEST_REDIS_URL "Redis (the cluster bus)" 6379
if [ ! -x "${CONFAB_TEST_NGINX:-/usr/sbin/nginx}" ]; then
  is_ci && die "nginx is not installed: CI must test deploy/nginx/confab.conf (.ci/run installs it)"
  warn "nginx not installed: the test of deploy/nginx/confab.conf will NOT run ('apt-get install nginx')"
  not_run+=("nginx (not installed)")
fi
if [ -n "${CONFAB_TEST_REDIS_URL:-}" ] && ! command -v redis-server >/dev/null 2>&1; then
  is_ci && die "redis-server is not installed: the Redis outage test runs its own"
  warn "redis-server not installed: the cluster tests will NOT run"
  not_run+=("cluster (no redis-server)"); unset CONFAB_TEST_REDIS_URL
fi

# Browser tests: Debian's Chromium driven by playwright-core (never a downloaded
# browser). Installed here when missing and this shell can (root with apt-get);
# otherwise said now, not at the end of the run.
chromium_bin="${CHROMIUM:-/usr/bin/chromium}"
browser=yes
if ! command -v npm >/dev/null 2>&1; then
  browser=no # the web client step below says why
elif [ ! -x "$chromium_bin" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing Chromium (apt-get) for the browser tests"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } ||
    warn "apt-get could not install Chromium"
fi
if [ "$browser" = yes ] && [ ! -x "$chromium_bin" ]; then
  is_ci && die "Chromium is not installed at $chromium_bin: CI must run the browser tests"
  warn "Chromium not found at $chromium_bin: the browser tests will NOT run ('apt-get install chromium', or set CHROMIUM)"
  not_run+=("browser tests (no Chromium)"); browser=no
fi

# The API contract run needs python3 with venv (schemathesis comes from PyPI).
contract=yes
if ! { command -v python3 >/dev/null 2>&1 && python3 -c 'import venv, ensurepip' 2>/dev/null; }; then
  is_ci && die "python3 with venv is needed for the API contract run (schemathesis)"
  warn "python3 (with venv) not found: the API contract run (schemathesis) will NOT run"
  not_run+=("API contract run (no python3 venv)"); contract=no
fi

# The S3 store's tests need an S3-compatible server: moto, from PyPI (scripts/s3.sh).
. scripts/s3.sh
trap stop_s3 EXIT
if [ "$contract" = yes ]; then
  if ! ensure_s3; then
    is_ci && die "the S3-compatible test server (moto) could not be started"
    warn "no S3-compatible test server: the S3 store's tests will NOT run"
    not_run+=("S3 store (moto did not start)")
  fi
else
  not_run+=("S3 store (no python3 venv)")
fi

# The mail and push tests need real servers: aiosmtpd and a push service that
# decrypts with http_ece, from PyPI (scripts/test-python.sh); each test starts
# its own on loopback.
. scripts/test-python.sh
if [ "$contract" = yes ] && ensure_test_python; then :; else
  is_ci && die "the Python test servers (aiosmtpd, http_ece) could not be installed"
  warn "no Python test servers: the mail and web push tests will NOT run"
  not_run+=("mail and web push (no aiosmtpd/http_ece)")
fi

if [ ${#not_run[@]} -gt 0 ]; then
  warn "this run will NOT test: ${not_run[*]}"
fi

# Each integration test makes its own database named confab_t_*; drop leftovers.
drop_test_databases() {
  if [ -n "${CONFAB_TEST_POSTGRES_URL:-}" ] && command -v psql >/dev/null; then
    psql "$CONFAB_TEST_POSTGRES_URL" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'confab_t_%'" 2>/dev/null |
      while read -r db; do psql "$CONFAB_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; done
  fi
  if [ -n "${CONFAB_TEST_MYSQL_URL:-}" ] && command -v mariadb >/dev/null; then
    local h p; h=$(url_host "$CONFAB_TEST_MYSQL_URL"); p=$(url_port "$CONFAB_TEST_MYSQL_URL" 3306)
    mariadb -h"$h" -P"$p" -uroot -Nse "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'confab_t_%'" 2>/dev/null |
      while read -r db; do mariadb -h"$h" -P"$p" -uroot -e "DROP DATABASE IF EXISTS $db" 2>/dev/null || true; done
  fi
}
drop_test_databases

# The web client: type check, unit tests, production build.
if [ -f web/package.json ]; then
  if command -v npm >/dev/null 2>&1; then
    say "web client: npm install (locked), typecheck, vitest, build"
    (cd web && npm install --no-save --no-audit --no-fund --loglevel=error && npm run --silent typecheck && npm test --silent && npm run --silent build)
  else
    is_ci && die "npm not found: CI must test the web client"
    warn "npm not found: the web client's tests will NOT run (install Node.js 20+)"
    not_run+=("web client (no npm)")
  fi
fi

say "cargo fmt --check"
cargo fmt --all -- --check || die "formatting differs: run 'cargo fmt --all'"
say "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

say "tests"
if command -v cargo-nextest >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  warn "cargo-nextest not found; using cargo test ('cargo install cargo-nextest' for faster runs)"
  # The metrics tests read the process's one registry: apart, one at a time
  # (nextest runs every test in its own process).
  cargo test --workspace --locked --no-fail-fast -- --skip metrics::
  cargo test --workspace --locked --no-fail-fast -- metrics:: --test-threads=1
fi
drop_test_databases

# The API contract: every operation against the OpenAPI document (schemathesis,
# from PyPI in a virtualenv the script makes), on SQLite and PostgreSQL.
if [ "$contract" = yes ]; then
  scripts/schemathesis.sh
fi

# Browser tests, against the debug server binary the tests above just built.
if [ "$browser" = yes ]; then
  say "browser tests (Chromium)"
  (cd web && CHROMIUM="$chromium_bin" CONFAB_BIN="$CARGO_TARGET_DIR/debug/confab" npm run --silent e2e)
fi

say "done in $(( $(date +%s) - started ))s"
ran=("fmt" "clippy" "unit and integration tests on SQLite")
command -v npm >/dev/null 2>&1 && ran+=("web client (typecheck, Vitest, build)")
[ -n "${CONFAB_TEST_POSTGRES_URL:-}" ] && ran+=("PostgreSQL")
[ -n "${CONFAB_TEST_MYSQL_URL:-}" ] && ran+=("MySQL/MariaDB")
[ -n "${CONFAB_TEST_REDIS_URL:-}" ] && ran+=("Redis bus and cluster")
[ -x "${CONFAB_TEST_NGINX:-/usr/sbin/nginx}" ] && ran+=("nginx")
[ -n "${CONFAB_TEST_S3_ENDPOINT:-}" ] && ran+=("S3 store")
[ -n "${CONFAB_TEST_PYTHON:-}" ] && ran+=("SMTP and web push")
[ "$contract" = yes ] && ran+=("API contract (schemathesis)")
[ "$browser" = yes ] && ran+=("browser tests in Chromium")
say "tested: $(printf '%s; ' "${ran[@]}" | sed 's/; $//')"
if [ ${#not_run[@]} -gt 0 ]; then
  warn "NOT RUN (everything else passed): ${not_run[*]}"
fi
