#!/usr/bin/env bash
# Compiles (without linking) the app crate for Android and the core for iOS, so code that breaks
# the mobile builds fails here. Linking needs the Android NDK / Xcode, which this script does not
# assume: the C parts of dependencies (aws-lc, ring, ...) are compiled with Debian's aarch64 GCC as
# a stand-in, because `cargo check` runs their build scripts but never links what they produce.
# The real APK/IPA builds are in docs/MOBILE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
for t in aarch64-linux-android aarch64-apple-ios; do
  rustup target list --installed | grep -qx "$t" || rustup target add "$t"
done
stand_in=(
  CC_aarch64_linux_android=aarch64-linux-gnu-gcc AR_aarch64_linux_android=aarch64-linux-gnu-ar
  CFLAGS_aarch64_linux_android=-D_GNU_SOURCE
  CC_aarch64_apple_ios=aarch64-linux-gnu-gcc AR_aarch64_apple_ios=aarch64-linux-gnu-ar
  CFLAGS_aarch64_apple_ios=-D_GNU_SOURCE
)
echo "==> cargo check: the app for aarch64-linux-android"
env "${stand_in[@]}" cargo check --quiet -p assistant-app --target aarch64-linux-android
echo "==> cargo check: the core for aarch64-apple-ios"
env "${stand_in[@]}" cargo check --quiet -p assistant-core --target aarch64-apple-ios
