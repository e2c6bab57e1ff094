#!/usr/bin/env bash
# Chromium and the Noto CJK fonts from Debian's packages, for the browser tests (tests/test_browser.py).
#
#   scripts/install-browser.sh     install them when /usr/bin/chromium is missing (needs root: apt-get)
#
# Playwright drives this Chromium (executable_path=/usr/bin/chromium); its own browser download is not
# used. The fonts make Hangul render in the screenshots instead of empty boxes.
set -euo pipefail

if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk
