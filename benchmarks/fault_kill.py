"""Kill `assistant index` at random points and check that the index stays consistent.

    python benchmarks/fault_kill.py [--rounds 10] [--papers 5000] [--seed 7]

A corpus of `--papers` synthetic papers (sentences of the bundled seeds recombined under
unique titles; nothing outside the repo is read) is indexed in `--rounds` growing steps.
Each round adds its share of papers, starts `assistant index`, kills it with SIGKILL at a
random moment while it embeds, then reruns it to completion and checks:

- the catalog's papers = the vector store's papers = the BM25 index's papers;
- no chunk id twice in the vector store or in BM25, no paper twice in the catalog;
- `assistant search` answers, and its top hit is an indexed paper.

Prints one line per round and a summary; exits non-zero on the first inconsistency.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

SCRIPT = str(Path(sys.executable).parent / "assistant")


def synthetic_corpus(n: int, seed: int) -> list[dict]:
    from assistant.answer.sentences import split_sentences
    from assistant.corpus import bundled_seeds, read_corpus

    papers = read_corpus([bundled_seeds()]).papers
    sentences = [s for p in papers for s in split_sentences(p.abstract) if len(s) > 40]
    words = sorted({w for p in papers for w in p.title.split() if w.isalpha() and len(w) > 4})
    rng = random.Random(seed)
    corpus = []
    for i in range(n):
        title = f"{' '.join(rng.sample(words, 5)).title()} {i}"
        corpus.append({"id": f"synthetic-{i}", "title": title,
                       "abstract": " ".join(rng.sample(sentences, 6))})  # fmt: skip
    return corpus


def consistency(data_dir: Path) -> list[str]:
    """What is wrong with the index in data_dir (nothing: an empty list)."""
    from assistant.config import Settings
    from assistant.index.bm25 import BM25Index
    from assistant.index.catalog import Catalog
    from assistant.index.embeddings import expected_model_id
    from assistant.index.indexer import paths_of
    from assistant.index.store import VectorStore

    settings = Settings(data_dir=data_dir)
    catalog_path, bm25_dir, _ = paths_of(settings)
    catalog = Catalog(catalog_path)
    catalog_ids = list(catalog.ids())
    store = VectorStore(settings, expected_model_id(settings), None)
    chunks = list(store.iter_chunks())
    bm25 = BM25Index.load(bm25_dir, catalog.version())
    problems = []
    if bm25 is None:
        problems.append("the BM25 index does not match the catalog's version")
        bm25_papers: set[str] = set()
    else:
        bm25_papers = set(bm25.paper_ids)
        twice = [c for c, n in Counter(bm25.chunk_ids).items() if n > 1]
        problems += [f"BM25 holds chunk {c} twice" for c in twice[:3]]
    vector_papers = {paper_id for _, paper_id, _ in chunks}
    twice = [c for c, n in Counter(chunk_id for chunk_id, _, _ in chunks).items() if n > 1]
    problems += [f"the vector store holds chunk {c} twice" for c in twice[:3]]
    if len(catalog_ids) != len(set(catalog_ids)):
        problems.append("the catalog lists a paper twice")
    if set(catalog_ids) != vector_papers:
        problems.append(f"catalog {len(set(catalog_ids))} papers != vectors {len(vector_papers)}")
    if bm25 is not None and vector_papers != bm25_papers:
        problems.append(f"vectors {len(vector_papers)} papers != BM25 {len(bm25_papers)}")
    catalog.close()
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--papers", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    work = Path(tempfile.mkdtemp(prefix="assistant-kill-"))
    corpus, data_dir = work / "corpus.jsonl", work / "data"
    papers = synthetic_corpus(options.papers, options.seed)
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir)}
    step = len(papers) // options.rounds
    kills = 0
    start = time.perf_counter()
    for round_number in range(1, options.rounds + 1):
        upto = len(papers) if round_number == options.rounds else step * round_number
        corpus.write_text("\n".join(json.dumps(p) for p in papers[:upto]) + "\n")
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        process = subprocess.Popen([SCRIPT, "index", str(corpus)], env=env, **quiet)
        time.sleep(rng.uniform(2.0, 12.0))  # model load, then somewhere in the embedding
        killed = process.poll() is None
        if killed:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        rerun = subprocess.run([SCRIPT, "index", str(corpus)], env=env,
                               capture_output=True, text=True)  # fmt: skip
        if rerun.returncode != 0:
            sys.exit(f"round {round_number}: the rerun failed: {rerun.stderr.strip()}")
        problems = consistency(data_dir)
        search = subprocess.run([SCRIPT, "search", "--json", "-k", "3", "reward models"],
                                env=env, capture_output=True, text=True)  # fmt: skip
        if search.returncode != 0 or not json.loads(search.stdout)["results"]:
            problems.append(f"search failed: {search.stderr.strip()}")
        summary = rerun.stderr.strip().splitlines()[-1] if rerun.stderr.strip() else ""
        state = "killed" if killed else "finished before the kill"
        print(f"round {round_number}: {upto} papers, {state}; rerun: {summary}; "
              f"{'consistent' if not problems else '; '.join(problems)}", flush=True)  # fmt: skip
        if problems:
            sys.exit(1)
    print(
        f"\n{kills} kills in {options.rounds} rounds over {len(papers)} papers, "
        f"{time.perf_counter() - start:.0f} s: catalog = vectors = BM25 after every rerun, "
        "no duplicates, search works"
    )


if __name__ == "__main__":
    main()
