"""From a question to the papers an answer may cite: the one step `ask` (both modes),
`chat` and `related-work` share."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from assistant.answer.evidence import SentencePicker
from assistant.answer.question import QuestionAnalysis, analyse
from assistant.answer.relevance import POOL, Judged, RelevanceJudge
from assistant.retrieval import Ranking

# A follow-up about the papers of the last answer ("which of those use RL?") is short and
# leans on the conversation for its topic: its candidates are few and already on topic.
FOLLOW_UP_THRESHOLD_FACTOR = 0.5


@dataclass
class Decision:
    analysis: QuestionAnalysis
    ranking: Ranking
    judged: list[Judged]  # every candidate, most probably relevant first
    relevant: list[Judged]  # those the answer cites
    covered: float = 0.0  # the probability that the collection covers the question

    def picker(self, engine) -> SentencePicker:
        vector = self.ranking.query_vector
        if vector is None:
            vector = np.zeros(getattr(engine.embedder, "dimension", 1) or 1, dtype=np.float32)
        return SentencePicker(self.analysis, vector, engine.embedder, engine.bm25)


def decide(
    engine,
    question: str,
    *,
    only: Collection[str] | None = None,
    within: Collection[str] | None = None,
    pool: int = POOL,
) -> Decision:
    """Retrieve a wide pool and keep the papers the fitted decision judges relevant.

    `only`: the papers a follow-up question is about; `within`: the papers a year or
    author filter admits. A question with no topic words or not in English retrieves
    nothing: no paper could be matched to it honestly."""
    analysis = analyse(question, engine.bm25)
    if not analysis.has_topic or not analysis.english:
        return Decision(analysis, Ranking(question, []), [], [])
    allowed = only if within is None else set(within) & set(only if only is not None else within)
    ranking = engine.retriever.retrieve(question, k=pool, only=allowed)
    judge = RelevanceJudge(engine.bm25, engine.store)
    judged, covered = judge.judge(ranking, analysis)
    if only is not None:  # a follow-up: the topic is the conversation's, already covered
        threshold = judge.threshold * FOLLOW_UP_THRESHOLD_FACTOR
        return Decision(analysis, ranking, judged, judge.relevant(judged, threshold), covered)
    relevant = judge.relevant(judged) if judge.covers(covered) else []
    return Decision(analysis, ranking, judged, relevant, covered)
