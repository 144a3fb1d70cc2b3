"""Shared parts of the quality harnesses: word-level ROUGE, a fresh data folder with the default
model, and running the real `assistant` command line."""
import atexit
import os
import shutil
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_BIN = os.path.join(HERE, "..", "target", "debug", "assistant")
DEFAULT_MODEL = os.path.join(HERE, "..", "target", "models", "SmolLM2-135M-Instruct.Q4_1.gguf")


def words(s):
    return re.findall(r"[a-z0-9']+", s.lower())


def _f1(overlap, a, b):
    if overlap == 0 or a == 0 or b == 0:
        return 0.0
    p, r = overlap / a, overlap / b
    return 2 * p * r / (p + r)


def rouge_n(candidate, reference, n):
    """ROUGE-N F1 on lower-cased words (no stemming, no stop-word removal)."""
    def grams(ws):
        out = {}
        for i in range(len(ws) - n + 1):
            g = tuple(ws[i:i + n])
            out[g] = out.get(g, 0) + 1
        return out
    a, b = grams(words(candidate)), grams(words(reference))
    overlap = sum(min(c, b.get(g, 0)) for g, c in a.items())
    return _f1(overlap, sum(a.values()), sum(b.values()))


def rouge_l(candidate, reference):
    a, b = words(candidate), words(reference)
    if not a or not b:
        return 0.0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return _f1(prev[-1], len(a), len(b))


def rouge_all(candidate, references):
    """(R-1, R-2, R-L) F1, each the mean over the references."""
    k = len(references)
    return (
        sum(rouge_n(candidate, r, 1) for r in references) / k,
        sum(rouge_n(candidate, r, 2) for r in references) / k,
        sum(rouge_l(candidate, r) for r in references) / k,
    )


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def fresh_data_dir(prefix, assistant, model):
    """A new data folder with the model imported; returns (work dir, command prefix)."""
    work = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    data = os.path.join(work, "data")
    bin_ = [assistant, "--data-dir", data]
    r = run(bin_ + ["models", "import", model, "--id", "smollm2-135m-instruct-q4_1"])
    if r.returncode != 0:
        sys.exit(r.stderr)
    return work, bin_


def json_lines(stdout):
    """One JSON value per line, or one pretty-printed value (what a single item prints)."""
    import json
    try:
        return [json.loads(stdout)]
    except json.JSONDecodeError:
        return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def mean(xs):
    xs = list(xs)
    return sum(xs) / len(xs) if xs else 0.0


def percentile(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))] if xs else 0
