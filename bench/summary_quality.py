#!/usr/bin/env python3
"""Summary quality, through the real `assistant summarize` on the default model.

  python3 bench/summary_quality.py aeslc FILE.jsonl [--limit N]
      One-line summaries (the gist) of AESLC emails against the three human annotations
      (ROUGE-1/2/L F1, mean over annotations), beside two baselines: the body's lead sentence and
      the subject line the author wrote. The messages are ingested without their subject, so the
      gist cannot copy it.
  python3 bench/summary_quality.py bc3 DIR [--limit N]
      Thread summaries (gist and points) of the BC3 threads against the human summaries, beside a
      lead baseline (the first sentence of each message's new text).

Both print the fact checker's firing rate: the share of summaries where it removed or marked
something, and the unsupported facts among all facts checked. Tune on dev, report test.
"""
import argparse
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from email.message import EmailMessage
from email.utils import format_datetime, parsedate_to_datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quality_common import (DEFAULT_BIN, DEFAULT_MODEL, fresh_data_dir, json_lines, mean,  # noqa: E402
                            percentile, rouge_all, run)

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
GREETING = re.compile(r"^(hi|hello|dear|hey|good (morning|afternoon))\b[^,.!\n]{0,40}[,.!:]?\s*", re.I)


def lead_sentence(text):
    text = GREETING.sub("", text.strip())
    first = SENTENCE_END.split(text.replace("\n", " ").strip(), maxsplit=1)[0]
    return first[:300]


def write_eml(path, sender, subject, body, message_id, date=None, refs=None, to=None):
    m = EmailMessage()
    m["From"] = sender
    m["To"] = to or "Reader <reader@example.org>"
    if subject is not None:
        m["Subject"] = subject
    m["Message-ID"] = f"<{message_id}>"
    if date is not None:
        m["Date"] = date
    if refs:
        m["In-Reply-To"] = f"<{refs[-1]}>"
        m["References"] = " ".join(f"<{r}>" for r in refs)
    m.set_content(body)
    with open(path, "wb") as f:
        f.write(bytes(m))


SAVE = []


def summarize(bin_, args_list):
    r = run(bin_ + ["--json", "summarize"] + args_list)
    if r.returncode != 0:
        sys.exit(f"{r.stdout}{r.stderr}")
    out = json_lines(r.stdout)
    SAVE.extend(out)
    return out


def report_checker(summaries):
    fired = sum(1 for s in summaries if s["check"]["unsupported"])
    facts = sum(s["check"]["facts_checked"] for s in summaries)
    bad = sum(len(s["check"]["unsupported"]) for s in summaries)
    removed = sum(len(s["check"]["points_removed"]) for s in summaries)
    flagged = sum(1 for s in summaries if s["check"]["gist_flagged"])
    kinds = {}
    for s in summaries:
        for f in s["check"]["unsupported"]:
            kinds[f["kind"]] = kinds.get(f["kind"], 0) + 1
    print(f"fact checker: fired on {fired}/{len(summaries)} summaries; unsupported {bad} of "
          f"{facts} facts checked {dict(sorted(kinds.items()))}; points removed {removed}, gists flagged {flagged}")


def row(name, scores):
    r1, r2, rl = (mean(s[i] for s in scores) for i in range(3))
    print(f"| {name:<28} | {r1:.3f} | {r2:.3f} | {rl:.3f} |")


def aeslc(args):
    with open(args.file) as f:
        items = [json.loads(line) for line in f]
    # The same notice sent twice is one message in the store (the duplicate check): keep the first.
    seen = set()
    items = [it for it in items if not (it["body"] in seen or seen.add(it["body"]))][: args.limit]
    work, bin_ = fresh_data_dir("summary-aeslc-", args.assistant, args.model)
    files = []
    for i, it in enumerate(items):
        path = os.path.join(work, f"{i:05d}.eml")
        write_eml(path, "someone@enron.example", None, it["body"], f"aeslc-{i}@summary.example")
        files.append(path)
    r = run(bin_ + ["ingest", "eml"] + files)
    if r.returncode != 0:
        sys.exit(r.stderr)
    out = summarize(bin_, [f"aeslc-{i}@summary.example" for i in range(len(items))])
    model, lead, subject = [], [], []
    for it, s in zip(items, out):
        refs = [it["ann0"], it["ann1"], it["ann2"]]
        model.append(rouge_all(s["gist"], refs))
        lead.append(rouge_all(lead_sentence(it["body"]), refs))
        subject.append(rouge_all(it["subject"], refs))
    times = [s["elapsed_ms"] for s in out]
    print(f"AESLC {os.path.basename(args.file)}: {len(items)} emails")
    print("| one-line summary             | R-1   | R-2   | R-L   |")
    print("|---|---|---|---|")
    row("model gist", model)
    row("lead sentence", lead)
    row("author's subject line", subject)
    print(f"gist length: {mean(len(s['gist'].split()) for s in out):.1f} words "
          f"(annotations {mean(len(it['ann0'].split()) for it in items):.1f})")
    print(f"time per summary: p50 {percentile(times, 0.5)} ms, p95 {percentile(times, 0.95)} ms")
    report_checker(out)
    print(f"gist from: { {k: sum(1 for s in out if s['gist_from'] == k) for k in sorted(set(s['gist_from'] for s in out))} }")


