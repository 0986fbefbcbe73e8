#!/usr/bin/env bash
# The Windows stage of scripts/test.sh (CI runs it on every run), also runnable alone: installs
# what it needs (mingw-w64, the Rust target, wine; scripts/deps.sh), builds every target of the
# workspace for x86_64-pc-windows-gnu (debug, warnings are errors), then runs the tests as
# Windows programs under wine, in a fresh prefix (target/wine/prefix), against the simulator on
# loopback: the core, the services, the simulator, the CLI (tests/cli.rs), the keyring through
# the Credential Manager (tests/keyring.rs), and tests/windows.rs (PE subsystems, no WebView2,
# start at login, the portable folder); then the installer, installed and uninstalled
# silently, its registry effects read with reg query (scripts/wine/check-installer.sh), and the
# MSI likewise, per machine (scripts/wine/check-msi.sh). Prints
# the counts, and every test not run with its reason. What is not run and why: docs/WINDOWS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/deps.sh
ensure_windows_test_deps
use_clippy_driver
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
# Quiet wine, no Mono or Gecko prompts; scripts/wine/runner.sh (.cargo/config.toml) is the
# runner and uses this prefix.
export WINEPREFIX=$PWD/target/wine/prefix WINEARCH=win64 WINEDEBUG=-all
export WINEDLLOVERRIDES=mscoree,mshtml=
# Backtraces from a failing Windows test, as on Linux.
export RUST_BACKTRACE=${RUST_BACKTRACE:-1}

log "Windows: build and clippy ($WINDOWS_TARGET, all targets, warnings are errors)"
scripts/build-windows.sh --all-targets

log "Windows: a fresh wine prefix (empty Credential Manager, registry and AppData)"
scripts/wine/prefix.sh --fresh

all=target/wine/tests.log keyring=target/wine/keyring.log
status=0
log "Windows tests under wine (core, services, simulator, CLI, tests/windows.rs)"
cargo test --target "$WINDOWS_TARGET" --workspace --no-fail-fast 2>&1 | tee "$all" || status=1
log "Windows keyring tests under wine (the Credential Manager; one at a time, as on Linux)"
cargo test --target "$WINDOWS_TARGET" --workspace --test keyring -- --ignored --test-threads=1 \
  2>&1 | tee "$keyring" || status=1
log "Windows installer under wine (silent install, reg query, silent uninstall)"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
scripts/wine/check-installer.sh "target/$WINDOWS_TARGET/debug/Clickdial-$version-setup.exe" ||
  status=1
log "Windows MSI under wine (msiexec /i /qn for every user, reg query, msiexec /x /qn)"
scripts/wine/check-msi.sh "target/$WINDOWS_TARGET/debug/Clickdial-$version-x64.msi" || status=1
wineserver -k 2>/dev/null || true

# The counts, and every test not run under wine with its reason: those ignored in the first
# pass but the keyring tests the second pass ran, and whole test programs the runner skips.
not_run=$(awk 'FNR == NR { if ($1 == "test" && $NF == "ok") ran[$2] = 1; next }
  $1 == "test" && $4 ~ /^ignored/ && !($2 in ran) { sub(/^test /, ""); print }' "$keyring" "$all")
passed=$(awk '/^test result:/ { n += $4 } END { print n + 0 }' "$all" "$keyring")
failed=$(awk '/^test result:/ { n += $6 } END { print n + 0 }' "$all" "$keyring")
log "Windows tests under wine: $passed passed, $failed failed, $(printf '%s' "$not_run" | grep -c .) not run:"
printf '%s\n' "$not_run" | sed 's/^/    /' >&2
grep -E '^not run under wine:' -A1 "$all" | sed 's/^/    /' >&2 || true
if [ "$status" -ne 0 ]; then
  log "Windows tests failed (the logs: $all, $keyring)"
  exit 1
fi
