#!/usr/bin/env bash
# Checks Clickdial's NSIS installer under wine: a silent per-user install (/S) puts the two
# programs and WebView2Loader.dll in %LOCALAPPDATA%\Programs\Clickdial, a Start menu entry for
# clickdial-window.exe, the tel:/callto: registrations (RegisteredApplications, Capabilities,
# URLAssociations, the ProgId running "…\clickdial-window.exe" "%1") and an uninstall entry,
# all read back with `reg query`; the installed programs run; the silent uninstall removes all
# of it, start at login included. Exits non-zero, saying why, when a check fails.
#
#   scripts/wine/check-installer.sh <setup.exe>
#
# WINEPREFIX picks the prefix (default: the tests' own, target/wine/prefix).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
setup=${1:?usage: $0 <setup.exe>}
export WINEPREFIX=${WINEPREFIX:-$root/target/wine/prefix}
export WINEARCH=win64 WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
"$here/prefix.sh"

source "$here/checks.sh"

user=$(wine cmd /c 'echo %USERNAME%' 2>/dev/null | tr -d '\r')
local_appdata=$WINEPREFIX/drive_c/users/$user/AppData/Local
install_dir=$local_appdata/Programs/Clickdial
win_dir="C:\\users\\$user\\AppData\\Local\\Programs\\Clickdial"
start_menu=$WINEPREFIX/drive_c/users/$user/AppData/Roaming/Microsoft/Windows/Start\ Menu/Programs
progid='HKCU\Software\Classes\Clickdial.Link'
caps='HKCU\Software\Clickdial\Capabilities'
uninstall_key='HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\Clickdial'
run_key='HKCU\Software\Microsoft\Windows\CurrentVersion\Run'


[ -e "$install_dir" ] && fail "Clickdial is already installed in $install_dir"
[ -n "$(value "$caps" ApplicationName)" ] && fail "the registrations are there before installing"

started=$SECONDS
wine "$setup" /S && ok "silent install (/S) exited 0" || fail "silent install exited $?"
wineserver -w
for f in clickdial.exe clickdial-window.exe WebView2Loader.dll uninstall.exe; do
  [ -f "$install_dir/$f" ] && ok "installed $f" || fail "$f is not in $install_dir"
done
link=$start_menu/Clickdial.lnk
expect_start_menu "$link"

expect_link_registrations HKCU "$win_dir"
expect "uninstall entry" "$(value "$uninstall_key" QuietUninstallString)" \
  "\"$win_dir\\uninstall.exe\" /S"

# The installed programs: the command line, and the window's answer without WebView2.
out=$(wine "$install_dir/clickdial.exe" normalize "098765 43210" 2>/dev/null | tr -d '\r') || true
expect "installed clickdial.exe runs" "$out" "+919876543210"
if err=$(wine "$install_dir/clickdial.exe" "tel:+919876543210" 2>&1 >/dev/null); then
  fail "clickdial.exe tel: exited 0 without WebView2"
elif grep -q "WebView2 Runtime" <<<"$err"; then
  ok "installed clickdial.exe tel: says what to install"
else
  fail "installed clickdial.exe tel: said: $err"
fi

# Start at login turned on (as the app writes it), then a silent uninstall.
wine reg add "$run_key" /v Clickdial /d "\"$win_dir\\clickdial-window.exe\" --autostart" /f >/dev/null
wine "$install_dir/uninstall.exe" /S && ok "silent uninstall (/S) exited 0" || fail "uninstall exited $?"
# The uninstaller runs from a copy of itself and returns at once: wait for it to finish.
for _ in $(seq 1 100); do
  [ -e "$install_dir" ] || break
  sleep 0.2
done
wineserver -w
[ -e "$install_dir" ] && fail "$install_dir is left: $(ls "$install_dir")" || ok "install folder removed"
[ -e "$link" ] && fail "the Start menu entry is left" || ok "Start menu entry removed"
for key in "$progid" 'HKCU\Software\Clickdial' "$uninstall_key"; do
  wine reg query "$key" >/dev/null 2>&1 && fail "left in the registry: $key" || ok "removed: $key"
done
[ -n "$(value 'HKCU\Software\RegisteredApplications' Clickdial)" ] &&
  fail "left: RegisteredApplications\\Clickdial" || ok "removed: RegisteredApplications\\Clickdial"
[ -n "$(value "$run_key" Clickdial)" ] && fail "left: start at login" || ok "removed: start at login"

if [ ${#failures[@]} -gt 0 ]; then
  echo "The installer check failed (${#failures[@]}): ${failures[*]}" >&2
  exit 1
fi
echo "Installer checks passed in $((SECONDS - started)) s ($(basename "$setup"), $(stat -c %s "$setup" | awk '{ printf "%.1f", $1 / 1000000 }') MB)"
