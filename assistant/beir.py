"""Retrieval evaluation on a BEIR-format folder: corpus.jsonl, queries.jsonl, qrels/*.tsv."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import InputError

RETRIEVERS = ("bm25", "dense", "hybrid")


@dataclass
class BeirSet:
    corpus: Path
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


def load_beir(folder: Path, split: str | None = None) -> BeirSet:
    """The corpus path, and the queries that have judgments in the split's qrels."""
    corpus, queries_path = folder / "corpus.jsonl", folder / "queries.jsonl"
    qrels_dir = folder / "qrels"
    available = sorted(p.stem for p in qrels_dir.glob("*.tsv")) if qrels_dir.is_dir() else []
    if not corpus.is_file() or not queries_path.is_file() or not available:
        raise InputError(
            f"{folder}: not a BEIR folder (needs corpus.jsonl, queries.jsonl, qrels/*.tsv)"
        )
    split = split or ("test" if "test" in available else available[0])
    if split not in available:
        raise InputError(f"{folder}: no qrels/{split}.tsv (have: {', '.join(available)})")
    qrels: dict[str, dict[str, int]] = {}
    with (qrels_dir / f"{split}.tsv").open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) < 3 or not row[2].strip().lstrip("-").isdigit():
                continue  # header or blank line
            qrels.setdefault(row[0].strip(), {})[row[1].strip()] = int(row[2])
    queries = {}
    with queries_path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                if str(record["_id"]) in qrels:
                    queries[str(record["_id"])] = record["text"]
    return BeirSet(corpus, queries, qrels)


def ndcg_at(ranked: list[str], relevant: dict[str, int], k: int) -> float:
    gains = [relevant.get(doc, 0) for doc in ranked[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains) if g > 0)
    ideal = sorted((g for g in relevant.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: list[str], relevant: dict[str, int], k: int) -> float:
    wanted = {doc for doc, g in relevant.items() if g > 0}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def mrr_at(ranked: list[str], relevant: dict[str, int], k: int) -> float:
    for i, doc in enumerate(ranked[:k]):
        if relevant.get(doc, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def evaluate_rankings(rankings: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict:
    """Mean nDCG@10, Recall@10, Recall@100 and MRR@10 over the judged queries."""
    metrics = {"ndcg@10": [], "recall@10": [], "recall@100": [], "mrr@10": []}
    for qid, relevant in qrels.items():
        ranked = rankings.get(qid, [])
        metrics["ndcg@10"].append(ndcg_at(ranked, relevant, 10))
        metrics["recall@10"].append(recall_at(ranked, relevant, 10))
        metrics["recall@100"].append(recall_at(ranked, relevant, 100))
        metrics["mrr@10"].append(mrr_at(ranked, relevant, 10))
    return {name: round(sum(v) / len(v), 4) if v else 0.0 for name, v in metrics.items()}


def evaluate_beir(assistant, folder: Path, split: str | None, retrievers: list[str]) -> dict:
    """Index the folder's corpus into the assistant's collection, then score each retriever."""
    data = load_beir(folder, split)
    report = assistant.index([data.corpus])
    results = {"dataset": folder.name, "queries": len(data.queries), "corpus": report.total}
    for mode in retrievers:
        rankings = {
            qid: [hit.paper.paper_id for hit in assistant.search(text, k=100, mode=mode).hits]
            for qid, text in data.queries.items()
        }
        results[mode] = evaluate_rankings(rankings, data.qrels)
    return results
