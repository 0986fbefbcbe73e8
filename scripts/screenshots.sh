#!/usr/bin/env bash
# Regenerates the README's screenshots from the end-to-end run: drives the real window (demo
# mode, under Xvfb) through the dial, follow and layout tests, then copies their screenshots
# into docs/. Run after changing the UI; commit docs/*.png with the change.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/deps.sh
ensure_test_deps
cargo build --quiet
shots="$root/target/e2e"
for file in dial follow layout; do
  CLICKDIAL_SHOTS="$shots" TAURI_DRIVER=$(command -v tauri-driver) CLICKDIAL_APP="$root/target/debug/clickdial" \
    scripts/with-session.sh xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
    node --test --test-timeout=180000 "tests/e2e/$file.test.mjs"
done
# README name <- end-to-end screenshot
while read -r name shot; do
  cp "$shots/$shot" "docs/$name"
  log "docs/$name (from $shot)"
done <<'LIST'
who-are-you.png who-are-you.png
following.png follow-connected.png
dark.png dark-dial-380.png
LIST
