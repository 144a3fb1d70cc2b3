#!/usr/bin/env python3
"""Runs the bench prompts (exact token ids from `assistant bench --dump-prompts`) through llama.cpp.

Same file, same threads, greedy decoding, the same number of generated tokens; prints JSON with
the same fields `assistant bench --json` uses for each row, so bench/compare.py can divide them.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time


def spread(values):
    values = sorted(values)
    return {"median": statistics.median(values), "min": values[0], "max": values[-1]}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", required=True)
    ap.add_argument("--prompts", required=True, help="JSON from `assistant bench --dump-prompts`")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()

    from llama_cpp import Llama, llama_token_eos  # noqa: F401  (import cost not timed)

    prompts = json.load(open(args.prompts))["prompts"]
    n_ctx = max(len(p) for p in prompts) + args.max_tokens + 16
    t = time.perf_counter()
    llm = Llama(model_path=args.model, n_ctx=n_ctx, n_threads=args.threads, n_threads_batch=args.threads,
                n_batch=512, verbose=False)
    load_ms = (time.perf_counter() - t) * 1000
    eos = llm.token_eos()

    # Warm-up, as the Rust bench does.
    llm.reset()
    for i, tok in enumerate(llm.generate(prompts[0][:16], temp=0.0, top_k=1, reset=True)):
        if i >= 3:
            break

    rows = []
    for tokens in prompts:
        ttft, total, completion = [], [], []
        for _ in range(args.runs):
            llm.reset()
            start = time.perf_counter()
            first = None
            n = 0
            for tok in llm.generate(tokens, temp=0.0, top_k=1, top_p=1.0, min_p=0.0, repeat_penalty=1.0, reset=True):
                if first is None:
                    first = time.perf_counter()
                if tok == eos:
                    break
                n += 1
                if n >= args.max_tokens:
                    break
            end = time.perf_counter()
            ttft.append((first - start) * 1000)
            total.append((end - start) * 1000)
            completion.append(n)
        rows.append({
            "prompt_tokens": len(tokens),
            "completion_tokens": spread(completion),
            "ttft_ms": spread(ttft),
            "total_ms": spread(total),
        })
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    json.dump({
        "engine": "llama.cpp (llama-cpp-python %s)" % __import__("llama_cpp").__version__,
        "threads": args.threads,
        "load_ms_first": load_ms,
        "peak_rss_mb": peak_kb / 1024,
        "rows": rows,
    }, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
