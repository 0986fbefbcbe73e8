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

# Clippy in the same build as the tests: clippy-driver compiles the workspace's own crates
# (lints and code), rustc the dependencies, once. `cargo clippy` would first check every
# dependency in a separate pass that nothing else reuses (about 3 minutes on a cold 2-core
# machine). Exported for every later cargo call, so none of them rebuilds the workspace.
export RUSTC_WORKSPACE_WRAPPER
RUSTC_WORKSPACE_WRAPPER=$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver)
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
# One package selection (--workspace) everywhere, so features unify once and nothing rebuilds.
log "Build and clippy (all targets, warnings are errors)"
cargo test --workspace --all-targets --no-run --quiet

log "Rust tests"
cargo test --workspace

log "Package (.deb from the debug binary: desktop entry, tel:/callto: MIME types, icons)"
scripts/check-package.sh

log "Keyring tests (gnome-keyring in a private D-Bus session)"
scripts/with-session.sh cargo test --workspace --test keyring -- --ignored --test-threads=1

log "Desktop tests (the selection and the clipboard the hotkey reads, on a real X server)"
CLICKDIAL_X_TESTS=1 xvfb-run -a -s "-nolisten tcp" cargo test --workspace --test x_selection

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
