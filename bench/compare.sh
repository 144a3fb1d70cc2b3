#!/usr/bin/env bash
# mistral.rs (our engine) and llama.cpp on the same GGUF, same prompts (token for token), same
# threads, one after the other in one run; prints both and the ratio mistral.rs / llama.cpp.
#   bench/compare.sh [--runs N] [--lengths 128,512,1024] [--max-tokens 64]
# Uses the active model of the data folder (ASSISTANT_HOME or the platform default).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3 lengths=128,512,1024 max_tokens=64
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --lengths) lengths="$2"; shift 2 ;;
    --max-tokens) max_tokens="$2"; shift 2 ;;
    *) echo "unknown option: $1 (use --runs, --lengths, --max-tokens)" >&2; exit 2 ;;
  esac
done
llamacpp_python=$(bash bench/setup-llamacpp.sh)
cargo build --quiet -p assistant-cli
bin="${CARGO_TARGET_DIR:-target}/debug/assistant"
out="${TMPDIR:-/tmp}/assistant-compare.$$"
mkdir -p "$out"
model=$("$bin" --json info | python3 -c 'import json,sys; print(json.load(sys.stdin)["active_model_file"])')
threads=$(nproc)
"$bin" bench --lengths "$lengths" --dump-prompts "$out/prompts.json" >/dev/null
"$bin" --json bench --runs "$runs" --lengths "$lengths" --max-tokens "$max_tokens" > "$out/mistralrs.json"
"$llamacpp_python" bench/llamacpp_bench.py --model "$model" --prompts "$out/prompts.json" \
  --runs "$runs" --max-tokens "$max_tokens" --threads "$threads" > "$out/llamacpp.json"
python3 bench/compare.py "$out/mistralrs.json" "$out/llamacpp.json"
echo "(raw results in $out)"
