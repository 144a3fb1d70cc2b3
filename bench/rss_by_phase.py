#!/usr/bin/env python3
"""Peak resident memory of `assistant bench` per phase: polls the process's VmRSS every 3 ms and
files each reading under the progress line the bench last printed (which prompt length and run),
so the peak can be placed. Linux only (/proc).

Usage: python3 bench/rss_by_phase.py [--assistant BIN] [--data-dir DIR] [-- BENCH ARGS...]
       (bench arguments default to `--runs 3`)
"""
import argparse
import os
import subprocess
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--assistant", default=os.path.join(HERE, "..", "target", "debug", "assistant"))
    ap.add_argument("--data-dir", help="data folder with the model (default: ASSISTANT_HOME or the platform's)")
    ap.add_argument("bench_args", nargs="*", default=["--runs", "3"])
    a = ap.parse_args()
    env = dict(os.environ)
    env.pop("RUST_BACKTRACE", None)  # backtraces cost memory on load (see PERFORMANCE.md)
    if a.data_dir:
        env["ASSISTANT_HOME"] = a.data_dir
    if not os.access(a.assistant, os.X_OK):
        raise SystemExit(f"{a.assistant}: no assistant binary there (build it, or pass --assistant)")
    p = subprocess.Popen([a.assistant, "bench", *a.bench_args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    phase = ["loading"]
    order = []

    def follow_progress():
        for line in p.stderr:
            phase[0] = line.strip()[:60]

    threading.Thread(target=follow_progress, daemon=True).start()
    peaks = {}
    while p.poll() is None:
        try:
            with open(f"/proc/{p.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        mb = int(line.split()[1]) // 1024
                        if phase[0] not in peaks:
                            order.append(phase[0])
                        peaks[phase[0]] = max(peaks.get(phase[0], 0), mb)
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.003)
    summary = [l for l in p.stdout.read().splitlines() if "peak" in l]
    if p.returncode:
        raise SystemExit(f"assistant bench failed with status {p.returncode}")
    for name in order:
        print(f"{peaks[name]:5d} MB  {name}")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
