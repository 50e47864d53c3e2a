#!/usr/bin/env bash
# Draws the charts in docs/bench/ from the JSON results there (see BENCHMARKS.md).
# matplotlib goes into a virtualenv under ~/.cache/confab, not the system Python.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${CONFAB_VENV:-$HOME/.cache/confab/venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -c 'import matplotlib' 2>/dev/null || "$venv/bin/pip" install -q 'matplotlib>=3.8,<4'
"$venv/bin/python" bench/charts.py "${1:-docs/bench}"
