#!/usr/bin/env python3
"""The local OpenAI-compatible API (`assistant serve`) measured against the same model used
directly: the same prompt answered N times by `assistant chat` (in-process engine) and by
`assistant chat --cloud` pointed at `assistant serve` on 127.0.0.1 (HTTP + SSE + our cloud
backend), side by side. Prints time to first token and decode speed (medians).

Usage: python3 bench/serve_overhead.py [--bin PATH] [--model GGUF] [--runs 5] [--max-tokens 64]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quality_common import DEFAULT_BIN, DEFAULT_MODEL, fresh_data_dir  # noqa: E402

PROMPT = "Write three sentences about a lighthouse keeper who collects old maps."
KEY = "bench-serve-key-0123456789abcdef"


def chat(bin_, extra, max_tokens):
    r = subprocess.run(bin_ + ["--json", "chat", "--max-tokens", str(max_tokens)] + extra + [PROMPT],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(r.stderr)
    return json.loads(r.stdout)["stats"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=DEFAULT_BIN)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--max-tokens", type=int, default=64)
    args = ap.parse_args()
    _, local = fresh_data_dir("serve-bench-", args.bin, args.model)
    server = subprocess.Popen(local + ["--json", "serve", "--port", "0"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True, env={**os.environ, "ASSISTANT_API_KEY": KEY})
    try:
        url = json.loads(server.stdout.readline())["url"]
        client = [args.bin, "--data-dir", tempfile.mkdtemp(prefix="serve-bench-client-")]
        r = subprocess.run(client + ["cloud", "set", "--url", url, "--model", "smollm2-135m-instruct-q4_1"],
                           capture_output=True, text=True, env={**os.environ, "ASSISTANT_CLOUD_API_KEY": KEY})
        if r.returncode != 0:
            sys.exit(r.stderr)
        rows = {"in-process engine (`chat`)": [], "through `serve` (`chat --cloud`)": []}
        # One warm-up each (the server loads the model on its first request).
        chat(local, [], args.max_tokens)
        chat(client, ["--cloud"], args.max_tokens)
        for _ in range(args.runs):
            rows["in-process engine (`chat`)"].append(chat(local, [], args.max_tokens))
            rows["through `serve` (`chat --cloud`)"].append(chat(client, ["--cloud"], args.max_tokens))
        print(f"| path ({args.runs} runs, {args.max_tokens} tokens) | first token, median ms | decode, median tok/s | answer tokens |")
        print("|---|---|---|---|")
        for name, stats in rows.items():
            ttft = statistics.median(s["ttft_ms"] for s in stats)
            decode = statistics.median(s["decode_tokens_per_sec"] for s in stats)
            tokens = statistics.median(s["completion_tokens"] for s in stats)
            print(f"| {name} | {ttft:.0f} | {decode:.1f} | {tokens:.0f} |")
        print("\nEach `chat` is a new process that loads the model before its request; first token"
              " counts from the request (for `--cloud`: HTTP, the server's queue, prefill, SSE).")
    finally:
        server.kill()
        server.wait()


if __name__ == "__main__":
    main()
