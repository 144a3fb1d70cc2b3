#!/usr/bin/env bash
# Installs the system packages the build and the tests need, only those that are missing (Debian 12).
set -euo pipefail
packages=(
  # build of the app shell (Tauri 2 on Linux)
  pkg-config libssl-dev libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev
  libsoup-3.0-dev libjavascriptcoregtk-4.1-dev libxdo-dev
  # passwords in the OS keyring: the Secret Service client talks D-Bus
  libdbus-1-dev
  # the engine's C parts and the model download
  build-essential python3 python3-venv python3-pip unzip
  # the IMAP tests run a real Dovecot server on 127.0.0.1
  dovecot-imapd
  # the sending tests run a real SMTP server on 127.0.0.1 (aiosmtpd, with Debian's python3)
  python3-aiosmtpd
  # the app's end-to-end tests drive the real WebKitGTK webview under a virtual X server
  xvfb xauth webkit2gtk-driver
  # the Android compile check (scripts/check-mobile.sh) compiles dependencies' C parts with these
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing system packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The UI is built with Vite (Node 18.19 or newer; Debian 12's own nodejs is enough).
if ! command -v npm >/dev/null; then
  echo "==> installing nodejs and npm"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
if ! command -v cargo >/dev/null; then
  echo "error: cargo (Rust 1.88 or newer) is required; install it with rustup and run this again" >&2
  exit 1
fi
# WebDriver front end for Tauri apps (launches the app and WebKitWebDriver for the tests).
if ! command -v tauri-driver >/dev/null; then
  echo "==> installing tauri-driver"
  cargo install tauri-driver --version 2.1.0 --locked --quiet
fi
