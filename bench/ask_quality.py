#!/usr/bin/env python3
"""Ask quality on email-qa (human questions over 48 Enron emails), through the real
`assistant ask` on the default model.

Usage: python3 bench/ask_quality.py DIR_WITH_enron_annotated.json [--limit N]

The 48 emails are ingested into a fresh data folder. Each question is asked twice:
  - over everything (retrieval + answer): recall@5 = the gold email among the passages read;
  - about its own email (`--about`, reading comprehension): the answer alone.
Answers are scored against the human answers by token F1 and exact match (SQuAD normalisation,
citations removed); unanswerable questions count as right when the answer is "not found".
Generic questions ("Who received the email?") cannot pick one email out of 48, so recall is also
reported for the specific questions only (question text asked about one email only).
"""
import argparse
import collections
import json
import os
import re
import string
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quality_common import DEFAULT_BIN, DEFAULT_MODEL, fresh_data_dir, json_lines, mean, percentile, run  # noqa: E402

NOT_FOUND = "Not in your mail or notes."


def normalize(s):
    s = re.sub(r"\[\d+\]", " ", s).lower()
    s = "".join(c for c in s if c not in set(string.punctuation))
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def f1(pred, gold):
    p, g = normalize(pred).split(), normalize(gold).split()
    common = collections.Counter(p) & collections.Counter(g)
    same = sum(common.values())
    if not p or not g or same == 0:
        return 0.0
    pr, rc = same / len(p), same / len(g)
    return 2 * pr * rc / (pr + rc)


def score(answer, qa):
    text = answer["answer"]
    if qa["is_impossible"] or not qa["answers"]:
        ok = float(not answer["found"])
        return ok, ok
    if not answer["found"]:
        return 0.0, 0.0
    golds = [a["text"] for a in qa["answers"]]
    return max(f1(text, g) for g in golds), max(float(normalize(text) == normalize(g)) for g in golds)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--limit", type=int, default=1000)
    ap.add_argument("--assistant", default=DEFAULT_BIN)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--save")
    args = ap.parse_args()
    data = json.load(open(os.path.join(args.dir, "enron_annotated.json")))["data"]
    work, bin_ = fresh_data_dir("ask-quality-", args.assistant, args.model)
    files, items = [], []
    for i, d in enumerate(data):
        p = d["paragraphs"][0]
        mid = re.search(r"^Message-ID:\s*<([^>]+)>", p["context"], re.M | re.I).group(1)
        path = os.path.join(work, f"{i:03d}.eml")
        with open(path, "w") as f:
            f.write(p["context"])
        files.append(path)
        for qa in p["qas"]:
            items.append((mid, qa))
    r = run(bin_ + ["ingest", "eml"] + files)
    if r.returncode != 0:
        sys.exit(r.stderr)
    # Spread the limit over the emails: every Nth question.
    if args.limit < len(items):
        step = len(items) / args.limit
        items = [items[int(k * step)] for k in range(args.limit)]
    asked = collections.Counter(qa["question"].strip().lower() for _, qa in items)
    by_email = collections.defaultdict(set)
    for mid, qa in items:
        by_email[qa["question"].strip().lower()].add(mid)
    results = {}
    for mode in ("open", "about"):
        qfile = os.path.join(work, f"questions-{mode}.jsonl")
        with open(qfile, "w") as f:
            for mid, qa in items:
                q = {"question": qa["question"]}
                if mode == "about":
                    q["about"] = mid
                f.write(json.dumps(q) + "\n")
        r = run(bin_ + ["--json", "ask", "--questions", qfile])
        if r.returncode != 0:
            sys.exit(f"{r.stdout[-2000:]}{r.stderr}")
        results[mode] = json_lines(r.stdout)
    if args.save:
        with open(args.save, "w") as f:
            for mode, answers in results.items():
                for (mid, qa), a in zip(items, answers):
                    f.write(json.dumps({"mode": mode, "gold": mid, "qa": qa, "answer": a}) + "\n")
    answerable = [i for i, (_, qa) in enumerate(items) if not qa["is_impossible"] and qa["answers"]]
    specific = [i for i, (_, qa) in enumerate(items) if len(by_email[qa["question"].strip().lower()]) == 1]
    opened = results["open"]
    hit = [any(p.get("message_id") == mid for p in a["passages"]) for (mid, _), a in zip(items, opened)]
    print(f"email-qa: {len(items)} questions ({len(answerable)} answerable, {len(specific)} specific to one email) over {len(data)} emails")
    print(f"retrieval recall@5 of the gold email: all {mean(hit):.3f}, specific questions {mean(hit[i] for i in specific):.3f}")
    print("| mode | token F1 | exact match | F1 answerable | 'not found' on unanswerable | p50 ms |")
    print("|---|---|---|---|---|---|")
    for mode, answers in results.items():
        s = [score(a, qa) for (_, qa), a in zip(items, answers)]
        unans = [i for i in range(len(items)) if i not in set(answerable)]
        times = [a["elapsed_ms"] for a in answers]
        print(f"| {mode} | {mean(x[0] for x in s):.3f} | {mean(x[1] for x in s):.3f} | "
              f"{mean(s[i][0] for i in answerable):.3f} | {mean(s[i][0] for i in unans):.3f} | {percentile(times, 0.5)} |")
    cited = [a for a in opened if a["found"]]
    flagged = sum(1 for a in cited if a["unsupported"])
    print(f"answers with citations (open): {len(cited)}/{len(opened)}; fact check flagged {flagged} of them")


if __name__ == "__main__":
    main()
