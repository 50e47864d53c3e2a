# A real SMTP server for the mail tests: aiosmtpd from PyPI, in a virtualenv
# under ~/.cache/confab. Each test starts its own on a free loopback port with
# its own mailbox (so a test can also stop it, to see the outbox retry).
# Sourced by test.sh; `ensure_smtp` exports CONFAB_TEST_AIOSMTPD, the python
# that has aiosmtpd (given already: used as is).

AIOSMTPD_VERSION=1.4.6

ensure_smtp() {
  [ -n "${CONFAB_TEST_AIOSMTPD:-}" ] && return 0
  local venv="${CONFAB_MAIL_VENV:-$HOME/.cache/confab/venv-mail}"
  if ! "$venv/bin/pip" show aiosmtpd 2>/dev/null | grep -qx "Version: $AIOSMTPD_VERSION"; then
    say "installing aiosmtpd $AIOSMTPD_VERSION (SMTP test server) into $venv"
    python3 -m venv "$venv" && "$venv/bin/pip" install --quiet --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION" || return 1
  fi
  "$venv/bin/python" -c 'import aiosmtpd' || return 1
  export CONFAB_TEST_AIOSMTPD="$venv/bin/python"
}
