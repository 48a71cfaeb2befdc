"""Hybrid retrieval: dense (Chroma) and BM25 over the same chunks, fused, grouped per paper."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.corpus.paper import Paper
from assistant.index.bm25 import BM25Index, LexicalHit
from assistant.index.catalog import Catalog
from assistant.index.embeddings import Embedder
from assistant.index.store import DenseHit, VectorStore

RRF_K = 60
SNIPPET_CHARS = 240


@dataclass
class PaperHit:
    """One paper in a ranking, with the evidence that put it there."""

    paper: Paper
    score: float  # fused score: higher is better; meaningful only within one ranking
    dense: float = 0.0  # best cosine similarity of any of its chunks to the query
    lexical: float = 0.0  # best BM25 score of any of its chunks
    snippet: str = ""
    chunk_ids: list[str] = field(default_factory=list)


@dataclass
class Ranking:
    query: str
    hits: list[PaperHit]
    query_vector: object = None  # numpy vector of the query, reused by the answerer

    def to_dict(self) -> dict:
        """The `search --json` object (DESIGN.md)."""
        return {
            "query": self.query,
            "results": [
                {
                    "rank": rank,
                    "paper_id": hit.paper.paper_id,
                    "title": hit.paper.title,
                    "score": round(hit.score, 6),
                    "snippet": hit.snippet,
                }
                for rank, hit in enumerate(self.hits, start=1)
            ],
        }


def reciprocal_rank_fusion(
    *rankings: list[str], k: int = RRF_K, weights: tuple[float, ...] | None = None
) -> dict[str, float]:
    """Sum of weight / (k + rank) over the rankings each id appears in (rank from 1)."""
    weights = weights or (1.0,) * len(rankings)
    fused: dict[str, float] = {}
    for weight, ranking in zip(weights, rankings, strict=True):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


class HybridRetriever:
    def __init__(
        self, store: VectorStore, bm25: BM25Index, embedder: Embedder, catalog: Catalog
    ) -> None:
        self.store = store
        self.bm25 = bm25
        self.embedder = embedder
        self.catalog = catalog

    def retrieve(self, query: str, k: int = 10, mode: str = "hybrid", depth: int = 50) -> Ranking:
        """The top k papers for the query; mode is hybrid, dense or bm25."""
        depth = max(depth, 5 * k)
        vector = self.embedder.embed([query])[0]
        dense: list[DenseHit] = self.store.query(vector, depth) if mode != "bm25" else []
        lexical: list[LexicalHit] = self.bm25.query(query, depth) if mode != "dense" else []
        fused = reciprocal_rank_fusion([h.chunk_id for h in dense], [h.chunk_id for h in lexical])
        by_chunk_paper = {h.chunk_id: h.paper_id for h in [*dense, *lexical]}
        text_of = {h.chunk_id: h.text for h in dense}
        best_dense: dict[str, float] = {}
        for hit in dense:
            best_dense[hit.paper_id] = max(best_dense.get(hit.paper_id, -1.0), hit.similarity)
        best_lexical: dict[str, float] = {}
        for hit in lexical:
            best_lexical[hit.paper_id] = max(best_lexical.get(hit.paper_id, 0.0), hit.score)
        grouped: dict[str, tuple[float, list[str]]] = {}
        for chunk_id, score in sorted(fused.items(), key=lambda item: -item[1]):
            paper_id = by_chunk_paper[chunk_id]
            best, chunks = grouped.get(paper_id, (score, []))
            grouped[paper_id] = (max(best, score), [*chunks, chunk_id])
        top = sorted(grouped.items(), key=lambda item: -item[1][0])[:k]
        papers = self.catalog.get(pid for pid, _ in top)
        hits = []
        for paper_id, (score, chunk_ids) in top:
            paper = papers.get(paper_id)
            if paper is None:  # stored chunk whose paper the catalog no longer lists
                continue
            snippet = text_of.get(chunk_ids[0], "").removeprefix(paper.title).strip()
            snippet = snippet or paper.abstract
            if len(snippet) > SNIPPET_CHARS:
                snippet = snippet[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
            hits.append(
                PaperHit(
                    paper,
                    score,
                    dense=best_dense.get(paper_id, 0.0),
                    lexical=best_lexical.get(paper_id, 0.0),
                    snippet=snippet,
                    chunk_ids=chunk_ids,
                )
            )
        return Ranking(query, hits, vector)
