# Python test servers: aiosmtpd (a real SMTP server for the mail tests) and the
# push service of tests/push/endpoint.py (http_ece and cryptography decrypt and
# verify what the server pushes, independently of its Rust crates) and PyYAML
# (tests/api/deploy.rs reads deploy/docker-compose.yml as Compose would). From PyPI,
# in a virtualenv under ~/.cache/confab. Each test starts its own servers on
# free loopback ports. Sourced by test.sh; `ensure_test_python` exports
# CONFAB_TEST_PYTHON (given already: used as is).

TEST_PYTHON_PACKAGES="aiosmtpd==1.4.6 http_ece==1.2.1 cryptography==50.0.2 PyYAML==6.0.2"

ensure_test_python() {
  [ -n "${CONFAB_TEST_PYTHON:-}" ] && return 0
  local venv="${CONFAB_TEST_VENV:-$HOME/.cache/confab/venv-test}" stamp
  stamp="$venv/.confab-packages"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$TEST_PYTHON_PACKAGES" ]; then
    say "installing the Python test servers ($TEST_PYTHON_PACKAGES) into $venv"
    python3 -m venv "$venv" && "$venv/bin/pip" install --quiet --disable-pip-version-check $TEST_PYTHON_PACKAGES || return 1
    echo "$TEST_PYTHON_PACKAGES" > "$stamp"
  fi
  "$venv/bin/python" -c 'import aiosmtpd, http_ece, cryptography, yaml' || return 1
  export CONFAB_TEST_PYTHON="$venv/bin/python"
}
