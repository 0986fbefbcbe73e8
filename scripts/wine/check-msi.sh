#!/usr/bin/env bash
# Checks Clickdial's per-machine MSI (packaging/windows/clickdial.wxs, built with wixl) under
# wine: `msiexec /i … /qn` installs the two programs and WebView2Loader.dll in
# C:\Program Files\Clickdial for every user (the product registered per machine), a Start menu
# entry for clickdial-window.exe, and the tel:/callto: registrations under HKLM (Capabilities,
# URLAssociations, RegisteredApplications, the ProgId running "…\clickdial-window.exe" "%1"),
# all read back with `reg query`; the organization's policy given as msiexec properties lands
# under HKLM\Software\Policies\Clickdial and the installed `clickdial.exe policy --json` reads
# it; the installed command line runs; `msiexec /x … /qn` removes all of it but the policy,
# which is the organization's and stays. Exits non-zero, saying why, when a check fails.
#
#   scripts/wine/check-msi.sh <Clickdial.msi>
#
# WINEPREFIX picks the prefix (default: the tests' own, target/wine/prefix).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
msi=$(cd "$(dirname "${1:?usage: $0 <Clickdial.msi>}")" && pwd)/$(basename "$1")
export WINEPREFIX=${WINEPREFIX:-$root/target/wine/prefix}
export WINEARCH=win64 WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
"$here/prefix.sh"

source "$here/checks.sh"

install_dir=$WINEPREFIX/drive_c/Program\ Files/Clickdial
win_dir='C:\Program Files\Clickdial'
progid='HKLM\Software\Classes\Clickdial.Link'
caps='HKLM\Software\Clickdial\Capabilities'
win_msi="Z:$(printf '%s' "$msi" | tr / '\\')"

# The Start menu entry: the machine's Start menu (Windows), or the installing user's, where
# wine's msiexec puts ProgramMenuFolder whatever ALLUSERS says.
links() {
  find "$WINEPREFIX/drive_c/ProgramData/Microsoft/Windows/Start Menu/Programs" \
    "$WINEPREFIX/drive_c/users" -path '*Start Menu/Programs/Clickdial.lnk' 2>/dev/null || true
}

[ -e "$install_dir" ] && fail "Clickdial is already installed in $install_dir"
[ -n "$(value "$caps" ApplicationName)" ] && fail "the registrations are there before installing"

started=$SECONDS
policy='HKLM\Software\Policies\Clickdial'
wine msiexec /i "$win_msi" /qn SERVER=smartflo "CALLER_IDS=080650 00101[~]080650 00102" \
  HISTORY_DAYS=30 LINKS_WITHOUT_ASKING=0 &&
  ok "msiexec /i /qn with policy properties exited 0" || fail "msiexec /i exited $?"
wineserver -w
for f in clickdial.exe clickdial-window.exe WebView2Loader.dll; do
  [ -f "$install_dir/$f" ] && ok "installed $f" || fail "$f is not in $install_dir"
done
if wine reg query 'HKLM\Software\Classes\Installer\Products' /s 2>/dev/null | tr -d '\r' |
  grep -q 'ProductName *REG_SZ *Clickdial$'; then
  ok "registered per machine (HKLM Installer\\Products)"
else
  fail "not registered per machine"
fi
link=$(links | head -n 1)
expect_start_menu "$link"

expect_link_registrations HKLM "$win_dir"

out=$(wine "$install_dir/clickdial.exe" normalize "098765 43210" 2>/dev/null | tr -d '\r') || true
expect "installed clickdial.exe runs" "$out" "+919876543210"

# The policy: the properties given, and only those, as the policy's values.
expect "policy: server" "$(value "$policy" server)" "smartflo"
expect "policy: history_days" "$(value "$policy" history_days)" "0x1e"
expect "policy: links_without_asking" "$(value "$policy" links_without_asking)" "0x0"
[ -n "$(value "$policy" demo)" ] && fail "policy: demo written though not given" || ok "policy: nothing not given"
read_back=$(wine "$install_dir/clickdial.exe" policy --json 2>/dev/null | tr -d '\r') || true
if python3 - "$read_back" <<'PY'
import json, sys
p = json.loads(sys.argv[1])
assert p["managed"] is True, p
assert p["from"].lower().endswith("software\\policies\\clickdial"), p["from"]
assert p["policy"]["historyDays"] == 30, p
assert p["policy"]["server"]["provider"] == "smartflo", p
assert len(p["policy"]["callerIds"]) == 2, p
assert "linksWithoutAsking" in p["locked"], p
PY
then
  ok "the installed clickdial.exe reads the policy from HKLM"
else
  fail "clickdial.exe policy --json said: $read_back"
fi

wine msiexec /x "$win_msi" /qn && ok "msiexec /x /qn exited 0" || fail "msiexec /x exited $?"
wineserver -w
[ -e "$install_dir" ] && fail "$install_dir is left: $(ls "$install_dir")" || ok "install folder removed"
[ -n "$(links)" ] && fail "the Start menu entry is left: $(links)" || ok "Start menu entry removed"
# The organization's policy stays (like a Group Policy's values): an upgrade or a removal
# never leaves a managed desk unmanaged. The administrator removes it.
expect "policy kept after removal" "$(value "$policy" server)" "smartflo"
wine reg delete "$policy" /f >/dev/null 2>&1 || true
for key in "$progid" 'HKLM\Software\Clickdial'; do
  wine reg query "$key" >/dev/null 2>&1 && fail "left in the registry: $key" || ok "removed: $key"
done
[ -n "$(value 'HKLM\Software\RegisteredApplications' Clickdial)" ] &&
  fail "left: RegisteredApplications\\Clickdial" || ok "removed: RegisteredApplications\\Clickdial"

if [ ${#failures[@]} -gt 0 ]; then
  echo "The MSI check failed (${#failures[@]}): ${failures[*]}" >&2
  exit 1
fi
echo "MSI checks passed in $((SECONDS - started)) s ($(basename "$msi"), $(stat -c %s "$msi" | awk '{ printf "%.1f", $1 / 1000000 }') MB)"
