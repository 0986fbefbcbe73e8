#!/usr/bin/env bash
# Builds the .deb and checks what a user's desktop needs from it: a desktop entry that passes
# the clicked link to Clickdial (`%u`) and claims tel: and callto:, and the icons. Prints the
# figures (sizes, icons, time taken). Exits non-zero, saying why, when a check fails.
#
#   scripts/check-package.sh            bundles the already built debug binary (no compiling;
#                                       about 4 s; builds it first only when it is missing)
#   scripts/check-package.sh --release  the real thing: `tauri build` (release build, 6-10 min)
#
# The debug .deb is bigger than a release one (unstripped binary) but packs exactly the same
# files, which is what is checked here.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

mode=debug
case "${1:-}" in
  "") ;;
  --release) mode=release ;;
  *) echo "usage: $0 [--release]" >&2; exit 2 ;;
esac

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
failures=()
fail() { failures+=("$*"); printf 'FAIL: %s\n' "$*"; }

# The Tauri CLI from npm: a prebuilt binary, about 2 s (`cargo install tauri-cli` compiles for
# ~10 min). package.json asks for ^2; package-lock.json pins the version.
for tool in dpkg-deb node; do
  command -v "$tool" >/dev/null || { echo "check-package: '$tool' is missing; install it first." >&2; exit 1; }
done
if [ ! -x node_modules/.bin/tauri ]; then
  command -v npm >/dev/null || { echo "check-package: npm is missing (Debian: apt install npm)." >&2; exit 1; }
  log "Installing the Tauri CLI (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
tauri=node_modules/.bin/tauri

started_ns=$(date +%s%N)
if [ "$mode" = debug ]; then
  if [ ! -x target/debug/clickdial ] || [ ! -x target/debug/clickdial-window ]; then
    log "No debug binary yet: cargo build --workspace"
    cargo build --workspace
  fi
  # `tauri bundle` packs the binary it finds under the cargo target dir and rewrites it in place
  # (bundle type marker). So it gets a copy in a target dir of its own: the shared
  # target/debug/clickdial (used by the end-to-end tests) is never touched, and nothing is
  # compiled (`tauri bundle` does not build).
  stage=$root/target/package-check
  rm -rf "$stage/debug/bundle"
  mkdir -p "$stage/debug"
  cp target/debug/clickdial target/debug/clickdial-window "$stage/debug/"
  log "Bundling the debug binary (tauri bundle --debug --bundles deb)"
  CARGO_TARGET_DIR=$stage "$tauri" bundle --debug --bundles deb --ci --no-sign
  deb_dir=$stage/debug/bundle/deb
else
  rm -rf target/release/bundle/deb
  log "Release build and bundle (tauri build --bundles deb)"
  "$tauri" build --bundles deb --ci --no-sign
  deb_dir=target/release/bundle/deb
fi
bundle_ms=$(( ($(date +%s%N) - started_ns) / 1000000 ))

# Tauri's bundler packs the .deb with gzip and has no option for anything else (CLI 2.12). xz,
# which Debian's own packages use and every dpkg since 1.15 reads, takes the release package
# from 7.6 to about 4 MB; its x86 filter (BCJ, which turns the programs' relative jumps into
# absolute ones that repeat) takes 6% more off, and the files stream is a plain .xz that dpkg's
# decoder reads like any other. Repacked with root as the owner of every file; the debug
# package at level 0 (quick), so the tests go through the same path.
repack_xz() {
  local deb=$1 level=$2 dir
  dir=$(mktemp -d)
  dpkg-deb -R "$deb" "$dir/pkg"
  dpkg-deb --root-owner-group -Znone -b "$dir/pkg" "$dir/plain.deb" >/dev/null
  (
    cd "$dir"
    ar x plain.deb
    xz --x86 --lzma2=preset="$level" data.tar
    ar rc new.deb debian-binary control.tar* data.tar.xz
  )
  mv "$dir/new.deb" "$deb"
  rm -rf "$dir"
}

