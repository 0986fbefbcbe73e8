#!/usr/bin/env bash
# The wine prefix the Windows tests run in: created once (wineboot -i, about 15 s), with the
# test-only bcryptprimitives.dll stand-in (bcryptprimitives.c beside this script) in its
# system32. Prints nothing when the prefix is ready already. Safe to run from several processes
# at once (a lock).
#
#   scripts/wine/prefix.sh [--fresh]   --fresh: delete the prefix first (a clean Windows:
#                                      empty Credential Manager, registry and AppData)
#
# WINEPREFIX picks the prefix (default: target/wine/prefix in the repository).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export WINEPREFIX=${WINEPREFIX:-$root/target/wine/prefix}
export WINEARCH=win64 WINEDEBUG=${WINEDEBUG:--all}
# No Mono or Gecko installer prompts: nothing here is .NET or HTML.
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}

mkdir -p "$(dirname "$WINEPREFIX")"
exec 9>"$WINEPREFIX.lock"
flock 9

if [ "${1:-}" = "--fresh" ] && [ -e "$WINEPREFIX" ]; then
  # Any wine process still running in it goes first.
  wineserver -k 2>/dev/null || true
  rm -rf "$WINEPREFIX"
fi

dll=$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll
[ -f "$WINEPREFIX/.clickdial-ready" ] && [ -f "$dll" ] && exit 0

wineboot -i >/dev/null 2>&1 || true
wineserver -w
[ -d "$WINEPREFIX/drive_c/windows/system32" ] || {
  echo "scripts/wine/prefix.sh: wineboot did not create $WINEPREFIX" >&2
  exit 1
}
# Test-only: never shipped (see bcryptprimitives.c).
x86_64-w64-mingw32-gcc -shared -O2 -s -o "$dll" "$here/bcryptprimitives.c" -ladvapi32
touch "$WINEPREFIX/.clickdial-ready"
