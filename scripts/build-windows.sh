#!/usr/bin/env bash
# Cross-builds Clickdial for Windows (x86_64-pc-windows-gnu) on this Linux machine, installing
# what it needs first (mingw-w64, the Rust target; see scripts/deps.sh). Warnings are errors,
# as on Linux (clippy-driver, as scripts/test.sh), so no Windows-only line goes unchecked.
#
#   scripts/build-windows.sh            release: in target/x86_64-pc-windows-gnu/release/,
#                                       clickdial.exe (the command line, a console program),
#                                       clickdial-window.exe (the app, a GUI program),
#                                       WebView2Loader.dll, which must be shipped beside them,
#                                       Clickdial-<version>-setup.exe, the per-user NSIS
#                                       installer (packaging/windows/clickdial.nsi), and
#                                       Clickdial-<version>-x64.msi, the per-machine MSI for
#                                       fleets (packaging/windows/clickdial.wxs, wixl)
#   scripts/build-windows.sh --debug    the same, debug profile (target/…/debug/), the
#                                       installer stored, not compressed
#   scripts/build-windows.sh --all-targets
#                                       --debug, and every target of the workspace (tests,
#                                       benches too): what scripts/test-windows.sh runs
#
# Tests: scripts/test-windows.sh. What is and is not tested on Windows: docs/WINDOWS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=release
case "${1:-}" in
  "") ;;
  --debug) mode=debug ;;
  --all-targets) mode=all ;;
  -h | --help)
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "scripts/build-windows.sh: unknown argument '$1' (try --help)" >&2
    exit 2
    ;;
esac

source scripts/deps.sh
ensure_windows_build_deps
use_clippy_driver
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

started=$SECONDS
case "$mode" in
  release)
    log "Building for Windows ($WINDOWS_TARGET, release; warnings are errors)"
    cargo build --quiet --release --target "$WINDOWS_TARGET" --workspace --bins
    out=target/$WINDOWS_TARGET/release
    ;;
  debug)
    log "Building for Windows ($WINDOWS_TARGET, debug; warnings are errors)"
    cargo build --quiet --target "$WINDOWS_TARGET" --workspace --bins
    out=target/$WINDOWS_TARGET/debug
    ;;
  all)
    log "Building every target for Windows ($WINDOWS_TARGET, debug; warnings are errors)"
    # One package selection (--workspace) and `cargo test`'s own build, as test-windows.sh runs
    # it, so nothing is compiled twice.
    cargo test --quiet --no-run --target "$WINDOWS_TARGET" --workspace --all-targets
    out=target/$WINDOWS_TARGET/debug
    ;;
esac

for f in clickdial.exe clickdial-window.exe WebView2Loader.dll; do
  [ -f "$out/$f" ] || { echo "scripts/build-windows.sh: $out/$f was not built" >&2; exit 1; }
done

# The installer, with makensis from the packages (no Tauri bundler, which downloads its NSIS).
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
setup=Clickdial-$version-setup.exe
compressor=()
[ "$mode" = release ] || compressor=(-DCOMPRESSOR=off)
makensis -V2 -DVERSION="$version" -DSOURCE="$PWD/$out" -DOUTFILE="$PWD/$out/$setup" \
  "${compressor[@]}" packaging/windows/clickdial.nsi >&2
# The MSI, with wixl from the packages (paths relative to here: wixl takes no absolute ones).
msi=Clickdial-$version-x64.msi
wixl -a x64 -D Version="$version" -D SourceDir="$out" -D IconFile=icons/icon.ico \
  -o "$out/$msi" packaging/windows/clickdial.wxs
# What wixl cannot write (msibuild, from msitools): each policy value's component is installed
# only when its property is given, and is permanent (Attributes 276: 64-bit, registry key path,
# permanent), so removing or upgrading Clickdial leaves the organization's policy alone.
for property in $(sed -n 's/.*Component Id="Policy_\([A-Z_]*\)".*/\1/p' packaging/windows/clickdial.wxs); do
  msibuild "$out/$msi" -q "UPDATE \`Component\` SET \`Condition\` = '$property', \`Attributes\` = 276 WHERE \`Component\` = 'Policy_$property'"
done

log "Built in $((SECONDS - started)) s:"
for f in clickdial.exe clickdial-window.exe WebView2Loader.dll "$setup" "$msi"; do
  printf '    %-60s %6.1f MB\n' "$out/$f" "$(stat -c %s "$out/$f" | awk '{ print $1 / 1000000 }')" >&2
done
