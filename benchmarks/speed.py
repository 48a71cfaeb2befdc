"""Speed benchmarks of issues #2 and #14, on the bundled seeds.

    python benchmarks/speed.py [--runs 5] [--beir FOLDER]

Measures, each as a whole `assistant` process where the target says so:
indexing the seeds from scratch (model load included), re-indexing with nothing changed,
embedding throughput, `assistant ask --json` on an existing index, and the retrieval
latency of one query inside a warm process (p50/p95). Then the local model's throughput
on each installed runtime, side by side in this one run (best of two passes over the
seeds' abstracts, or over the first 400 documents of a BEIR folder with --beir), with the
CPU and its vector extensions. Prints markdown tables.
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
    from assistant.index.runtimes import cpu_name, usable_cores

    return f"{usable_cores()} cores, {cpu_name()}, Python {platform.python_version()}"


CPU_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_int8", "amx_bf16", "avx_vnni")


def cpu_flags() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "unknown"
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines()
                  if line.startswith("flags")), [])  # fmt: skip
    return " ".join(f for f in CPU_FLAGS if f in flags) or "none of " + ", ".join(CPU_FLAGS)


def runtime_throughput(texts: list[str]) -> dict[str, tuple[float, float]]:
    """Abstracts/s (best of two passes) and mean cosine to onnxruntime's vectors, for each
    runtime that loads here."""
    from assistant.index.embeddings import LocalMiniLM

    results, reference = {}, None
    for runtime in ("onnxruntime", "openvino"):
        try:
            model = LocalMiniLM(runtime)
        except Exception as error:  # not installed here: say so in the table
            print(f"{runtime}: not available ({type(error).__name__})", file=sys.stderr)
            continue
        model.embed(texts[:16])
        passes = []
        for _ in range(2):
            start = time.perf_counter()
            vectors = model.embed(texts)
            passes.append(time.perf_counter() - start)
        reference = vectors if reference is None else reference
        results[runtime] = (len(texts) / min(passes), float((vectors * reference).sum(1).mean()))
    return results


def beir_texts(folder: Path, n: int = 400) -> list[str]:
    texts = []
    with (folder / "corpus.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            texts.append(f"{record.get('title', '')}\n{record.get('text', '')}")
            if len(texts) == n:
                break
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--beir", type=Path, help="a BEIR folder: runtimes on its first 400")
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
        model = LocalMiniLM("auto", data_dir)
        model.embed(texts[:4])
        start = time.perf_counter()
        model.embed(texts)
        results["embed_abstracts_per_s"] = len(texts) / (time.perf_counter() - start)
        results["auto_runtime"] = model.runtime

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
    print(f"auto chose: {results['auto_runtime']}")
    rows = [
        ("index seeds from scratch (process, model load incl.)", "index_from_scratch_s", "<= 15 s"),
        ("re-index, nothing changed (process)", "reindex_unchanged_s", "<= 2 s"),
        (
            "embedding throughput (the runtime `auto` chose)",
            "embed_abstracts_per_s",
            ">= 15 abstracts/s",
        ),
        ("`ask --json` on existing index (process, median)", "ask_json_process_s_median", "<= 3 s"),
        ("`ask --json` on existing index (process, max)", "ask_json_process_s_max", "<= 3 s"),
        ("retrieval, warm process, p50", "retrieval_p50_ms", "<= 30 ms"),
        ("retrieval, warm process, p95", "retrieval_p95_ms", ""),
    ]
    print(f"\nMachine: {results['machine']}\n")
    print("| measure | result | target |\n| --- | --- | --- |")
    for label, key, target in rows:
        print(f"| {label} | {results[key]:.2f} | {target} |")

    from assistant.corpus import bundled_seeds, read_corpus

    if options.beir:
        texts, sample = beir_texts(options.beir), f"first 400 documents of {options.beir.name}"
    else:
        texts = [f"{p.title}\n{p.abstract}" for p in read_corpus([bundled_seeds()]).papers]
        sample = f"the {len(texts)} seed abstracts"
    rates = runtime_throughput(texts)
    print(f"\nLocal model by runtime, {sample}; CPU flags: {cpu_flags()}\n")
    print("| runtime | abstracts/s (best of 2) | vs onnxruntime | mean cosine to onnxruntime |")
    print("| --- | --- | --- | --- |")
    base = rates.get("onnxruntime", (0.0, 1.0))[0]
    for runtime, (rate, cosine) in rates.items():
        ratio = f"{rate / base:.2f}x" if base else "n/a"
        print(f"| {runtime} | {rate:.1f} | {ratio} | {cosine:.5f} |")


if __name__ == "__main__":
    main()
