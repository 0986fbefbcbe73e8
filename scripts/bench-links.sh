#!/usr/bin/env bash
# The link handoff benchmark (benches/links.rs) drives the real release app: it needs a display,
# a session D-Bus (single instance) and a keyring. This gives it private ones.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
ensure_test_deps
exec scripts/with-session.sh xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
  cargo bench --bench links
