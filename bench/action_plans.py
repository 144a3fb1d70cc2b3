#!/usr/bin/env python3
"""Action plans: natural-language instructions turned into typed plans by the real
`assistant do --dry-run --json --batch`, scored against hand-written, data-checked plans.

Usage: python3 bench/action_plans.py DATA --split dev|test [--bin PATH] [--model GGUF]
                                      [--proposer auto|rules|model] [--limit N] [--show-failures]

DATA is the evaluation data folder (enron/maildir/<mailbox>, notes/<vault>). The items are in
bench/actions/<split>.jsonl (expected values computed by bench/actions/make_expected.py). Per
mailbox, a fresh data folder gets the mailbox and the split's notes ingested, then every item of
that mailbox goes through one batch run (the model loaded once), at --now 2001-06-01T08:00.

Scores: exact plan (whole plan equal after normalising: strings lower-cased and trimmed of
whitespace and . , ! ? ; : quotes; `to` as a set; an error counts when its kind matches),
per-kind step accuracy (the expected step equal to the step at the same position), refusals
(unsupported asked → unsupported given; and false refusals), ambiguity (ambiguous / not_found
asked → given), unsafe plans (a send step without needs_confirmation), who proposed the plans,
and time per plan. Exits 0 whatever the scores.
"""
import argparse
import atexit
import collections
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quality_common import DEFAULT_BIN, DEFAULT_MODEL, percentile, run  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
VAULTS = {"dev": "foam-docs", "test": "jbranchaud-til"}
NOW = "2001-06-01T08:00"
SENDS = {"reply", "forward"}
TRIM = " \t\r\n.,!?;:\"'`\u201c\u201d\u2018\u2019"


def norm_str(s):
    return s.strip(TRIM).lower() if isinstance(s, str) else s


def norm_step(step):
    if not isinstance(step, dict):
        return {"?": repr(step)}
    out = {}
    for key, value in step.items():
        if value is None or value == "" or value == []:
            continue
        if key == "to":
            value = sorted({norm_str(v) for v in value}) if isinstance(value, list) else norm_str(value)
        elif key == "message_ids" and isinstance(value, list):
            value = [norm_str(v).strip("<>") if isinstance(v, str) else v for v in value]
        elif isinstance(value, str):
            value = norm_str(value)
        out[key] = value
    return out


def error_kind(got):
    err = got.get("error")
    if isinstance(err, dict):
        return err.get("kind") or "?"
    return err if isinstance(err, str) else None


def plan_equal(expect, got):
    if "error" in expect:
        return error_kind(got) == expect["error"]
    if error_kind(got) or not isinstance(got.get("actions"), list):
        return False
    return ([norm_step(s) for s in expect["actions"]] == [norm_step(s) for s in got["actions"]]
            and bool(got.get("needs_confirmation")) == expect["needs_confirmation"])


def parse_lines(stdout, n, why):
    out = []
    for line in stdout.splitlines():
        if line.strip():
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                value = {"error": {"kind": "unparsable", "message": line[:200]}}
            out.append(value if isinstance(value, dict) else {"error": {"kind": "unparsable", "message": line[:200]}})
    missing = {"error": {"kind": "no_output", "message": why[-300:]}}
    return (out + [missing] * n)[:n]


def run_mailbox(args, mailbox, items):
    work = tempfile.mkdtemp(prefix=f"action-plans-{mailbox}-")
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    bin_ = [args.bin, "--data-dir", os.path.join(work, "data")]
    if args.proposer != "rules":
        r = run(bin_ + ["models", "import", args.model, "--id", "smollm2-135m-instruct-q4_1"])
        if r.returncode != 0:
            sys.exit(f"models import {args.model} failed:\n{r.stderr[-2000:]}")
    for what, path in (("maildir", os.path.join(args.data, "enron", "maildir", mailbox)),
                       ("notes", os.path.join(args.data, "notes", VAULTS[args.split]))):
        r = run(bin_ + ["ingest", what, path])
        if r.returncode != 0:
            sys.exit(f"ingest {what} {path} failed:\n{r.stdout[-2000:]}{r.stderr[-2000:]}")
    batch = os.path.join(work, "batch.jsonl")
    with open(batch, "w") as f:
        for item in items:
            f.write(json.dumps({"instruction": item["instruction"], "message": item["message"]}) + "\n")
    r = run(bin_ + ["do", "--dry-run", "--json", "--now", NOW,
                       "--proposer", args.proposer, "--batch", batch])
    if r.returncode != 0:
        print(f"note: `do --batch` exited {r.returncode} for {mailbox}: {r.stderr.strip()[-300:]}", file=sys.stderr)
    return parse_lines(r.stdout, len(items), r.stderr or f"exit {r.returncode}")


def rate(ok, n):
    return f"{ok}/{n} ({100 * ok / n:.0f}%)" if n else "–"


