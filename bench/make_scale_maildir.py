#!/usr/bin/env python3
"""A large synthetic mailbox for scale tests: the messages of a maildir tree copied N times, each
copy re-addressed (every address at a domain moves to a per-copy subdomain, the Message-ID gets a
per-copy prefix), so no copy is a duplicate of another.

Usage: python3 bench/make_scale_maildir.py SOURCE_MAILDIR OUT_DIR TOTAL_MESSAGES
"""
import os
import re
import sys

src, out, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = []
for root, _, names in os.walk(src):
    for n in sorted(names):
        files.append(os.path.join(root, n))
files.sort()
messages = [open(p, "rb").read() for p in files]
address = re.compile(rb"@([A-Za-z0-9-]+)\.(com|net|org|edu)\b")
written = 0
copy = 0
while written < total:
    folder = os.path.join(out, f"copy{copy:03d}")
    os.makedirs(folder, exist_ok=True)
    for i, m in enumerate(messages):
        if written >= total:
            break
        head, sep, body = m.partition(b"\n\n")
        head = address.sub(lambda g: b"@c%d.%s.%s" % (copy, g.group(1), g.group(2)), head)
        head = head.replace(b"Message-ID: <", b"Message-ID: <c%d." % copy, 1)
        with open(os.path.join(folder, str(i)), "wb") as f:
            f.write(head + sep + body)
        written += 1
    copy += 1
print(f"{written} messages in {copy} copies under {out}")
