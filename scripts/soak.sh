#!/usr/bin/env bash
# The crash-and-fault soak: installs whatever is missing, builds the app and
# the sandbox, and runs creatorflow-soak in a headless desktop session (D-Bus,
# keychain, Xvfb). Arguments go to it, e.g.
#
#   scripts/soak.sh                         500 posts, 50 kills, 30 % faults
#   scripts/soak.sh --posts 40 --kills 5    the short one the test command runs
#
# It prints a table (due, published, received exactly once, lost, duplicated,
# unconfirmed, failed with a reason, ...) and exits with 1 when a post was
# lost, sent twice, reported wrong or left unfinished.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

install_and_build_app

say "building the soak"
cargo build --locked -p creatorflow-e2e --bin creatorflow-soak

export CF_APP_BINARY
CF_APP_BINARY="$(app_binary)"
exec "$ROOT/scripts/desktop-session.sh" "$CARGO_TARGET_DIR/debug/creatorflow-soak" "$@"
