#!/usr/bin/env python3
"""Retrieval quality on a BEIR-format collection (SciFact): nDCG@10 and recall@100 for BM25,
dense and hybrid search, through the real `assistant` binary and its own store and index.

Usage: python3 bench/scifact.py SCIFACT_DIR --split train|test [--data-dir DIR] [--assistant BIN]

The collection's documents become a folder of Markdown notes (`<id>.md`: title heading, then the
abstract), ingested and embedded once into DIR (kept between runs); each split's queries then run
in one process per mode (`assistant bench-search --results`). Tune on train, report test.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return out.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("collection")
    ap.add_argument("--split", default="train")
    ap.add_argument("--data-dir", default=os.path.join(tempfile.gettempdir(), "assistant-scifact"))
    ap.add_argument("--assistant", default=os.path.join(HERE, "..", "target", "debug", "assistant"))
    ap.add_argument("--modes", default="bm25,dense,hybrid")
    args = ap.parse_args()
    bin_ = [args.assistant, "--data-dir", args.data_dir]

    if not os.path.exists(os.path.join(args.data_dir, "assistant.sqlite3")):
        notes = os.path.join(args.data_dir, "collection")
        os.makedirs(notes, exist_ok=True)
        with open(os.path.join(args.collection, "corpus.jsonl")) as f:
            for line in f:
                d = json.loads(line)
                with open(os.path.join(notes, d["_id"] + ".md"), "w") as out:
                    out.write(f"# {d['title'].strip()}\n\n{d['text'].strip()}\n")
        print("ingest:", run(bin_ + ["ingest", "notes", notes]).strip(), file=sys.stderr)
        model = run(["bash", os.path.join(HERE, "..", "scripts", "fetch-embedding-model.sh")]).strip()
        print("embed:", run(bin_ + ["embed", "--model", model]).strip(), file=sys.stderr)
    else:
        # Finishes an embedding run that was interrupted (a no-op when all passages have vectors).
        print("embed:", run(bin_ + ["embed"]).strip(), file=sys.stderr)

    qrels = {}
    with open(os.path.join(args.collection, "qrels", args.split + ".tsv")) as f:
        next(f)
        for line in f:
            q, d, score = line.split()
            if int(score) > 0:
                qrels.setdefault(q, set()).add(d)
    texts = {}
    with open(os.path.join(args.collection, "queries.jsonl")) as f:
        for line in f:
            q = json.loads(line)
            texts[q["_id"]] = q["text"]
    ids = [q for q in qrels if q in texts]
    # The words of the question only: quotes and colons would read as search syntax.
    queries = [texts[q].replace('"', " ").replace(":", " ").replace("\n", " ") for q in ids]
    qfile = os.path.join(args.data_dir, f"queries-{args.split}.txt")
    with open(qfile, "w") as f:
        f.write("\n".join(queries) + "\n")

    print(f"{args.split}: {len(ids)} queries")
    print(f"{'mode':<8} {'nDCG@10':>8} {'recall@100':>11} {'p50 ms':>7} {'p95 ms':>7}")
    for mode in args.modes.split(","):
        results = os.path.join(args.data_dir, f"results-{args.split}-{mode}.jsonl")
        timing = json.loads(run(bin_ + ["--json", "bench-search", qfile, "--rounds", "1", "--limit", "100",
                                        "--mode", mode, "--results", results]))
        ndcg = recall = 0.0
        with open(results) as f:
            rows = [json.loads(line) for line in f]
        for qid, row in zip(ids, rows):
            ranked = [os.path.splitext(os.path.basename(b))[0] for b in row["bylines"]]
            rel = qrels[qid]
            dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ranked[:10]) if d in rel)
            idcg = sum(1 / math.log2(i + 2) for i in range(min(len(rel), 10)))
            ndcg += dcg / idcg
            recall += len(rel & set(ranked[:100])) / len(rel)
        n = len(ids)
        print(f"{mode:<8} {ndcg / n:>8.3f} {recall / n:>11.3f} {timing['p50_ms']:>7.1f} {timing['p95_ms']:>7.1f}")


if __name__ == "__main__":
    main()