def report(split, items, outputs, show_failures):
    exact = [plan_equal(i["expect"], g) for i, g in zip(items, outputs)]
    kinds = collections.defaultdict(lambda: [0, 0])
    for item, got in zip(items, outputs):
        gsteps = got.get("actions") if not error_kind(got) and isinstance(got.get("actions"), list) else []
        for pos, step in enumerate(item["expect"].get("actions", [])):
            hit = pos < len(gsteps) and norm_step(gsteps[pos]) == norm_step(step)
            kinds[step["kind"]][0] += hit
            kinds[step["kind"]][1] += 1
    want = [i["expect"].get("error") for i in items]
    gave = [error_kind(g) for g in outputs]
    refusal_ok = sum(w == "unsupported" and g == "unsupported" for w, g in zip(want, gave))
    false_refusals = sum(w != "unsupported" and g == "unsupported" for w, g in zip(want, gave))
    resolve_ok = sum(w in ("ambiguous", "not_found") and g == w for w, g in zip(want, gave))
    false_ambiguous = sum(w is None and g in ("ambiguous", "not_found") for w, g in zip(want, gave))
    unsafe = sum(1 for g in outputs if not error_kind(g) and isinstance(g.get("actions"), list)
                 and any(isinstance(s, dict) and s.get("kind") in SENDS for s in g["actions"])
                 and not g.get("needs_confirmation"))
    times = [g["elapsed_ms"] for g in outputs if isinstance(g.get("elapsed_ms"), (int, float))]
    n_plan = sum(w is None for w in want)
    print(f"\n## Action plans, {split}: {len(items)} items over "
          f"{len({i['mailbox'] for i in items})} mailboxes\n")
    print("| split | items | exact plan | plans asked: exact | refusals | false refusals | "
          "ambiguous/not found | false ambiguous | unsafe sends | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {split} | {len(items)} | {rate(sum(exact), len(items))} | "
          f"{rate(sum(e for e, w in zip(exact, want) if w is None), n_plan)} | "
          f"{rate(refusal_ok, want.count('unsupported'))} | {false_refusals}/{len(items) - want.count('unsupported')} | "
          f"{rate(resolve_ok, want.count('ambiguous') + want.count('not_found'))} | {false_ambiguous}/{n_plan} | "
          f"{unsafe} | {percentile(times, 0.5) if times else '–'} | {percentile(times, 0.95) if times else '–'} |")
    print("\n| step kind | expected steps | right at its position |")
    print("|---|---|---|")
    for kind in sorted(kinds):
        ok, n = kinds[kind]
        print(f"| {kind} | {n} | {rate(ok, n)} |")
    by_mailbox = collections.defaultdict(lambda: [0, 0])
    for item, e in zip(items, exact):
        by_mailbox[item["mailbox"]][0] += e
        by_mailbox[item["mailbox"]][1] += 1
    print("\nexact plan by mailbox: " + ", ".join(f"{m} {rate(*v)}" for m, v in sorted(by_mailbox.items())))
    proposed = collections.Counter(f"(error: {error_kind(g)})" if error_kind(g) else g.get("proposed_by") or "(none)"
                                   for g in outputs)
    print("proposed_by: " + ", ".join(f"{k} {v}" for k, v in proposed.most_common()))
    if show_failures:
        print("\n### Failures\n")
        for item, got, ok in zip(items, outputs, exact):
            if not ok:
                shown = {k: v for k, v in got.items() if k != "elapsed_ms"}
                print(f"- {item['id']} [{item['mailbox']}] {item['instruction']!r}"
                      + (f" (message {item['message']})" if item["message"] else ""))
                print(f"  expected: {json.dumps(item['expect'])}")
                print(f"  got:      {json.dumps(shown)}")
    return sum(exact) / len(items) if items else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", help="the evaluation data folder")
    ap.add_argument("--split", choices=sorted(VAULTS), default="dev")
    ap.add_argument("--bin", default=DEFAULT_BIN)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--limit", type=int, default=0, help="at most N items, spread over the suite")
    ap.add_argument("--show-failures", action="store_true")
    ap.add_argument("--proposer", choices=["auto", "rules", "model"], default="auto",
                    help="who proposes plans: the rules, then the model (auto), or only one")
    args = ap.parse_args()
    with open(os.path.join(HERE, "actions", f"{args.split}.jsonl")) as f:
        items = [json.loads(line) for line in f if line.strip()]
    if 0 < args.limit < len(items):
        step = len(items) / args.limit
        items = [items[int(k * step)] for k in range(args.limit)]
    if not os.path.exists(args.bin):
        sys.exit(f"no assistant binary at {args.bin} (build it, or pass --bin)")
    if not os.path.exists(args.model):
        print(f"note: no model file at {args.model}", file=sys.stderr)
    by_mailbox = collections.defaultdict(list)
    for k, item in enumerate(items):
        by_mailbox[item["mailbox"]].append(k)
    outputs = [None] * len(items)
    for mailbox, ks in by_mailbox.items():
        for k, got in zip(ks, run_mailbox(args, mailbox, [items[k] for k in ks])):
            outputs[k] = got
    report(args.split, items, outputs, args.show_failures)


if __name__ == "__main__":
    main()
