#!/bin/sh
# Installs Debian's Chromium for the browser tests (test/browser) where it is missing.
# Idempotent: does nothing when /usr/bin/chromium already runs. Never downloads a test tool's own
# browser (playwright-core is told to use this one through executablePath).
set -eu
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ] && "$CHROMIUM" --version >/dev/null 2>&1; then
	echo "chromium: $("$CHROMIUM" --version)"
	exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
"$CHROMIUM" --version
