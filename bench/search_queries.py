#!/usr/bin/env python3
"""Search queries for `assistant bench-search`, drawn from the subjects of an Enron-style index.

Usage: python3 bench/search_queries.py MESSAGES_JSONL MAILBOX[,MAILBOX...] [N] > queries.txt
Each query is two or three words of a real subject, some with a filter, so latency is measured
on queries shaped like people's.
"""
import json
import random
import re
import sys

path, boxes = sys.argv[1], set(sys.argv[2].split(","))
n = int(sys.argv[3]) if len(sys.argv) > 3 else 200
random.seed(7)
subjects = []
for line in open(path):
    m = json.loads(line)
    if m["mailbox"] in boxes:
        words = [w for w in re.findall(r"[A-Za-z]{4,}", m["subject"]) if w.lower() not in {"fw", "re", "fwd"}]
        if len(words) >= 2:
            subjects.append((words, m["from"]))
random.shuffle(subjects)
for i, (words, sender) in enumerate(subjects[:n]):
    q = " ".join(words[: random.choice([2, 3])])
    if i % 4 == 1:
        q += " from:" + sender.split("@")[0].split(".")[0]
    elif i % 4 == 2:
        q += " after:2001-06-01"
    print(q)
