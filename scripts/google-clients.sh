#!/usr/bin/env bash
# Google's own Python clients (google-auth-oauthlib, google-api-python-client),
# unchanged, against the sandbox's YouTube emulator: OAuth with a loopback
# redirect, a resumable upload that survives an injected 503 and a cut
# connection, thumbnails, list and delete. Starts its own sandbox binary on a
# free port. Run by scripts/test.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

install_google_clients
cargo build --quiet --locked -p creatorflow-sandbox --bin creatorflow-sandbox

out="$(mktemp)"
"$CARGO_TARGET_DIR/debug/creatorflow-sandbox" --port 0 >"$out" &
sandbox=$!
trap 'kill "$sandbox" 2>/dev/null; wait "$sandbox" 2>/dev/null; rm -f "$out"' EXIT
base=""
for _ in $(seq 100); do
  base="$(sed -n 's/^CreatorFlow sandbox listening on //p' "$out")"
  [ -n "$base" ] && break
  kill -0 "$sandbox" 2>/dev/null || die "the sandbox did not start"
  sleep 0.1
done
[ -n "$base" ] || die "the sandbox did not say where it listens"

"$GOOGLE_CLIENTS_VENV/bin/python" crates/sandbox/tests/youtube_google_client.py "$base"
