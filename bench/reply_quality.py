#!/usr/bin/env python3
"""Smart-reply quality on reply pairs (a real message and the reply actually sent): for each
original, the best of the three suggestions against the real reply by ROUGE-L F1 (word level)
and, with --embedding-model, by embedding cosine (all-MiniLM-L6-v2, the model search uses),
beside a fixed set of canned replies; plus how often the trigger declined to suggest.

With --unanswered ENRON_DIR --mailboxes a,b: inbox messages of those mailboxes that got no
visible reply (no other message with their subject, not a reply or forward themselves, no quoted
original) are added, and the trigger's precision is reported: of the messages it suggests for,
the share that were really answered (the pairs' originals), on a set with as many of each.

Usage: python3 bench/reply_quality.py PAIRS.jsonl.gz [--limit N] [--assistant BIN] [--model GGUF]
       [--embedding-model DIR] [--unanswered ENRON_DIR --mailboxes LIST]

Each original becomes an .eml file ingested into a fresh data folder with the default model; each
runs through the real `assistant reply --json`. Tune on the dev file, report the test file.
"""
import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
from email.message import EmailMessage
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from quality_common import rouge_l  # noqa: E402
CANNED = ["Thanks!", "Sounds good.", "I'll take a look."]


def address(name):
    # "Bass, Eric" -> eric.bass@enron.example (the pairs carry display names only).
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2:
        parts = [parts[1], parts[0]]
    local = ".".join(w.lower() for w in " ".join(parts).split() if w.isalnum()) or "someone"
    return f"{local}@enron.example"


