#!/usr/bin/env bash
# Installs what is missing, builds, and starts Imprimatur on the bundled demo workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/setup.sh

echo "==> building the UI and the app"
(cd ui && npm run build --silent)
cargo build --locked -p imprimatur-app -p imprimatur-cli

demo="${IMPRIMATUR_DEMO_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/imprimatur/demo}"
if [ ! -f "$demo/imprimatur.toml" ]; then
  echo "==> creating the demo workspace in $demo"
  "$CARGO_TARGET_DIR/debug/imprimatur" demo "$demo"
fi

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found (DISPLAY and WAYLAND_DISPLAY are unset), so the window cannot open."
  echo "The app is built: run it from a desktop session with"
  echo "  $CARGO_TARGET_DIR/debug/imprimatur-app --workspace \"$demo\""
  echo "or headless with: xvfb-run -a $CARGO_TARGET_DIR/debug/imprimatur-app --workspace \"$demo\""
  exit 1
fi
echo "==> starting Imprimatur on $demo"
exec "$CARGO_TARGET_DIR/debug/imprimatur-app" --workspace "$demo"
