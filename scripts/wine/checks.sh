# What the installer checks share (sourced by check-installer.sh and check-msi.sh): the tally,
# reading a registry value with `wine reg query`, and the checks both installers must pass.

failures=()
fail() { failures+=("$*"); printf 'FAIL: %s\n' "$*"; }
ok() { printf 'ok:   %s\n' "$*"; }

# The data of value $2 (or the default value, $2 empty) under key $1, or nothing.
value() {
  local out
  if [ -n "$2" ]; then
    out=$(wine reg query "$1" /v "$2" 2>/dev/null | tr -d '\r') || return 0
    printf '%s\n' "$out" | sed -n "s/^ *$2 *REG_[A-Z_]* *//p"
  else
    out=$(wine reg query "$1" /ve 2>/dev/null | tr -d '\r') || return 0
    printf '%s\n' "$out" | sed -n 's/^ *(Default) *REG_[A-Z_]* *//p'
  fi
}
expect() { # expect <what> <got> <wanted>
  if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got [$2], want [$3]"; fi
}

# expect_start_menu <link>: the Start menu entry runs the GUI program.
expect_start_menu() {
  if [ -n "$1" ] && [ -f "$1" ] && strings -a -el "$1" | grep -q 'clickdial-window\.exe'; then
    ok "Start menu entry runs clickdial-window.exe"
  else
    fail "no Start menu entry for clickdial-window.exe ($1)"
  fi
}

# expect_link_registrations <HKCU|HKLM> <install folder, Windows form>: the ProgId running the
# GUI program quoted, the Capabilities and their URL associations, RegisteredApplications.
expect_link_registrations() {
  local root=$1 dir=$2
  local progid="$root\\Software\\Classes\\Clickdial.Link" caps="$root\\Software\\Clickdial\\Capabilities"
  expect "tel: and callto: open the ProgId with the GUI program, quoted" \
    "$(value "$progid\\shell\\open\\command" '')" "\"$dir\\clickdial-window.exe\" \"%1\""
  expect "ProgId icon" "$(value "$progid\\DefaultIcon" '')" "\"$dir\\clickdial-window.exe\",0"
  expect "Capabilities: tel" "$(value "$caps\\URLAssociations" tel)" "Clickdial.Link"
  expect "Capabilities: callto" "$(value "$caps\\URLAssociations" callto)" "Clickdial.Link"
  expect "Capabilities: name" "$(value "$caps" ApplicationName)" "Clickdial"
  expect "RegisteredApplications" "$(value "$root\\Software\\RegisteredApplications" Clickdial)" \
    'Software\Clickdial\Capabilities'
}
