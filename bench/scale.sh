#!/usr/bin/env bash
# Scale test: a synthetic store of TOTAL re-addressed messages (default 100,000) built from a
# maildir tree, ingested into a fresh data folder: ingest time and peak memory, store and index
# size, BM25 query latency; given the embedding model's folder, also the embedding run (the
# copies share their text, so only the first copy's passages run the model; the rest are copied)
# and dense and hybrid latency over every passage's vector.
# Usage: [KEEP=DIR] bench/scale.sh SOURCE_MAILDIR MESSAGES_JSONL [TOTAL] [EMBEDDING_MODEL_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
src="$1"; index_jsonl="$2"; total="${3:-100000}"; model="${4:-}"
bin="${CARGO_TARGET_DIR:-target}/debug/assistant"
if [ -n "${KEEP:-}" ]; then
  # KEEP=DIR: build in DIR and leave it there (to measure again without rebuilding).
  work="$KEEP"; rm -rf "$work"; mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
python3 bench/make_scale_maildir.py "$src" "$work/mail" "$total"
echo "==> ingest"
/usr/bin/time -f "wall %e s, peak RSS %M KB" "$bin" --data-dir "$work/data" ingest maildir "$work/mail"
du -sh "$work/data/assistant.sqlite3" "$work/data/index"
python3 bench/search_queries.py "$index_jsonl" nemec-g,lay-k,jones-t,kaminski-v 200 > "$work/queries.txt"
echo "==> BM25 search latency"
"$bin" --data-dir "$work/data" bench-search "$work/queries.txt" --mode bm25
if [ -n "$model" ]; then
  echo "==> embed"
  /usr/bin/time -f "wall %e s, peak RSS %M KB" "$bin" --data-dir "$work/data" embed --model "$model"
  du -sh "$work/data/assistant.sqlite3"
  for mode in dense hybrid; do
    echo "==> $mode search latency"
    /usr/bin/time -f "wall %e s, peak RSS %M KB" \
      "$bin" --data-dir "$work/data" bench-search "$work/queries.txt" --mode "$mode"
  done
fi
