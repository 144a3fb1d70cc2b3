#!/usr/bin/env bash
# Compiles (without linking) the app crate for Android, so code that breaks the mobile build fails
# here. Linking needs the Android NDK, which this script does not assume: the C parts of
# dependencies (aws-lc through rustls, ...) are compiled with Debian's aarch64 GCC as a stand-in,
# because `cargo check` runs their build scripts but never links what they produce.
# iOS is not checked here: cc-rs asks Xcode's `xcrun` for the iOS SDK before compiling those C
# parts, and there is no stand-in for that on Linux. The real APK/IPA builds: docs/MOBILE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
target=aarch64-linux-android
rustup target list --installed | grep -qx "$target" || rustup target add "$target"
echo "==> cargo check: the app for $target"
CC_aarch64_linux_android=aarch64-linux-gnu-gcc AR_aarch64_linux_android=aarch64-linux-gnu-ar \
  CFLAGS_aarch64_linux_android=-D_GNU_SOURCE \
  cargo check --quiet -p assistant-app --target "$target"
