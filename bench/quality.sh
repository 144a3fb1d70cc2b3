#!/usr/bin/env bash
# The whole quality harness in one go, on the real default model: smart reply (reply pairs, MiniLM
# cosine, trigger precision), one-line summaries (AESLC), thread summaries (BC3) and ask
# (email-qa), action plans (bench/actions). Prints each table; docs/QUALITY.md records them.
#
#   bash bench/quality.sh DATA_DIR [dev|test|both] [LIMIT]
#
# DATA_DIR holds the evaluation sets (reply-pairs/, aeslc/, bc3/, email-qa/, enron/). dev is for
# tuning; test only for reporting. BC3 and email-qa have no dev part: they run with test.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:?usage: bash bench/quality.sh DATA_DIR [dev|test|both] [LIMIT]}
which=${2:-both}
limit=${3:-100}
bin=${ASSISTANT_BIN:-target/debug/assistant}
[ -x "$bin" ] || cargo build -q -p assistant-cli
embedding=$(bash scripts/fetch-embedding-model.sh)
case $which in both) splits="dev test" ;; dev | test) splits=$which ;; *) echo "dev, test or both" >&2; exit 2 ;; esac
for split in $splits; do
  if [ "$split" = dev ]; then boxes=nemec-g,lay-k,jones-t,kaminski-v; else boxes=shackleton-s,steffes-j; fi
  echo "== smart reply, reply pairs ($split)"
  python3 bench/reply_quality.py "$data/reply-pairs/$split.jsonl.gz" --limit "$limit" --assistant "$bin" \
    --embedding-model "$embedding" --unanswered "$data/enron" --mailboxes "$boxes"
  echo "== one-line summaries, AESLC ($split)"
  python3 bench/summary_quality.py aeslc "$data/aeslc/$split.jsonl" --limit "$limit" --assistant "$bin"
  echo "== action plans ($split)"
  python3 bench/action_plans.py "$data" --split "$split" --bin "$bin"
done
if [ "$which" != dev ]; then
  echo "== thread summaries, BC3 (test: all 40 threads)"
  python3 bench/summary_quality.py bc3 "$data/bc3" --limit 40 --assistant "$bin"
  echo "== ask, email-qa (test)"
  python3 bench/ask_quality.py "$data/email-qa/enron-t5-qa" --limit $((limit * 2)) --assistant "$bin"
fi