def bc3(args):
    corpus = ET.parse(os.path.join(args.dir, "corpus.xml")).getroot()
    notes = ET.parse(os.path.join(args.dir, "annotation.xml")).getroot()
    human = {}
    for t in notes.findall("thread"):
        human[t.findtext("listno").strip()] = [
            " ".join((s.text or "").strip() for s in a.find("summary").findall("sent"))
            for a in t.findall("annotation")
        ]
    threads = [t for t in corpus.findall("thread") if t.findtext("listno").strip() in human][: args.limit]
    work, bin_ = fresh_data_dir("summary-bc3-", args.assistant, args.model)
    maildir = os.path.join(work, "bc3")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub))
    firsts, leads = [], []
    for ti, t in enumerate(threads):
        ids = []
        lead = []
        for di, doc in enumerate(t.findall("DOC")):
            sents = [(s.text or "").strip() for s in doc.find("Text").findall("Sent")]
            body = "\n".join(sents)
            mid = f"bc3-{ti}-{di}@summary.example"
            try:
                date = format_datetime(parsedate_to_datetime(doc.findtext("Received").strip()))
            except (TypeError, ValueError):
                date = None
            sender = (doc.findtext("From") or "unknown@example.org").strip()
            write_eml(os.path.join(maildir, "cur", f"{ti:03d}{di:03d}.eml:2,S"), sender,
                      (doc.findtext("Subject") or t.findtext("name")).strip(), body, mid, date,
                      refs=list(ids), to=(doc.findtext("To") or "").strip() or None)
            ids.append(mid)
            new = [s for s in sents if s and not s.startswith(">")]
            if new:
                lead.append(new[0])
        firsts.append(ids[0])
        leads.append(" ".join(lead))
    r = run(bin_ + ["ingest", "maildir", maildir])
    if r.returncode != 0:
        sys.exit(r.stderr)
    out = []
    for mid in firsts:
        out.extend(summarize(bin_, ["--thread", mid]))
    model, lead = [], []
    for t, s, l in zip(threads, out, leads):
        refs = human[t.findtext("listno").strip()]
        text = " ".join([s["gist"]] + s["points"])
        model.append(rouge_all(text, refs))
        lead.append(rouge_all(l, refs))
    times = [s["elapsed_ms"] for s in out]
    print(f"BC3: {len(threads)} threads, {sum(len(t.findall('DOC')) for t in threads)} messages")
    print("| thread summary               | R-1   | R-2   | R-L   |")
    print("|---|---|---|---|")
    row("model (gist + points)", model)
    row("lead (first new sentence each)", lead)
    print(f"summary length: {mean(len((s['gist'] + ' ' + ' '.join(s['points'])).split()) for s in out):.0f} words "
          f"(human {mean(len(h.split()) for t in threads for h in human[t.findtext('listno').strip()]):.0f}); "
          f"stages per thread {mean(s['stages'] for s in out):.1f}")
    print(f"time per summary: p50 {percentile(times, 0.5)} ms, p95 {percentile(times, 0.95)} ms")
    report_checker(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("set", choices=["aeslc", "bc3"])
    ap.add_argument("path")
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--assistant", default=DEFAULT_BIN)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--save", help="write every summary (JSON lines) to this file")
    args = ap.parse_args()
    if args.set == "aeslc":
        args.file = args.path
        aeslc(args)
    else:
        args.dir = args.path
        bc3(args)
    if args.save:
        with open(args.save, "w") as f:
            f.writelines(json.dumps(s) + "\n" for s in SAVE)


if __name__ == "__main__":
    main()
