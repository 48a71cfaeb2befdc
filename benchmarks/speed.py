"""Speed benchmarks of issue #2, on the bundled seeds.

    python benchmarks/speed.py [--runs 5]

Measures, each as a whole `assistant` process where the target says so:
indexing the seeds from scratch (model load included), re-indexing with nothing changed,
embedding throughput, `assistant ask --json` on an existing index, and the retrieval
latency of one query inside a warm process (p50/p95). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = str(Path(sys.executable).parent / "assistant")
QUESTIONS = [
    "which papers study over-refusal?",
    "Which papers study reward models for RLHF?",
    "How can large language models be made more resistant to persuasion?",
    "creative problem solving and the Einstellung effect",
    "What is the capital of Australia?",
]


def timed(*args: str, data_dir: Path) -> float:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir)}
    start = time.perf_counter()
    subprocess.run([SCRIPT, *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def machine() -> str:
    cpu = platform.processor() or "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    results: dict[str, object] = {"machine": machine()}
    work = Path(tempfile.mkdtemp(prefix="assistant-bench-"))
    try:
        scratch = []
        for run in range(options.runs):
            data_dir = work / f"scratch{run}"
            scratch.append(timed("index", data_dir=data_dir))
        results["index_from_scratch_s"] = statistics.median(scratch)
        data_dir = work / "scratch0"
        results["reindex_unchanged_s"] = statistics.median(
            timed("index", data_dir=data_dir) for _ in range(options.runs)
        )
        asks = [timed("ask", "--json", q, data_dir=data_dir) for q in QUESTIONS]
        results["ask_json_process_s_median"] = statistics.median(asks)
        results["ask_json_process_s_max"] = max(asks)

        from assistant.app import Assistant
        from assistant.config import Settings
        from assistant.corpus import bundled_seeds, read_corpus
        from assistant.index.embeddings import LocalMiniLM

        texts = [f"{p.title}\n{p.abstract}" for p in read_corpus([bundled_seeds()]).papers]
        model = LocalMiniLM()
        model.embed(texts[:4])
        start = time.perf_counter()
        model.embed(texts)
        results["embed_abstracts_per_s"] = len(texts) / (time.perf_counter() - start)

        assistant = Assistant(Settings(data_dir=data_dir))
        assistant.search("warm up")
        latencies = []
        for _ in range(20):
            for question in QUESTIONS:
                start = time.perf_counter()
                assistant.search(question, k=10)
                latencies.append((time.perf_counter() - start) * 1000)
        latencies.sort()
        results["retrieval_p50_ms"] = statistics.median(latencies)
        results["retrieval_p95_ms"] = latencies[int(0.95 * len(latencies)) - 1]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(json.dumps(results, indent=2))
    rows = [
        ("index seeds from scratch (process, model load incl.)", "index_from_scratch_s", "<= 15 s"),
        ("re-index, nothing changed (process)", "reindex_unchanged_s", "<= 2 s"),
        ("embedding throughput", "embed_abstracts_per_s", ">= 15 abstracts/s"),
        ("`ask --json` on existing index (process, median)", "ask_json_process_s_median", "<= 3 s"),
        ("`ask --json` on existing index (process, max)", "ask_json_process_s_max", "<= 3 s"),
        ("retrieval, warm process, p50", "retrieval_p50_ms", "<= 30 ms"),
        ("retrieval, warm process, p95", "retrieval_p95_ms", ""),
    ]
    print(f"\nMachine: {results['machine']}\n")
    print("| measure | result | target |\n| --- | --- | --- |")
    for label, key, target in rows:
        print(f"| {label} | {results[key]:.2f} | {target} |")


if __name__ == "__main__":
    main()
