#!/usr/bin/env bash
# Quick start: build Confab (release) and serve it on http://127.0.0.1:8080 with an
# embedded SQLite database in ./data. Extra arguments go to `confab`, e.g.
#   scripts/run.sh --listen 0.0.0.0:8080
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_cargo
say "building confab (release; the first build takes a few minutes)"
cargo build --release --locked
say "starting confab: http://127.0.0.1:8080  (API docs: /api/docs, Ctrl-C to stop)"
exec "$CARGO_TARGET_DIR/release/confab" "$@"
