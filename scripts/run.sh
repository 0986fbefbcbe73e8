#!/usr/bin/env bash
# Installs what is missing, builds and opens Clickdial. With no account set up, the window
# offers "Try the demo" (a built-in simulator; no phone rings). Extra arguments go to the app.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
ensure_build_deps
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  log "No display found: run this from a desktop session (or try it headless with: xvfb-run -a $0)"
  exit 1
fi
log "Building and starting Clickdial"
# Both programs: `clickdial` starts `clickdial-window` from its own folder, and `cargo run --bin
# clickdial` alone would build only the first (a fresh clone then failed with "could not start
# clickdial-window").
cargo build --quiet --bin clickdial --bin clickdial-window
exec cargo run --quiet --bin clickdial -- "$@"
