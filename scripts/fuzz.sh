#!/usr/bin/env bash
# Fuzzes the mail parser with libFuzzer for a while (default 60 s). Needs a nightly toolchain
# (`rustup toolchain install nightly`) and cargo-fuzz (installed here if missing). The test suite
# runs a smaller mutation fuzzer on stable (`mutated_mail_never_panics`).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-60}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
mkdir -p corpus/parse_mail
cp -n ../sample/mail/cur/* ../sample/mail/new/* corpus/parse_mail/ 2>/dev/null || true
cargo +nightly fuzz run parse_mail corpus/parse_mail -- -max_total_time="$seconds" -max_len=65536