debs=("$deb_dir"/*.deb)
[ -f "${debs[0]}" ] && [ ${#debs[@]} -eq 1 ] || { echo "FAIL: expected one .deb in $deb_dir" >&2; exit 1; }
deb=${debs[0]}
repack_started_ns=$(date +%s%N)
repack_xz "$deb" "$([ "$mode" = release ] && echo 9e || echo 0)"
repack_ms=$(( ($(date +%s%N) - repack_started_ns) / 1000000 ))
ar t "$deb" | grep -qx 'data.tar.xz' || fail "the .deb's files are not packed with xz"
unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
dpkg-deb -x "$deb" "$unpacked"

log "Package"
dpkg-deb -f "$deb" Package Version Architecture Installed-Size Depends
deb_bytes=$(stat -c %s "$deb")
awk -v n="$(basename "$deb")" -v b="$deb_bytes" -v ms="$bundle_ms" -v xz="$repack_ms" -v m="$mode" \
  'BEGIN { printf "%s: %d bytes (%.1f MiB), bundled in %.1f s, repacked with xz in %.1f s (%s)\n", n, b, b / 1048576, ms / 1000, xz / 1000, m }'

log "Programs"
# clickdial (the command line, and what a clicked link runs; hands over to the window) and
# clickdial-window (the app).
for program in clickdial clickdial-window; do
  if [ -x "$unpacked/usr/bin/$program" ]; then
    printf '    /usr/bin/%-18s %s bytes\n' "$program" "$(stat -c %s "$unpacked/usr/bin/$program")"
  else
    fail "usr/bin/$program is missing"
  fi
done

log "Libraries"
# The system libraries Clickdial links to itself (not through WebKit) must be in Depends.
depends=$(dpkg-deb -f "$deb" Depends)
for program in clickdial clickdial-window; do
  needed=$(readelf -d "$unpacked/usr/bin/$program" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p')
  for pair in libssl.so.3:libssl3; do
    lib=${pair%%:*} package=${pair#*:}
    if grep -qx "$lib" <<<"$needed"; then
      grep -q "$package" <<<"$depends" || fail "$program needs $lib but Depends lacks $package"
      printf '    %-18s %-16s from %s\n' "$program" "$lib" "$package"
    fi
  done
done

log "Example policy (issue 26: shipped, commented, not active)"
example=$unpacked/usr/share/doc/clickdial/policy.example.toml
if [ ! -f "$example" ]; then
  fail "usr/share/doc/clickdial/policy.example.toml is missing"
else
  echo "    /usr/share/doc/clickdial/policy.example.toml ($(grep -c '^#[a-z_]* =' "$example") keys, all commented)"
  # Not active: every line is a comment or blank.
  grep -qvE '^[[:space:]]*(#.*)?$' "$example" && fail "the example policy has an active line"
  [ -e "$unpacked/etc/clickdial/policy.toml" ] && fail "the package installs a policy in /etc/clickdial"
fi

log "Desktop entry"
entries=("$unpacked"/usr/share/applications/*.desktop)
if [ ! -f "${entries[0]}" ] || [ ${#entries[@]} -ne 1 ]; then
  fail "expected exactly one desktop entry in usr/share/applications"
else
  entry=${entries[0]}
  echo "${entry#"$unpacked"}:"
  sed 's/^/    /' "$entry"
  exec_line=$(grep -m1 '^Exec=' "$entry" || true)
  mime_line=$(grep -m1 '^MimeType=' "$entry" || true)
  # `%u` passes the clicked link; without it the desktop starts Clickdial with no link.
  [[ $exec_line =~ ^Exec=[^\ ]+\ .*%[uU] ]] || fail "Exec has no %u (the clicked link would be dropped): '$exec_line'"
  # Debian 12's xdg-mime cannot read a quoted program (platform-notes).
  [[ $exec_line =~ ^Exec=\" ]] && fail "Exec's program is quoted, which xdg-mime cannot read: '$exec_line'"
  program=${exec_line#Exec=}; program=${program%% *}
  [ -x "$unpacked/usr/bin/$program" ] || fail "Exec runs '$program', which is not in usr/bin"
  # A click must reach the running app without loading GTK and WebKit first.
  [ "$program" = clickdial ] || fail "Exec runs '$program', not clickdial (the GUI-free front)"
  for scheme in tel callto; do
    [[ ";${mime_line#MimeType=}" == *";x-scheme-handler/$scheme;"* ]] ||
      fail "MimeType does not list x-scheme-handler/$scheme: '$mime_line'"
  done
  [ "$(grep -c '^MimeType=' "$entry")" -le 1 ] || fail "more than one MimeType line"
  icon_name=$(sed -n 's/^Icon=//p' "$entry" | head -n1)
fi

# A PNG's width and height from its header (bytes 16-23, big-endian).
png_size() {
  local b
  read -r -a b < <(od -An -tu1 -j16 -N8 "$1")
  [ ${#b[@]} -eq 8 ] || { echo "?"; return; }
  echo "$(( b[0]<<24 | b[1]<<16 | b[2]<<8 | b[3] ))x$(( b[4]<<24 | b[5]<<16 | b[6]<<8 | b[7] ))"
}

log "Icons"
packed_sizes=" "
shopt -s nullglob
for png in "$unpacked"/usr/share/icons/hicolor/*/apps/*.png; do
  size=$(png_size "$png")
  dir=$(basename "$(dirname "$(dirname "$png")")")
  printf '    %-48s %s px\n' "${png#"$unpacked"}" "$size"
  packed_sizes+="$size "
  # hicolor folder names: NxN holds N px images, NxN@2 holds 2N px images (HiDPI).
  n=${dir%%x*}
  want=$n; [[ $dir == *@2 ]] && want=$(( n * 2 ))
  [ "$size" = "${want}x${want}" ] || echo "    note: $dir holds a $size image (tauri-bundler's layout for @2x icons)"
  [ "$(basename "$png" .png)" = "${icon_name:-}" ] || fail "icon $(basename "$png") does not match Icon=${icon_name:-}"
done
[ "$packed_sizes" != " " ] || fail "no icons in usr/share/icons/hicolor"
# Every PNG size in icons/ should be in the package, so the desktop never scales a small one up.
for png in icons/*.png; do
  size=$(png_size "$png")
  [[ $packed_sizes == *" $size "* ]] || fail "$png ($size) is not in the package (add it to bundle.icon in tauri.conf.json)"
done

# The debug run's copy of the binary and the bundler's staging folders are 120 MB; the .deb stays.
if [ "$mode" = debug ]; then
  rm -f "$stage/debug/clickdial" "$stage/debug/clickdial-window"
  find "$deb_dir" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
fi

if [ ${#failures[@]} -gt 0 ]; then
  printf '\ncheck-package: %d check(s) failed:\n' ${#failures[@]} >&2
  printf '  - %s\n' "${failures[@]}" >&2
  exit 1
fi
log "Package checks passed"
