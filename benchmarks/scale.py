"""Scale benchmark of issue #5: a synthetic corpus of up to 100,000 abstracts.

    python benchmarks/scale.py [--sizes 1000 10000 100000] [--scifact ../shared/eval/scifact]

Abstracts are synthesised from real sentences of the SciFact corpus. Indexing runs through
the product's own pipeline (reader, chunker, Chroma store, BM25) in a child process, whose
peak memory is reported. To keep the run short, the embedding stage reuses real MiniLM
vectors (computed once for a pool of chunks) instead of embedding 200,000 chunks; its cost
per 1,000 abstracts is measured separately with the real model. Query latency is measured
with the real model, in a warm process, at each corpus size.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

POOL_TEXTS = 1500
REAL_EMBED_SAMPLE = 300


def sentences_from(scifact: Path) -> tuple[list[str], list[str]]:
    sentences, claims = [], []
    with (scifact / "corpus.jsonl").open() as handle:
        for line in handle:
            text = json.loads(line)["text"]
            sentences += [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text) if len(s) > 40]
    with (scifact / "queries.jsonl").open() as handle:
        claims = [json.loads(line)["text"] for line in handle]
    return sentences, claims


def synthesise(path: Path, start: int, count: int, sentences: list[str]) -> None:
    rng = random.Random(start)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(start, start + count):
            words = rng.choice(sentences).split()[: rng.randint(6, 12)]
            title = f"{' '.join(words).rstrip('.,;:')} (synthetic {i})"
            abstract = " ".join(rng.sample(sentences, rng.randint(5, 8)))
            handle.write(json.dumps({"id": f"s{i}", "title": title, "abstract": abstract}) + "\n")


class ReusedEmbedder:
    """Real MiniLM vectors of a pool of texts, handed out by a hash of each new text."""

    def __init__(self, pool: np.ndarray) -> None:
        from assistant.index.embeddings import LocalMiniLM

        self.model_id, self.dimension, self.pool = LocalMiniLM.model_id, 384, pool

    def embed(self, texts):
        picks = [int(hashlib.md5(t.encode()).hexdigest()[:8], 16) % len(self.pool) for t in texts]
        return self.pool[picks]


def index_child(data_dir: str, corpus: str, pool_file: str, out: str) -> None:
    from assistant.app import Assistant
    from assistant.config import Settings
    from assistant.index import embeddings

    pool = np.load(pool_file)
    embeddings.EMBEDDERS["local"] = lambda settings: ReusedEmbedder(pool)
    start = time.perf_counter()
    report = Assistant(Settings(data_dir=Path(data_dir))).index([Path(corpus)])
    seconds = dict(report.seconds, total=time.perf_counter() - start)
    Path(out).write_text(json.dumps({"added": report.added, "seconds": seconds}))


def disk_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def latency(data_dir: Path, claims: list[str]) -> tuple[float, float]:
    from assistant.app import Assistant
    from assistant.config import Settings

    assistant = Assistant(Settings(data_dir=data_dir))
    assistant.search("warm up the model and the store", k=10)
    times = []
    for claim in claims:
        start = time.perf_counter()
        assistant.search(claim, k=10)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * len(times)) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--scifact", type=Path, default=Path("../shared/eval/scifact"))
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--keep", type=Path, help="keep the data dir here")
    options = parser.parse_args()

    from assistant.index.chunking import Chunker
    from assistant.index.embeddings import LocalMiniLM

    sentences, claims = sentences_from(options.scifact)
    claims = claims[: options.queries]
    work = Path(tempfile.mkdtemp(prefix="assistant-scale-"))
    data_dir = options.keep or work / "data"
    results: dict = {"machine": f"{os.cpu_count()} cores", "sizes": {}}
    try:
        sample = work / "sample.jsonl"
        synthesise(sample, 10_000_000, max(POOL_TEXTS, REAL_EMBED_SAMPLE), sentences)
        from assistant.corpus import read_corpus

        papers = read_corpus([sample]).papers
        chunker = Chunker(200, 40)
        chunk_texts = [c.text for p in papers[:REAL_EMBED_SAMPLE] for c in chunker.chunks(p)]
        model = LocalMiniLM()
        start = time.perf_counter()
        model.embed(chunk_texts)
        results["embed_s_per_1000_real"] = (time.perf_counter() - start) * 1000 / REAL_EMBED_SAMPLE
        pool_texts = [c.text for p in papers[:POOL_TEXTS] for c in chunker.chunks(p)][:POOL_TEXTS]
        pool_file = work / "pool.npy"
        np.save(pool_file, model.embed(pool_texts))

        done = 0
        context = multiprocessing.get_context("spawn")
        for size in options.sizes:
            part = work / f"part-{size}.jsonl"
            synthesise(part, done, size - done, sentences)
            out = work / f"report-{size}.json"
            child = context.Process(
                target=index_child, args=(str(data_dir), str(part), str(pool_file), str(out))
            )
            child.start()
            child.join()
            if child.exitcode != 0:
                sys.exit(f"indexing {size} failed")
            report = json.loads(out.read_text())
            added = report["added"]
            per_1000 = {k: v * 1000 / added for k, v in report["seconds"].items()}
            p50, p95 = latency(data_dir, claims)
            results["sizes"][size] = {
                "added": added,
                "seconds_per_1000": per_1000,
                "query_p50_ms": p50,
                "query_p95_ms": p95,
                "disk_mb": disk_size(data_dir) / 1e6,
            }
            done = size
            print(json.dumps({size: results["sizes"][size]}), flush=True)
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        results["peak_index_memory_mb"] = peak_kb / 1024
    finally:
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)

    print(json.dumps(results, indent=2))
    print(f"\nPeak memory of an indexing process: {results['peak_index_memory_mb']:.0f} MB")
    print(f"Real embedding cost: {results['embed_s_per_1000_real']:.1f} s per 1,000 abstracts\n")
    stages = ["parse", "chunk", "embed", "store", "bm25", "total"]
    print("| abstracts | " + " | ".join(f"{s} s/1k" for s in stages)
          + " | query p50 ms | query p95 ms | disk MB |")  # fmt: skip
    print("|" + " --- |" * (len(stages) + 4))
    for size, row in results["sizes"].items():
        cells = [f"{row['seconds_per_1000'].get(s, 0):.2f}" for s in stages]
        tail = f"{row['query_p50_ms']:.1f} | {row['query_p95_ms']:.1f} | {row['disk_mb']:.0f}"
        print(f"| {size:,} (+{row['added']:,}) | " + " | ".join(cells) + f" | {tail} |")


if __name__ == "__main__":
    main()
