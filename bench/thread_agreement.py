#!/usr/bin/env python3
"""Agreement of the store's threads with a reference thread grouping, as pairs of message files.

Usage: assistant --json threads > ours.json
       python3 bench/thread_agreement.py ours.json REFERENCE_THREADS.jsonl [MAILBOX,MAILBOX...]

With mailboxes, only files under those mailboxes count (e.g. the dev part of a corpus).

The reference is a JSON-lines file with one thread per line: {"messages": [{"path": ...}, ...]},
paths relative to the folder above the ingested maildir (e.g. "maildir/lay-k/inbox/12").
Prints pairwise precision, recall and F1 (two files are a pair when they are in the same thread),
over all files, and restricted to the files the reference puts in some thread.
"""
import itertools
import json
import os
import sys
from collections import defaultdict


def pairs(groups):
    out = set()
    for files in groups:
        for a, b in itertools.combinations(sorted(set(files)), 2):
            out.add((a, b))
    return out


def main():
    ours_path, ref_path = sys.argv[1], sys.argv[2]
    boxes = sys.argv[3].split(",") if len(sys.argv) > 3 else None

    def keep(path):
        return boxes is None or any(f"/{b}/" in "/" + path for b in boxes)

    rows = [r for r in json.load(open(ours_path))
            if keep(os.path.basename(r["source"].rstrip("/")) + "/" + r["location"])]
    ours = defaultdict(list)
    message_of = {}
    for r in rows:
        key = os.path.basename(r["source"].rstrip("/")) + "/" + r["location"]
        ours[r["thread"]].append(key)
        message_of[key] = r["message"]
    ref_groups = []
    with open(ref_path) as f:
        for line in f:
            t = json.loads(line)
            group = [m["path"] for m in t["messages"] if keep(m["path"])]
            if len(group) > 1:
                ref_groups.append(group)
    ref_files = {p for g in ref_groups for p in g}
    # Two files of one stored message (the same mail in two mailboxes) are not a conversation.
    ours_pairs = {p for p in pairs(ours.values()) if message_of[p[0]] != message_of[p[1]]}
    ref_pairs = pairs(ref_groups)
    ours_in_ref = {p for p in ours_pairs if p[0] in ref_files and p[1] in ref_files}

    def prf(pred, gold):
        tp = len(pred & gold)
        p = tp / len(pred) if pred else 0.0
        r = tp / len(gold) if gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    threads = [g for g in ours.values() if len(g) > 1]
    print(f"files: {len(rows)}; our threads with 2+ files: {len(threads)}; reference threads: {len(ref_groups)}")
    print(f"pairs: ours {len(ours_pairs)}, reference {len(ref_pairs)}, shared {len(ours_pairs & ref_pairs)}")
    p, r, f = prf(ours_pairs, ref_pairs)
    print(f"all files:              precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")
    p, r, f = prf(ours_in_ref, ref_pairs)
    print(f"files in the reference: precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")


if __name__ == "__main__":
    main()
