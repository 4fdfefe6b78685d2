#!/usr/bin/env bash
# Installs whatever is missing, then runs every test: formatting, lints, type
# checks, unit and integration tests of every crate (real SQLite files, the
# real keychain, the sandbox over HTTP, s3s-fs as the media host), the UI's
# Vitest suite, and the end-to-end tests that drive the real app window under
# Xvfb, and Google's own Python clients against the sandbox's YouTube emulator.
#
#   scripts/test.sh            everything
#   CF_SKIP_E2E=1 scripts/test.sh   all but the window tests (and the install check)
#   CF_SKIP_INSTALL=1 scripts/test.sh   all but installing the .deb
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

install_system_packages
install_node_packages
install_tauri_driver
install_s3s_fs

say "formatting"
cargo fmt --all -- --check
npm run --silent format:check

say "front-end type check and unit tests"
npm run --silent check
npm test --silent

build_frontend

say "clippy"
# shellcheck disable=SC2086
cargo clippy --workspace --all-targets --locked $CF_FEATURES -- -D warnings

build_app

say "tests (in a headless desktop session: D-Bus, keychain, Xvfb, dunst)"
export CF_APP_BINARY
CF_APP_BINARY="$(app_binary)"
# shellcheck disable=SC2086
"$ROOT/scripts/desktop-session.sh" cargo test --workspace --locked --no-fail-fast $CF_FEATURES ${CF_SKIP_E2E:+--exclude creatorflow-e2e}

say "Google's own Python clients against the YouTube emulator"
"$ROOT/scripts/google-clients.sh"

if [ -z "${CF_SKIP_INSTALL:-}" ] && [ -z "${CF_SKIP_E2E:-}" ]; then
  say "the .deb, installed"
  "$ROOT/scripts/install-check.sh"
fi

say "all tests passed"
