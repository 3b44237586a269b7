#!/usr/bin/env bash
# Headless Chromium for the console's browser tests: Debian's `chromium` package, installed
# when /usr/bin/chromium is absent. Playwright drives it by path; no browser is downloaded.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CHROMIUM=/usr/bin/chromium
LOG="$STATE_DIR/chromium-install.log"

[ -x "$CHROMIUM" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  need "Chromium (/usr/bin/chromium)" "Install Debian's package as root: apt-get install -y chromium."
fi
say "installing Debian's chromium package (log: $LOG)"
if ! { apt-get update && apt-get install -y --no-install-recommends chromium; } >"$LOG" 2>&1; then
  tail -n 20 "$LOG" >&2
  need "Chromium (/usr/bin/chromium)" "apt-get could not install it; see $LOG."
fi
say "$("$CHROMIUM" --version)"
