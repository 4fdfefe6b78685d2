# Shared helpers for the project's scripts. Sourced, not run.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
# Keep build output outside the clone so warm runs reuse it.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/creatorflow/target}"
# The app is always built with the front end embedded.
export CF_FEATURES="--features creatorflow/custom-protocol"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root for: $*"; fi
}

# Debian/Ubuntu packages the app, its build and its tests need.
APT_PACKAGES=(
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  libssl-dev libdbus-1-dev build-essential pkg-config file curl ca-certificates
  xvfb xauth webkit2gtk-driver dbus-x11 gnome-keyring libsecret-1-dev libsecret-tools
  dunst libnotify-bin xdg-utils desktop-file-utils python3 python3-venv
  # The end-to-end tests pick files in the system's file picker by typing, as a user would.
  xdotool
)

install_system_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing system packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  command -v node >/dev/null || die "Node.js 20.19+ is needed (apt-get install nodejs npm, or nodesource)"
  command -v cargo >/dev/null || die "Rust is needed: https://rustup.rs"
}

install_node_packages() {
  cd "$ROOT"
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm packages"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

install_tauri_driver() {
  if ! command -v tauri-driver >/dev/null; then
    say "installing tauri-driver"
    cargo install tauri-driver --version '^2' --locked --quiet
  fi
}

# s3s-fs, a real S3-compatible server (the s3s project's, over a folder):
# the engine's media-host tests start it on 127.0.0.1. Installed with cargo
# into a cache outside the clone (its build in a temp dir, not the shared
# target dir), once per version.
S3S_FS_VERSION="0.14.1" # the newest for Rust 1.92+ (0.15 needs 1.96)
S3S_FS_ROOT="${CF_S3S_FS_ROOT:-$HOME/.cache/creatorflow/s3s-fs}"
install_s3s_fs() {
  local bin="$S3S_FS_ROOT/bin/s3s-fs"
  if [ -x "$bin" ] && [ "$(cat "$S3S_FS_ROOT/.version" 2>/dev/null)" = "$S3S_FS_VERSION" ]; then
    return
  fi
  say "installing s3s-fs $S3S_FS_VERSION (the S3 server the media-host tests use)"
  env -u CARGO_TARGET_DIR cargo install s3s-fs --version "$S3S_FS_VERSION" --features binary \
    --locked --quiet --force --root "$S3S_FS_ROOT"
  echo "$S3S_FS_VERSION" >"$S3S_FS_ROOT/.version"
}

build_frontend() {
  cd "$ROOT"
  say "building the front end"
  npm run --silent build >/dev/null
}

build_app() {
  cd "$ROOT"
  say "building the app"
  # shellcheck disable=SC2086
  cargo build --bin creatorflow --bin creatorflow-sandbox $CF_FEATURES
}

# What starting the app needs: system and npm packages, the front end, the
# app and the sandbox binary.
install_and_build_app() {
  install_system_packages
  install_node_packages
  build_frontend
  build_app
}

app_binary() {
  echo "$CARGO_TARGET_DIR/debug/creatorflow"
}

# Google's own Python clients (pinned), for checking the YouTube emulator
# with them; a venv outside the clone, rebuilt when the pins change.
GOOGLE_CLIENTS_VENV="${CF_GOOGLE_CLIENTS_VENV:-$HOME/.cache/creatorflow/google-clients-venv}"
install_google_clients() {
  local req="$ROOT/crates/sandbox/tests/google-clients.txt"
  if [ ! -x "$GOOGLE_CLIENTS_VENV/bin/python" ] || ! cmp -s "$req" "$GOOGLE_CLIENTS_VENV/.pins"; then
    say "installing Google's Python API clients"
    rm -rf "$GOOGLE_CLIENTS_VENV"
    python3 -m venv "$GOOGLE_CLIENTS_VENV"
    "$GOOGLE_CLIENTS_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$req"
    cp "$req" "$GOOGLE_CLIENTS_VENV/.pins"
  fi
}
