#!/usr/bin/env bash
# Installs CreatorFlow the way a user does and checks it works installed:
# the .deb built by the Tauri bundler installs with apt, puts CreatorFlow in
# the applications menu, registers creatorflow:// as its scheme handler
# (xdg-mime), and the installed binary, in sandbox mode, connects an X
# account with the sign-in handed back through xdg-open (generic mode) and
# publishes a post; "Start at login" points at the installed binary. The
# package is removed again at the end.
#
# Installing a package needs root (CI runs as root; elsewhere sudo is used).
# scripts/test.sh runs this after the other tests; CF_SKIP_INSTALL=1 skips it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

say "building the .deb (Tauri bundler, debug profile)"
# The debug profile reuses the end-to-end tests' build; what is checked is
# the package: its files, its desktop entry, its scheme handler.
npx tauri build --debug --bundles deb --ci >/dev/null
deb="$(ls -t "$CARGO_TARGET_DIR"/debug/bundle/deb/*.deb | head -n 1)"
[ -f "$deb" ] || die "the bundler made no .deb"
pkg="$(dpkg-deb -f "$deb" Package)"
say "installing $(basename "$deb") (package $pkg) with apt"
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >/dev/null
trap 'as_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "$pkg" >/dev/null || true' EXIT

say "checking the installed package"
bin="$(command -v creatorflow || true)"
[ "$bin" = /usr/bin/creatorflow ] || die "creatorflow is not on PATH at /usr/bin (got '$bin')"
entry="$(dpkg -L "$pkg" | grep -E '^/usr/share/applications/.*\.desktop$' | head -n 1)"
[ -n "$entry" ] || die "the package puts no desktop entry in the applications menu"
desktop-file-validate "$entry" || die "$entry is not a valid desktop entry"
grep -q '^MimeType=.*x-scheme-handler/creatorflow' "$entry" || die "$entry does not handle creatorflow:// links"
grep -qE '^Exec=creatorflow %u$' "$entry" || die "$entry does not pass the link on: $(grep '^Exec=' "$entry")"
grep -q '^Categories=.*Network' "$entry" || die "$entry has no menu category"
# The desktop session's own (empty) user dirs: only the system's entries count.
"$ROOT/scripts/desktop-session.sh" bash -c '
  got="$(xdg-mime query default x-scheme-handler/creatorflow)"
  [ "$got" = "$(basename "$1")" ] || { echo "xdg-mime: the creatorflow:// handler is \"$got\", not $(basename "$1")" >&2; exit 1; }
' _ "$entry"

say "the installed app: connect through xdg-open, publish, start at login"
export CF_APP_BINARY=/usr/bin/creatorflow
"$ROOT/scripts/desktop-session.sh" cargo test --locked -p creatorflow-e2e \
  --test publishing --test shortcut

say "install check passed"
