#!/usr/bin/env bash
# Command one: install what is missing, fetch the default model, build, and show the assistant
# answering on the device (tokens stream to the terminal).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
model=$(bash scripts/fetch-default-model.sh)
bash scripts/build-ui.sh
echo "==> building the assistant (the first build takes 15-20 minutes)"
cargo build --quiet -p assistant-cli
bin="${CARGO_TARGET_DIR:-target}/debug/assistant"
id=smollm2-135m-instruct-q4_1
if ! "$bin" models verify "$id" >/dev/null 2>&1; then
  "$bin" models import "$model" --id "$id"
fi
"$bin" models use "$id" >/dev/null
"$bin" info
echo
"$bin" demo
echo
echo "==> the bundled sample mailbox and notes"
"$bin" ingest maildir sample/mail
"$bin" ingest notes sample/notes
"$bin" search "budget from:kenneth"
echo
echo "Try: $bin chat \"Write a short thank-you note to a colleague.\""
echo "     $bin search \"lisbon has:attachment\"    $bin show t1"
