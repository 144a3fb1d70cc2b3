#!/usr/bin/env bash
# Builds the UI into ui/dist (the app embeds it at compile time, so this runs before any build of src-tauri).
set -euo pipefail
cd "$(dirname "$0")/.."
cd ui && npm ci --no-audit --no-fund && npm run build
