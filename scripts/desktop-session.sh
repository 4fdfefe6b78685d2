#!/usr/bin/env bash
# Runs a command inside a throwaway desktop session: a D-Bus session bus, an
# unlocked gnome-keyring (Secret Service), an Xvfb display and the dunst
# notification daemon, as a headless machine needs them. Everything started
# here is stopped when the command ends.
#
#   scripts/desktop-session.sh <command> [args...]
set -euo pipefail

if [ -z "${CF_IN_DESKTOP_SESSION:-}" ]; then
  export CF_IN_DESKTOP_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# A throwaway keychain, unlocked with a throwaway password. The real $HOME is
# kept for cargo and npm caches.
export CF_KEYRING_HOME
CF_KEYRING_HOME="$(mktemp -d)"
# The user's data and config dirs are throwaway too: the app registers its
# creatorflow:// handler there (desktop entry, mimeapps.list), as on a user's
# machine, without touching the real ones.
export XDG_DATA_HOME="$CF_KEYRING_HOME/data" XDG_CONFIG_HOME="$CF_KEYRING_HOME/config"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$CF_KEYRING_HOME/run}"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
eval "$(printf 'creatorflow-test' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL

if [ -z "${DISPLAY:-}" ] || [ -n "${CF_FORCE_XVFB:-}" ]; then
  disp=":$((90 + RANDOM % 100))"
  Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  pids+=($!)
  export DISPLAY="$disp"
  for _ in $(seq 100); do [ -e "/tmp/.X11-unix/X${disp#:}" ] && break; sleep 0.1; done
fi

if command -v dunst >/dev/null; then
  dunst >/dev/null 2>&1 &
  pids+=($!)
fi

"$@"
