#!/usr/bin/env bash
# Command two: the whole test suite (unit, integration against the real model and a real HTTP
# server, CLI end to end), on a fresh machine too. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export ASSISTANT_TEST_MODEL
ASSISTANT_TEST_MODEL=$(bash scripts/fetch-default-model.sh)
export ASSISTANT_TEST_EMBEDDING_MODEL
ASSISTANT_TEST_EMBEDDING_MODEL=$(bash scripts/fetch-embedding-model.sh)
# llama.cpp's OpenAI-compatible server, an independent cloud model for tests/cloud_llamacpp.rs
# (built once per machine, about 5 minutes).
export ASSISTANT_LLAMACPP_PYTHON
ASSISTANT_LLAMACPP_PYTHON=$(bash bench/setup-llamacpp.sh)
bash scripts/build-ui.sh
# The UI's own unit tests (Markdown, dates, keys, theme, citations).
(cd ui && npm test --silent)
cargo test --workspace --no-fail-fast "$@"
# The CPU kernels once more with the AVX2 versions where the CPU also has AVX-VNNI or AVX-512.
CANDLE_DISABLE_AVX512=1 CANDLE_DISABLE_AVX_VNNI=1 cargo test --workspace --test cpu_kernels "$@"
