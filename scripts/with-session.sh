#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a fresh HOME and an unlocked
# gnome-keyring (a real Secret Service), so tests never touch the user's own keyring or files.
set -euo pipefail
if [ -z "${CLICKDIAL_PRIVATE_SESSION:-}" ]; then
  export CLICKDIAL_PRIVATE_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi
# Keep the toolchain where it is when HOME moves.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_CONFIG_HOME="$home/.config" \
  XDG_CACHE_HOME="$home/.cache" XDG_RUNTIME_DIR="$home/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
eval "$(printf %s clickdial-test | gnome-keyring-daemon --unlock --components=secrets | sed 's/^/export /')"
"$@"
