#!/usr/bin/env bash
# Install the system programs the tests need, from Debian's packages, when they are missing:
# chromium (browser tests), faketime (`make test-any-date`: the suite with the clock moved ahead),
# dovecot-imapd and dovecot-lmtpd (the replies-by-e-mail tests start a private Dovecot on loopback),
# WeasyPrint's libraries (Pango, its FreeType back end, HarfBuzz's subsetter) and a font
# (contracts and NDAs as PDF).
# Idempotent: does nothing when they are already there.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v faketime >/dev/null 2>&1 || need+=(faketime)
[ -x /usr/lib/dovecot/imap ] || need+=(dovecot-imapd)
[ -x /usr/lib/dovecot/lmtp ] || need+=(dovecot-lmtpd)
ldconfig -p | grep -q 'libpango-1.0.so.0' || need+=(libpango-1.0-0)
ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || need+=(libpangoft2-1.0-0)
ldconfig -p | grep -q 'libharfbuzz-subset.so.0' || need+=(libharfbuzz-subset0)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "Missing system packages: ${need[*]} (install them with apt-get as root)" >&2
  exit 1
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
