#!/usr/bin/env bash
# Installs what is missing, then runs the whole suite: format, clippy, Rust tests (core,
# simulator, client, CLI, shell on the mock runtime), the real-keyring tests, the UI tests,
# and the end-to-end test that drives the real window under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/deps.sh
ensure_test_deps
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

log "Format"
cargo fmt --all --check

log "Clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

# One package selection (--workspace) everywhere, so features unify once and nothing rebuilds.
log "Rust tests"
cargo test --workspace

log "Package (.deb from the debug binary: desktop entry, tel:/callto: MIME types, icons)"
scripts/check-package.sh

log "Keyring tests (gnome-keyring in a private D-Bus session)"
scripts/with-session.sh cargo test --workspace --test keyring -- --ignored --test-threads=1

log "UI tests"
node --test ui/

log "End-to-end (tauri-driver + WebKitWebDriver under Xvfb)"
# One file at a time: each starts the app, and a single-instance app started while another test's
# copy still runs would hand over to it and exit.
for file in tests/e2e/*.test.mjs; do
  TAURI_DRIVER=$(command -v tauri-driver) CLICKDIAL_APP="$root/target/debug/clickdial" \
    scripts/with-session.sh xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
    node --test --test-timeout=180000 "$file"
done

log "All checks passed"
