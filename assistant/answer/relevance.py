"""How relevant each retrieved paper is to a question, on an absolute 0..1 scale.

Fusion ranks papers; deciding which to cite (and whether to abstain) needs a score
that means the same across questions. Three signals are averaged with equal weights:
- dense: the best cosine similarity of any of the paper's chunks to the question (as the
  dense search saw it: see retrieval.focused_query);
- sentence: the best cosine similarity of any single sentence of its abstract;
- coverage: the IDF-weighted share of the question's content words the paper contains.
Papers are cited when they score within `RELATIVE_CUTOFF` of the best one and above
`ABSOLUTE_FLOOR`; when none reaches the floor, the assistant abstains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.answer.sentences import split_sentences
from assistant.index.bm25 import BM25Index, query_terms, tokenize
from assistant.index.embeddings import Embedder
from assistant.retrieval import PaperHit, Ranking

ABSOLUTE_FLOOR = 0.35
# A follow-up about the papers of the last answer ("which of those use RL?") is short and
# leans on the conversation for its topic, so it is held to a lower floor.
FOLLOW_UP_FLOOR = ABSOLUTE_FLOOR / 2
RELATIVE_CUTOFF = 0.75
CANDIDATES = 10


@dataclass
class ScoredSentence:
    text: str
    score: float
    position: int


@dataclass
class ScoredPaper:
    hit: PaperHit
    relevance: float
    sentences: list[ScoredSentence]  # best first


class RelevanceScorer:
    def __init__(self, embedder: Embedder, bm25: BM25Index) -> None:
        self.embedder = embedder
        self.bm25 = bm25

    def _weights(self, question: str) -> dict[str, float]:
        terms = query_terms(question)
        return {t: self.bm25.idf(t) for t in dict.fromkeys(terms)}

    @staticmethod
    def _coverage(weights: dict[str, float], text: str) -> float:
        total = sum(weights.values())
        if total <= 0:
            return 0.0
        present = set(tokenize([text])[0])
        return sum(w for t, w in weights.items() if t in present) / total

    def score(self, ranking: Ranking, limit: int = CANDIDATES) -> list[ScoredPaper]:
        """The top candidates of a ranking, most relevant first."""
        hits = ranking.hits[:limit]
        if not hits:
            return []
        weights = self._weights(ranking.query)
        per_paper = [split_sentences(h.paper.abstract) or [h.paper.title] for h in hits]
        flat = [s for sentences in per_paper for s in sentences]
        similarities = self.embedder.embed(flat) @ np.asarray(ranking.query_vector)
        scored, offset = [], 0
        for hit, sentences in zip(hits, per_paper, strict=True):
            sims = similarities[offset : offset + len(sentences)]
            offset += len(sentences)
            ranked = sorted(
                (
                    ScoredSentence(s, float(sim) + 0.3 * self._coverage(weights, s), i)
                    for i, (s, sim) in enumerate(zip(sentences, sims, strict=True))
                ),
                key=lambda x: -x.score,
            )
            coverage = self._coverage(weights, f"{hit.paper.title} {hit.paper.abstract}")
            relevance = (max(hit.dense, 0.0) + max(float(sims.max()), 0.0) + coverage) / 3
            scored.append(ScoredPaper(hit, relevance, ranked))
        return sorted(scored, key=lambda p: -p.relevance)


def select_cited(scored: list[ScoredPaper], floor: float = ABSOLUTE_FLOOR) -> list[ScoredPaper]:
    """Papers relevant enough to cite; empty when nothing clears the absolute floor."""
    if not scored or scored[0].relevance < floor:
        return []
    cutoff = max(floor, RELATIVE_CUTOFF * scored[0].relevance)
    return [p for p in scored if p.relevance >= cutoff]
