#!/usr/bin/env python3
"""Prints mistral.rs (assistant bench --json) beside llama.cpp (llamacpp_bench.py) and the ratios.

Prefill and decode speeds are derived the same way for both engines from the per-length medians:
prefill = prompt tokens / time to first token; decode = (answer tokens - 1) / (total - time to first token).
"""
import json
import sys


def speeds(row):
    ttft = row["ttft_ms"]["median"] / 1000
    total = row["total_ms"]["median"] / 1000
    n = row["completion_tokens"]["median"]
    prefill = row["prompt_tokens"] / ttft if ttft > 0 else float("nan")
    decode = (n - 1) / (total - ttft) if n > 1 and total > ttft else float("nan")
    return prefill, decode, row["ttft_ms"]["median"], row["total_ms"]["median"], n


def main(ours_path, theirs_path):
    ours, theirs = json.load(open(ours_path)), json.load(open(theirs_path))
    print(f"A = {ours['engine']} | B = {theirs['engine']} | model {ours['model_id']} | "
          f"{ours['threads']} threads | {ours['runs']} runs, up to {ours['max_tokens']} tokens")
    print(f"load ms: A {ours['load_ms_warm']:.0f} (warm)  B {theirs['load_ms_first']:.0f} | "
          f"peak RSS MB: A {ours['peak_rss_mb']:.0f}  B {theirs['peak_rss_mb']:.0f}")
    head = ("prompt", "A prefill", "B prefill", "A/B", "A decode", "B decode", "A/B", "A ttft ms", "B ttft ms",
            "A total ms", "B total ms")
    print(" | ".join(f"{h:>10}" for h in head))
    for a, b in zip(ours["rows"], theirs["rows"]):
        pa, da, ta, tota, _ = speeds(a)
        pb, db, tb, totb, _ = speeds(b)
        cells = (a["prompt_tokens"], f"{pa:.1f}", f"{pb:.1f}", f"{pa / pb:.2f}", f"{da:.1f}", f"{db:.1f}",
                 f"{da / db:.2f}", f"{ta:.0f}", f"{tb:.0f}", f"{tota:.0f}", f"{totb:.0f}")
        print(" | ".join(f"{c:>10}" for c in cells))


if __name__ == "__main__":
    main(*sys.argv[1:3])
