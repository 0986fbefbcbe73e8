#!/usr/bin/env bash
# Issue 10's footprint figures, Clickdial beside a bare one-window Tauri 2 app built with the
# same release profile (benches/bare-tauri), measured in one run on this machine:
#   - idle PSS with the window shown (for Clickdial: its first screen, and the dial screen with
#     an account set up), and for Clickdial hidden in the tray: the app and every WebKit process
#     it started, summed from /proc/<pid>/smaps_rollup, 5 s after each change;
#   - start: process start → the page ready for input (Clickdial: its 'clickdial-interactive'
#     mark, after the first status is shown; the bare app: its load event), both started by
#     WebDriver (tauri-driver + WebKitWebDriver), median of 7 starts of each, the two apps in
#     turn, with the page's own part (navigation start → ready); and reopening: a second
#     launch → the rebuilt window's page ready, after the window was closed to the tray; and a
#     start with an account set up (the simulator's, through `clickdial sim` and `login`);
#   - stripped release binaries and the .deb (built and checked by check-package.sh --release);
#   - `clickdial --help` and `clickdial normalize`, median of 20 runs.
# Prints a table; asserts nothing. Builds both apps in release first (10+ minutes cold).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/deps.sh
ensure_test_deps

log "Building Clickdial and its .deb (release, the production frontend)"
scripts/check-package.sh --release >/dev/null
log "Building the bare Tauri app (release)"
(cd benches/bare-tauri && CARGO_TARGET_DIR="$root/target/bare" cargo build --release --quiet)

# Like for like: Clickdial turns WebKit's DMA-BUF renderer, JavaScriptCore's JIT and GTK's
# OpenGL off by itself (services::process::tune_webkit); the bare app gets the same.
export WEBKIT_DISABLE_DMABUF_RENDERER=1 JSC_useJIT=false GDK_GL=disable
export CLICKDIAL_APP="$root/target/release/clickdial"
export BARE_APP="$root/target/bare/release/bare-tauri"
export TAURI_DRIVER
TAURI_DRIVER=$(command -v tauri-driver)
scripts/with-session.sh xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
  node scripts/footprint.mjs
