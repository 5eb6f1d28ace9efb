#!/usr/bin/env bash
# Runs a command with a private D-Bus session and an unlocked GNOME Keyring (Secret
# Service), so tests of the OS keychain work on a headless machine. The keyring lives
# in a throwaway HOME-independent folder and disappears with the session.
set -euo pipefail
if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
  echo "with-keyring: dbus-run-session or gnome-keyring-daemon is missing (scripts/setup.sh installs them); running without a keychain" >&2
  exec "$@"
fi
export IMPRIMATUR_KEYRING_DIR="$(mktemp -d)"
trap 'rm -rf "$IMPRIMATUR_KEYRING_DIR"' EXIT
dbus-run-session -- bash -c '
  export XDG_DATA_HOME="$IMPRIMATUR_KEYRING_DIR/data" XDG_RUNTIME_DIR="$IMPRIMATUR_KEYRING_DIR/run"
  mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
  # A password on stdin creates and unlocks the login keyring (throwaway, so no secret).
  printf "imprimatur-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  export IMPRIMATUR_REQUIRE_KEYCHAIN=1
  "$@"' with-keyring "$@"
