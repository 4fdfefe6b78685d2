#!/usr/bin/env bash
# Installs whatever is missing, builds CreatorFlow and starts it in sandbox
# mode: the built-in emulators stand in for Instagram, X, LinkedIn, TikTok and
# YouTube, so no developer account is needed. Extra arguments go to the app
# (e.g. `scripts/run.sh --data-dir /tmp/cf-demo`).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

install_and_build_app

say "starting CreatorFlow (sandbox mode)"
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  say "no display found: starting it on a virtual one (Xvfb)"
  exec "$ROOT/scripts/desktop-session.sh" "$(app_binary)" --sandbox "$@"
fi
exec "$(app_binary)" --sandbox "$@"
