#!/usr/bin/env python3
"""Time per summary and per answer on the bundled sample mail and notes, model loaded, through the
real command line (one process per feature, so the model loads once; loading is measured by
`assistant bench`). Prints p50 / p95 and the prompt sizes.

Usage: python3 bench/feature_latency.py [--rounds N] [--assistant BIN] [--model GGUF]
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quality_common import DEFAULT_BIN, DEFAULT_MODEL, HERE, fresh_data_dir, json_lines, percentile, run  # noqa: E402

QUESTIONS = [
    "When is the Q3 budget review?",
    "What is the total travel spend?",
    "Which supplier contract needs renewing?",
    "What is the new Wi-Fi password?",
    "Where is the team offsite?",
    "Which invoice is overdue?",
    "What does Sara want to move?",
    "What is in the recipe for lentil soup?",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--assistant", default=DEFAULT_BIN)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    args = ap.parse_args()
    work, bin_ = fresh_data_dir("feature-latency-", args.assistant, args.model)
    sample = os.path.join(HERE, "..", "sample")
    for kind, path in (("maildir", "mail"), ("notes", "notes")):
        r = run(bin_ + ["ingest", kind, os.path.join(sample, path)])
        if r.returncode != 0:
            sys.exit(r.stderr)
    r = run(bin_ + ["--json", "search", "is:mail", "--limit", "50"])
    ids = [x["id"] for x in json_lines(r.stdout)[0]]
    qfile = os.path.join(work, "questions.jsonl")
    with open(qfile, "w") as f:
        f.writelines(json.dumps({"question": q}) + "\n" for q in QUESTIONS)
    summaries, answers = [], []
    for _ in range(args.rounds):
        r = run(bin_ + ["--json", "summarize"] + ids)
        if r.returncode != 0:
            sys.exit(r.stdout + r.stderr)
        summaries += json_lines(r.stdout)
        r = run(bin_ + ["--json", "ask", "--questions", qfile])
        if r.returncode != 0:
            sys.exit(r.stdout + r.stderr)
        answers += json_lines(r.stdout)
    s_ms = [s["elapsed_ms"] for s in summaries]
    a_ms = [a["elapsed_ms"] for a in answers if a["generation"]]
    gens = [a["generation"] for a in answers if a["generation"]]
    print(f"summaries of {len(ids)} sample messages x {args.rounds}: p50 {percentile(s_ms, 0.5)} ms, "
          f"p95 {percentile(s_ms, 0.95)} ms")
    print(f"answers to {len(QUESTIONS)} questions x {args.rounds} ({len(a_ms)} ran the model): p50 "
          f"{percentile(a_ms, 0.5)} ms, p95 {percentile(a_ms, 0.95)} ms; prompt "
          f"{sum(g['prompt_tokens'] for g in gens) / max(1, len(gens)):.0f} tokens, time to first token "
          f"{sum(g['ttft_ms'] for g in gens) / max(1, len(gens)):.0f} ms (means)")


if __name__ == "__main__":
    main()
