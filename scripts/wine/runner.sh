#!/usr/bin/env bash
# Cargo's runner for x86_64-pc-windows-gnu (.cargo/config.toml): runs a Windows program (a
# test binary, clickdial.exe) under wine, in the test prefix scripts/wine/prefix.sh makes
# (target/wine/prefix unless WINEPREFIX says otherwise), quietly (WINEDEBUG=-all).
#
#   cargo test --target x86_64-pc-windows-gnu -p clickdial-core
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export WINEPREFIX=${WINEPREFIX:-$root/target/wine/prefix}
export WINEARCH=win64 WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
"$here/prefix.sh"
# Test programs (target/<triple>/debug/deps/) that link the app find WebView2Loader.dll where
# the build puts it, beside the executables one folder up.
case "${1:-}" in
  */deps/*) export WINEPATH="$(dirname "$(dirname "$1")")${WINEPATH:+;$WINEPATH}" ;;
esac
exec wine "$@"
