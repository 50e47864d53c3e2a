#!/usr/bin/env bash
# Quick start: build Confab (release) and serve it on http://127.0.0.1:8080 with an
# embedded SQLite database in ./data. Extra arguments go to `confab`, e.g.
#   scripts/run.sh --listen 0.0.0.0:8080
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_cargo
if command -v npm >/dev/null 2>&1; then
  say "building the web client"
  (cd web && npm install --no-save --no-audit --no-fund --loglevel=error && npm run --silent build)
else
  warn "npm not found: serving without the web client (install Node.js 20+ and run again)"
fi
say "building confab (release, embedding web/dist; the first build takes a few minutes)"
cargo build --release --locked
say "starting confab: http://127.0.0.1:8080  (API docs: /api/docs, Ctrl-C to stop)"
exec "$CARGO_TARGET_DIR/release/confab" "$@"
