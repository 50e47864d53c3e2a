# Shared by scripts/*.sh and .ci/run. Sourced, not run.

# Builds survive fresh clones (CI clones anew every run): keep the cargo target
# directory outside the work tree unless the caller chose one.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/confab/target}"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf '\033[1;33m!!  %s\033[0m\n' "$*" >&2; }
die() { printf '\033[1;31mxx  %s\033[0m\n' "$*" >&2; exit 1; }

is_ci() { [ -n "${CI:-}" ] && [ "${CI:-}" != "false" ] && [ "${CI:-}" != "0" ]; }

# For the benchmark scripts: an empty database named $4 for backend $1 (sqlite,
# postgres, mysql), SQLite's under the directory $2, the server ones next to the
# admin URL $3; prints the URL to give the server.
bench_database() {
  case $1 in
    sqlite) echo "sqlite://$2/$1/confab.db" ;;
    postgres) psql "$3" -qc "DROP DATABASE IF EXISTS $4" -c "CREATE DATABASE $4" && echo "${3%/*}/$4" ;;
    mysql) mariadb -h"$(url_host "$3")" -P"$(url_port "$3")" -uroot -e "DROP DATABASE IF EXISTS $4; CREATE DATABASE $4" && echo "${3%/*}/$4" ;;
    *) die "unknown backend $1 (sqlite, postgres, mysql)" ;;
  esac
}

# The release build a bench script measures: CONFAB (point it at an older build to
# measure "before" with the same tool), BENCH, and TAG, the JSON files' suffix.
bench_builds() {
  local target=${CARGO_TARGET_DIR:-$HOME/.cache/confab/target}/release
  CONFAB=${CONFAB:-$target/confab}
  BENCH=$target/confab-bench
  TAG=${TAG:--r2}
  [ -x "$CONFAB" ] && [ -x "$BENCH" ] || die "build first: cargo build --release -p confab -p confab-bench"
}

# Waits up to a minute for a server to answer at URL.
wait_ready() {
  for _ in $(seq 300); do curl -fs -m 2 "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "the server did not come up at $1" >&2; return 1
}

need_cargo() {
  command -v cargo >/dev/null 2>&1 && return 0
  [ -x "$HOME/.cargo/bin/cargo" ] && { export PATH="$HOME/.cargo/bin:$PATH"; return 0; }
  die "cargo not found: install Rust (https://rustup.rs, or 'apt-get install cargo' for Debian's) and run again"
}

# host and port of a database URL: scheme://[user[:pw]@]host[:port][/db]
url_host() { local r="${1#*://}"; r="${r#*@}"; r="${r%%/*}"; echo "${r%%:*}"; }
url_port() {
  local r="${1#*://}"; r="${r#*@}"; r="${r%%/*}"
  if [[ "$r" == *:* ]]; then echo "${r##*:}"; else echo "$2"; fi
}

# True when something accepts TCP connections at host:port.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# Why `npm install --no-save` and not `npm ci`: npm 11 writes a lock file without
# the other platforms' optional binaries of Tailwind's engine, then `npm ci`
# refuses that same lock as "out of sync". `install --no-save` installs exactly the
# locked versions and never rewrites the lock.