def clean(name):
    return re.sub(r'["\\<>;]', " ", name).strip()


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pairs")
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--assistant", default=os.path.join(HERE, "..", "target", "debug", "assistant"))
    ap.add_argument("--model", default=os.path.join(HERE, "..", "target", "models", "SmolLM2-135M-Instruct.Q4_1.gguf"))
    ap.add_argument("--embedding-model", help="all-MiniLM-L6-v2 folder: adds embedding cosine")
    ap.add_argument("--unanswered", help="the enron folder (maildir/ and index/): adds trigger precision")
    ap.add_argument("--mailboxes", default="nemec-g,lay-k,jones-t,kaminski-v")
    args = ap.parse_args()
    with gzip.open(args.pairs, "rt") as f:
        pairs = [json.loads(line) for line in f][: args.limit]
    work = tempfile.mkdtemp(prefix="reply-quality-")
    data = os.path.join(work, "data")
    bin_ = [args.assistant, "--data-dir", data]
    r = run(bin_ + ["models", "import", args.model, "--id", "smollm2-135m-instruct-q4_1"])
    if r.returncode != 0:
        sys.exit(r.stderr)
    files = []
    for i, p in enumerate(pairs):
        o = p["original"]
        m = EmailMessage()
        first_to = (o["to"] or "me").split(";")[0].strip().strip("'")
        m["From"] = f'"{clean(o["from"])}" <{address(o["from"])}>'
        m["To"] = f'"{clean(first_to)}" <{address(first_to)}>'
        m["Subject"] = o["subject"]
        m["Message-ID"] = f"<pair-{p['id']}@reply-quality.example>"
        m.set_content(o["text"])
        path = os.path.join(work, f"{i:05d}.eml")
        with open(path, "wb") as f:
            f.write(bytes(m))
        files.append(path)
    unanswered = []
    if args.unanswered:
        rows = [json.loads(line) for line in open(os.path.join(args.unanswered, "index", "messages.jsonl"))]
        boxes = set(args.mailboxes.split(","))
        subjects = Counter(r["subject_norm"] for r in rows)
        for r in sorted(rows, key=lambda r: (r["mailbox"], int(r["path"].rsplit("/", 1)[1]))):
            if (r["mailbox"] in boxes and subjects[r["subject_norm"]] == 1 and r["subject_norm"]
                    and not r["is_reply"] and not r["is_forward"] and not r["has_quoted_original"]
                    and not r["duplicate_of"] and r["message_id"]):
                unanswered.append(r)
        # As many as there are distinct originals, spread over the mailboxes' files.
        distinct = len({(p["original"]["from"], p["original"]["subject"], p["original"]["text"]) for p in pairs})
        step = max(1, len(unanswered) // max(1, distinct))
        unanswered = unanswered[::step][:distinct]
        files += [os.path.join(args.unanswered, r["path"]) for r in unanswered]
    r = run(bin_ + ["ingest", "eml"] + files)
    if r.returncode != 0:
        sys.exit(r.stderr)
    best, canned, canned_suggested, suggested, skipped, times, gen = [], [], [], 0, {}, [], []
    # The same original answered by several people is one message in the store (the duplicate
    # check): ask once per distinct original, score against each real reply.
    first_of = {}
    for p in pairs:
        o = p["original"]
        first_of.setdefault((o["from"], o["subject"], o["text"]), p["id"])
    unique = list(dict.fromkeys(first_of.values()))
    ids = [f"pair-{i}@reply-quality.example" for i in unique]
    # One process for all (the model loads once); one JSON line per message, in order.
    r = run(bin_ + ["--json", "reply"] + ids + ([] if len(ids) > 1 else ids))
    if r.returncode != 0:
        sys.exit(f"{r.stdout}{r.stderr}")
    by_id = dict(zip(unique, (json.loads(line) for line in r.stdout.splitlines() if line.strip())))
    cosines, canned_cosines = [], []
    if args.embedding_model:
        r = run(bin_ + ["embed", "--model", args.embedding_model])
        if r.returncode != 0:
            sys.exit(r.stderr)
        lines, owners = [], []
        for k, p in enumerate(pairs):
            o = p["original"]
            out = by_id[first_of[(o["from"], o["subject"], o["text"])]]
            if "suggestions" not in out["outcome"]:
                continue
            reply = p["reply"]["text"]
            for t in [s["text"] for s in out["outcome"]["suggestions"]] + CANNED:
                lines.append(json.dumps({"a": t, "b": reply}))
                owners.append((k, t in CANNED and t not in [s["text"] for s in out["outcome"]["suggestions"]]))
        pairs_file = os.path.join(work, "pairs.jsonl")
        with open(pairs_file, "w") as f:
            f.write("\n".join(lines) + "\n")
        r = run(bin_ + ["similarity", "--pairs", pairs_file])
        if r.returncode != 0:
            sys.exit(r.stderr)
        best_model, best_canned = {}, {}
        for (k, is_canned), v in zip(owners, map(float, r.stdout.split())):
            d = best_canned if is_canned else best_model
            d[k] = max(d.get(k, -1.0), v)
        cosines = [best_model.get(k, 0.0) for k in best_canned]
        canned_cosines = list(best_canned.values())
    trigger = None
    if unanswered:
        ids = [r["message_id"].strip("<>") for r in unanswered]
        r = run(bin_ + ["--json", "reply"] + ids + ([] if len(ids) > 1 else ids))
        if r.returncode != 0:
            sys.exit(f"{r.stdout}{r.stderr}")
        outs = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
        fired_unanswered = sum(1 for o in outs if "suggestions" in o["outcome"])
        fired_answered = sum(1 for o in by_id.values() if "suggestions" in o["outcome"])
        trigger = (fired_answered, len(by_id), fired_unanswered, len(outs))
    for p in pairs:
        o = p["original"]
        out = by_id[first_of[(o["from"], o["subject"], o["text"])]]
        reply = p["reply"]["text"]
        c = max(rouge_l(t, reply) for t in CANNED)
        canned.append(c)
        outcome = out["outcome"]
        if "skipped" in outcome:
            skipped[outcome["skipped"]] = skipped.get(outcome["skipped"], 0) + 1
            continue
        suggested += 1
        canned_suggested.append(c)
        times.append(out["elapsed_ms"])
        if out.get("generation"):
            g = out["generation"]
            gen.append((g["prompt_tokens"], g["completion_tokens"], g["ttft_ms"]))
        texts = [s["text"] for s in outcome["suggestions"]] or [""]
        best.append(max(rouge_l(t, reply) for t in texts))
    n = len(pairs)
    times.sort()
    print(f"pairs: {n}; suggested for {suggested}; skipped: {skipped}")
    if best:
        print(f"ROUGE-L F1, best of 3, where suggested: model {sum(best) / len(best):.3f}, "
              f"canned {CANNED} {sum(canned_suggested) / len(best):.3f}")
    print(f"canned replies over all pairs: {sum(canned) / n:.3f}")
    if times:
        print(f"time per suggestion set: p50 {times[len(times) // 2]} ms, p95 {times[int(len(times) * 0.95)]} ms")
    if cosines:
        print(f"embedding cosine (all-MiniLM-L6-v2), best of 3, where suggested: model {sum(cosines) / len(cosines):.3f}, "
              f"canned {sum(canned_cosines) / len(canned_cosines):.3f}")
    if trigger:
        fa, na, fu, nu = trigger
        print(f"trigger: suggested for {fa}/{na} answered originals and {fu}/{nu} messages with no visible reply; "
              f"precision {fa / max(1, fa + fu):.3f}, recall {fa / max(1, na):.3f}")
    if gen:
        k = len(gen)
        print(f"per request: prompt {sum(g[0] for g in gen) / k:.0f} tokens, answer "
              f"{sum(g[1] for g in gen) / k:.0f} tokens, time to first token {sum(g[2] for g in gen) / k:.0f} ms (means)")


if __name__ == "__main__":
    main()
