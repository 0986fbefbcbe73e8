# Sourced by scripts/run.sh and scripts/test.sh: installs whatever is missing on a
# Debian/Ubuntu machine (system packages, Rust components, tauri-driver). Idempotent and quiet
# when everything is already there.

# Build: WebKitGTK, the tray indicator, librsvg, libsoup, D-Bus (keyring), and the system's
# OpenSSL (HTTPS).
BUILD_PACKAGES=(libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev
  libdbus-1-dev libssl-dev build-essential pkg-config curl ca-certificates)
# Tests: a virtual display, the WebKit WebDriver, a real Secret Service in a private D-Bus,
# gdbus (to read and click the tray keeper's menu as a tray host does), and ImageMagick for
# screenshots.
TEST_PACKAGES=(xvfb xauth webkit2gtk-driver gnome-keyring dbus-daemon dbus-x11 xdg-utils
  libglib2.0-bin imagemagick tmux)

# With the seconds since the first script started (scripts it runs count on from there), so a
# CI log shows where the time goes.
: "${CLICKDIAL_LOG_START:=$(date +%s)}"
export CLICKDIAL_LOG_START
log() { printf '\033[1m==> [%4ds] %s\033[0m\n' "$(($(date +%s) - CLICKDIAL_LOG_START))" "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    log "Please install these packages with your package manager: ${missing[*]}"
    return 1
  fi
  log "Installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_rust() {
  export PATH="$HOME/.cargo/bin:$PATH"
  if ! command -v cargo >/dev/null; then
    log "Installing Rust (rustup)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if command -v rustup >/dev/null; then
    # The toolchain rust-toolchain.toml pins: the installed stable when it is that version
    # (linked, nothing downloaded), else installed by rustup.
    local pinned
    pinned=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml 2>/dev/null || true)
    if [ -n "$pinned" ] && ! rustup toolchain list | grep -q "^$pinned"; then
      if rustc +stable --version 2>/dev/null | grep -q "^rustc $pinned "; then
        rustup toolchain link "$pinned" "$(rustc +stable --print sysroot)"
      else
        log "Installing Rust $pinned (rust-toolchain.toml)"
        rustup toolchain install "$pinned" --profile minimal -c rustfmt -c clippy
      fi
    fi
    for c in rustfmt clippy; do
      rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c" >/dev/null
    done
  fi
}

ensure_build_deps() {
  ensure_packages "${BUILD_PACKAGES[@]}"
  ensure_rust
}

ensure_test_deps() {
  ensure_build_deps
  ensure_packages "${TEST_PACKAGES[@]}"
  command -v node >/dev/null || ensure_packages nodejs
  # npm installs the Tauri CLI (prebuilt) for the packaging check.
  command -v npm >/dev/null || ensure_packages npm
  if ! command -v tauri-driver >/dev/null; then
    log "Installing tauri-driver"
    cargo install tauri-driver --version '^2' --locked --quiet
  fi
}

# Windows from this machine (scripts/build-windows.sh, scripts/test-windows.sh): the mingw-w64
# C compiler and linker for x86_64 (win32 threads, what Rust's windows-gnu target links with;
# bundled SQLite is C), the host's own C toolchain for build scripts, makensis, wixl and msibuild for
# the installers, and wine to run the Windows programs. The Rust target is added to the pinned toolchain by rustup, not listed in
# rust-toolchain.toml, so Linux-only work never downloads it.
WINDOWS_TARGET=x86_64-pc-windows-gnu
WINDOWS_BUILD_PACKAGES=(gcc-mingw-w64-x86-64-win32 nsis wixl msitools build-essential curl ca-certificates)
WINDOWS_TEST_PACKAGES=(wine wine64)

ensure_windows_build_deps() {
  ensure_packages "${WINDOWS_BUILD_PACKAGES[@]}"
  ensure_rust
  if ! command -v rustup >/dev/null; then
    [ -d "$(rustc --print sysroot)/lib/rustlib/$WINDOWS_TARGET" ] && return 0
    log "Please install the Rust standard library for $WINDOWS_TARGET (rustup target add)"
    return 1
  fi
  if ! rustup target list --installed 2>/dev/null | grep -qx "$WINDOWS_TARGET"; then
    log "Installing the Rust standard library for $WINDOWS_TARGET (rustup)"
    rustup target add "$WINDOWS_TARGET" >/dev/null
  fi
}

ensure_windows_test_deps() {
  ensure_windows_build_deps
  ensure_packages "${WINDOWS_TEST_PACKAGES[@]}"
}

# Lint while building, as scripts/test.sh does for Linux: clippy-driver compiles the workspace's
# own crates (warnings are errors), rustc the dependencies. The same values everywhere, so a
# build by one script is reused by the other.
use_clippy_driver() {
  export RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
  RUSTC_WORKSPACE_WRAPPER=$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver)
  CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
}
