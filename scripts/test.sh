#!/usr/bin/env bash
# Installs what is missing, then runs the whole suite: format, clippy, Rust tests (core,
# simulator, client, CLI, shell on the mock runtime), the package check, the real-keyring
# tests, the X selection tests, the UI tests, the end-to-end test that drives the real
# window under Xvfb, and Windows: the workspace cross-built for Windows and its tests run under
# wine (scripts/test-windows.sh). CI runs this with no flag: everything.
#
#   scripts/test.sh --quick   format, clippy, the Rust tests and the UI tests only: no package,
#                             keyring, X, end-to-end or Windows step, and none of their
#                             dependencies (Xvfb, WebKitWebDriver, gnome-keyring, tauri-driver,
#                             mingw-w64, wine) installed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h | --help)
      sed -n '2,12p' scripts/test.sh | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "scripts/test.sh: unknown argument '$arg' (try --quick or --help)" >&2
      exit 2
      ;;
  esac
done

source scripts/deps.sh
if [ "$quick" -eq 1 ]; then
  ensure_build_deps
  # What `cargo test --workspace` itself starts: a private dbus-daemon (the single-instance and
  # keeper tests), xdg-mime and gio (the handler doctor's tests). Keep in step with deps.sh's
  # TEST_PACKAGES.
  ensure_packages dbus-daemon xdg-utils libglib2.0-bin
  command -v node >/dev/null || ensure_packages nodejs
else
  ensure_test_deps
fi
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

log "Format"
cargo fmt --all --check

# Clippy in the same build as the tests: clippy-driver compiles the workspace's own crates
# (lints and code), rustc the dependencies, once. `cargo clippy` would first check every
# dependency in a separate pass that nothing else reuses (about 3 minutes on a cold 2-core
# machine). Exported for every later cargo call, so none of them rebuilds the workspace.
use_clippy_driver
# One package selection (--workspace) everywhere, so features unify once and nothing rebuilds.
log "Build and clippy (all targets, warnings are errors)"
cargo test --workspace --all-targets --no-run --quiet

log "Rust tests"
cargo test --workspace

if [ "$quick" -eq 0 ]; then
  log "Package (.deb from the debug binary: desktop entry, tel:/callto: MIME types, icons)"
  scripts/check-package.sh

  log "Keyring tests (gnome-keyring in a private D-Bus session)"
  scripts/with-session.sh cargo test --workspace --test keyring -- --ignored --test-threads=1

  log "Desktop tests (the selection and the clipboard the hotkey reads, on a real X server)"
  CLICKDIAL_X_TESTS=1 xvfb-run -a -s "-nolisten tcp" cargo test --workspace --test x_selection
fi

log "UI tests"
node --test ui/

if [ "$quick" -eq 1 ]; then
  log "Quick checks passed (not run: package, keyring, X selection, end to end, Windows; scripts/test.sh runs them)"
  exit 0
fi

log "End-to-end (tauri-driver + WebKitWebDriver under Xvfb)"
# axe-core, the accessibility test's checker, is an npm devDependency (package-lock.json pins
# it): installed with the Tauri CLI, or here when node_modules predates it.
if [ ! -f node_modules/axe-core/axe.min.js ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
# One file at a time: each starts the app, and a single-instance app started while another test's
# copy still runs would hand over to it and exit.
for file in tests/e2e/*.test.mjs; do
  TAURI_DRIVER=$(command -v tauri-driver) CLICKDIAL_APP="$root/target/debug/clickdial" \
    scripts/with-session.sh xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
    node --test --test-timeout=180000 "$file"
done

# Last: the costliest step on a cold machine (a second build of the workspace, for Windows).
# Installs mingw-w64, the Rust target and wine itself.
log "Windows (cross-built for x86_64-pc-windows-gnu, tests under wine)"
scripts/test-windows.sh

log "All checks passed"
