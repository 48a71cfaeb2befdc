"""Which retrieved papers are relevant to a question: one fitted decision for every answerer.

Fusion ranks papers; citing them needs a yes/no that means the same across questions and
corpora. Each of the top `POOL` papers of the hybrid ranking gets a few features (its
dense and lexical scores, its gap to the best candidate, how much of the question's terms
and of its rarest terms it contains, ...) and a logistic regression, fitted on labelled
questions by `eval/fit_relevance.py`, turns them into a probability. The weights ship in
`relevance_model.json` beside this module; `ask` (both modes), `chat` and `related-work`
all cite what this decision keeps.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.answer.question import QuestionAnalysis, bigrams, weighted_share
from assistant.index.bm25 import BM25Index, tokenize
from assistant.retrieval import PaperHit, Ranking

#: Candidates the decision looks at: the top of the hybrid ranking.
POOL = 40
MODEL_FILE = Path(__file__).with_name("relevance_model.json")
FEATURES = (
    "dense",
    "dense_gap",
    "similarity",
    "similarity_gap",
    "fused",
    "fused_gap",
    "lexical_share",
    "log_rank",
    "coverage",
    "key_coverage",
    "title_coverage",
    "missing_share",
    "best_key_coverage",
    "neighbour",
    "list_question",
    "missing_key_share",
    "phrase_coverage",
    "window_coverage",
)
POOL_FEATURES = (
    "best_probability",
    "third_probability",
    "missing_share",
    "missing_key_share",
    "best_key_coverage",
    "best_dense",
    "best_similarity",
    "best_window_coverage",
    "best_phrase_coverage",
)
# A row's "holds_key:TERM" says whether the paper holds that key term of the question's
# concept (not of an action on it: "detecting").
HOLDS_KEY = "holds_key:"
# ... and whether its title does.
TITLE_HOLDS_KEY = "title_holds_key:"
# The least probability at which a related-work draft cites a paper that holds its
# topic's anchor terms (see RelevanceJudge.relevant); held out, 0.01 and 0.04 did worse.
ANCHOR_FLOOR = 0.02
# How many of the best-fused candidates a paper's closeness ("neighbour") is measured to.
NEIGHBOURS = 3


@dataclass
class Judged:
    """A candidate paper with the decision about it."""

    hit: PaperHit
    probability: float
    features: dict[str, float] = field(default_factory=dict)

    @property
    def paper(self):
        return self.hit.paper


@dataclass(frozen=True)
class LogisticModel:
    """A standardised logistic regression over named features, with its decision threshold."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float

    @classmethod
    def from_dict(cls, data: dict) -> LogisticModel:
        return cls(
            tuple(data["features"]),
            np.asarray(data["mean"], dtype=np.float64),
            np.asarray(data["scale"], dtype=np.float64),
            np.asarray(data["coef"], dtype=np.float64),
            float(data["intercept"]),
            float(data["threshold"]),
        )

    def probabilities(self, rows: Sequence[dict[str, float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        matrix = np.array([[row[name] for name in self.features] for row in rows])
        logits = ((matrix - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))


@dataclass(frozen=True)
class RelevanceModel:
    """Two fitted decisions: is this paper relevant, and does the collection cover the
    question at all (judged on the whole pool, so that a near miss is not cited). A
    related-work draft, meant to cover its topic, cuts the papers at `survey_threshold`."""

    paper: LogisticModel
    coverage: LogisticModel
    survey_threshold: float

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> RelevanceModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        paper, coverage = (LogisticModel.from_dict(data[k]) for k in ("paper", "coverage"))
        if paper.features != FEATURES or coverage.features != POOL_FEATURES:
            raise ValueError(f"{path}: fitted on other features; rerun eval/fit_relevance.py")
        return cls(paper, coverage, float(data.get("survey_threshold", paper.threshold)))


@functools.cache
def default_model() -> RelevanceModel:
    return RelevanceModel.load()


def pool_features(rows: Sequence[dict[str, float]], probabilities: Sequence[float]) -> dict:
    """What the coverage decision sees of a whole pool of candidates."""
    ranked = sorted(probabilities, reverse=True)
    first = rows[0] if rows else {}
    return {
        "best_probability": ranked[0] if ranked else 0.0,
        "third_probability": ranked[2] if len(ranked) > 2 else 0.0,
        "missing_share": first.get("missing_share", 1.0),
        "missing_key_share": first.get("missing_key_share", 1.0),
        "best_key_coverage": first.get("best_key_coverage", 0.0),
        "best_dense": max((r["dense"] for r in rows), default=0.0),
        "best_similarity": max((r["similarity"] for r in rows), default=0.0),
        "best_window_coverage": max((r["window_coverage"] for r in rows), default=0.0),
        "best_phrase_coverage": max((r["phrase_coverage"] for r in rows), default=0.0),
    }


def candidate_features(
    ranking: Ranking,
    analysis: QuestionAnalysis,
    bm25: BM25Index,
    paper_vectors: dict[str, np.ndarray],
) -> list[dict[str, float]]:
    """One feature row per hit of the ranking, in ranking order.

    Scores are taken both as they are and as gaps to the best candidate, so that the
    decision can tell "the best of a poor lot" from "close to a good match"."""
    hits = ranking.hits
    if not hits:
        return []
    weights = {t: bm25.idf(t) for t in analysis.terms}
    key = {t: weights[t] for t in analysis.key_terms}
    query = np.asarray(ranking.query_vector, dtype=np.float32)
    similarity = [
        float(paper_vectors[h.paper.paper_id] @ query) if h.paper.paper_id in paper_vectors else 0.0
        for h in hits
    ]
    # each paper's title and abstract, then its title alone
    texts = [f"{h.paper.title} {h.paper.abstract}" for h in hits] + [h.paper.title for h in hits]
    token_lists = tokenize([*texts, analysis.question])
    token_sets = [
        analysis.present_terms(tokens, text)
        for tokens, text in zip(token_lists[:-1], texts, strict=True)
    ]
    full, titles = token_sets[: len(hits)], token_sets[len(hits) :]
    phrases = bigrams(token_lists[-1])
    paper_bigrams = [bigrams(tokens) for tokens in token_lists[: len(hits)]]
    best_dense = max(h.dense for h in hits)
    best_similarity = max(similarity)
    best_fused = max(h.score for h in hits)
    best_lexical = max(h.lexical for h in hits)
    # question-level: how much of the question the corpus has never seen, and how well the
    # best candidate covers its key concept (zero when no candidate mentions it)
    unseen = {t for t in weights if bm25.document_frequency(t) == 0}
    missing = weighted_share(weights, unseen)
    missing_key = len(unseen & set(key)) / len(key) if key else 0.0
    key_coverages = [weighted_share(key, tokens) for tokens in full]
    neighbours = _closeness_to_the_top(hits, paper_vectors)
    sense = analysis.sense_terms
    concept = [t for t in key if bm25.document_frequency(t) and t not in analysis.action_terms]
    rows = []
    for rank, hit in enumerate(hits):
        rows.append(
            {
                "dense": hit.dense,
                "dense_gap": hit.dense - best_dense,
                "similarity": similarity[rank],
                "similarity_gap": similarity[rank] - best_similarity,
                "fused": hit.score,
                "fused_gap": hit.score - best_fused,
                "lexical_share": hit.lexical / best_lexical if best_lexical > 0 else 0.0,
                "log_rank": math.log1p(rank),
                "coverage": weighted_share(weights, full[rank]),
                "key_coverage": key_coverages[rank],
                "title_coverage": weighted_share(weights, titles[rank]),
                "missing_share": missing,
                "best_key_coverage": max(key_coverages),
                "neighbour": neighbours[rank],
                "list_question": float(analysis.kind == "list"),
                "missing_key_share": missing_key,
                "window_coverage": _window_coverage(weights, token_lists[rank], full[rank]),
                "phrase_coverage": (
                    len(phrases & paper_bigrams[rank]) / len(phrases) if phrases else 0.0
                ),
                # not model features: whether the paper holds the question's sense prefix,
                # every one of its terms, and each key term of its concept (see
                # RelevanceJudge.relevant)
                "holds_sense": float(sense <= full[rank]),
                "holds_compounds": float(analysis.bound_terms <= full[rank]),
                "holds_all_terms": float(bool(weights) and weights.keys() <= full[rank]),
                **{HOLDS_KEY + t: float(t in full[rank]) for t in concept},
                **{TITLE_HOLDS_KEY + t: float(t in titles[rank]) for t in concept},
            }
        )
    return rows


WINDOW = 20


def _window_coverage(weights: dict[str, float], tokens: Sequence[str], present: set[str]) -> float:
    """The best IDF-weighted share of the question's terms (those `present` in the text)
    within WINDOW adjacent tokens: terms that meet in one passage say more than terms
    scattered over an abstract."""
    total = sum(weights.values())
    if total <= 0 or not tokens:
        return 0.0
    best = 0.0
    for start in range(0, max(1, len(tokens) - WINDOW + 1), WINDOW // 4):
        window = present.intersection(tokens[start : start + WINDOW])
        best = max(best, sum(w for t, w in weights.items() if t in window))
    return best / total


def _closeness_to_the_top(hits: Sequence[PaperHit], vectors: dict[str, np.ndarray]) -> list[float]:
    """Each paper's best cosine to the NEIGHBOURS best-fused other papers: papers on a topic
    resemble each other, so one that search ranks low but that looks like the top ones
    ("oversensitive to safe queries" beside "over-refusal" papers) is likely relevant too."""
    top = [h.paper.paper_id for h in hits[: NEIGHBOURS + 1] if h.paper.paper_id in vectors]
    result = []
    for hit in hits:
        own = vectors.get(hit.paper.paper_id)
        others = [vectors[pid] for pid in top if pid != hit.paper.paper_id][:NEIGHBOURS]
        result.append(
            max((float(own @ v) for v in others), default=0.0) if own is not None else 0.0
        )
    return result


class RelevanceJudge:
    """Scores a ranking's candidates with the fitted model; most probable first."""

    def __init__(self, bm25: BM25Index, store, model: RelevanceModel | None = None) -> None:
        self.bm25 = bm25
        self.store = store
        self.model = model or default_model()

    def judge(self, ranking: Ranking, analysis: QuestionAnalysis) -> tuple[list[Judged], float]:
        """Every candidate with its probability, most probable first, and the probability
        that the collection covers the question at all."""
        if not ranking.hits or not analysis.has_topic:
            return [Judged(hit, 0.0) for hit in ranking.hits], 0.0
        vectors = self.store.paper_vectors([h.paper.paper_id for h in ranking.hits])
        rows = candidate_features(ranking, analysis, self.bm25, vectors)
        probabilities = self.model.paper.probabilities(rows)
        pool = pool_features(rows, probabilities)
        covered = float(self.model.coverage.probabilities([pool])[0])
        judged = [
            Judged(hit, float(p), row)
            for hit, p, row in zip(ranking.hits, probabilities, rows, strict=True)
        ]
        return sorted(judged, key=lambda j: -j.probability), covered

    def covers(self, covered: float) -> bool:
        return covered >= self.model.coverage.threshold

    def relevant(
        self,
        judged: Sequence[Judged],
        survey: bool = False,
        alternatives: Sequence[frozenset[str]] = (),
    ) -> list[Judged]:
        """The candidates an answer cites (`survey`: a related-work draft).

        When the fitted decision keeps any papers, a paper that holds every term of the
        question joins them, however low it ranks. A draft, meant to cover its topic,
        also takes each paper above ANCHOR_FLOOR that holds the topic's concept, when the
        kept papers (in the question's sense) agree on it: each key term of the concept
        that any of them holds, all of them hold ("hallucination" in "hallucination in
        language models: detecting and reducing it"). Where they do not agree ("reward"
        and "RLHF" in "reward models for RLHF"), a paper with one of the words is as
        likely off topic as on it. A topic that names `alternatives` ("role-play and
        personas") also takes the papers above ANCHOR_FLOOR whose title holds one of
        them whole, when the kept papers bear them out (see _agreed): in an abstract, a
        word such as "reward" or "values" is too often said in passing."""
        cut = self.model.survey_threshold if survey else self.model.paper.threshold
        if not any(j.probability >= cut for j in judged):
            return []
        chosen = [j for j in judged if j.probability >= cut or j.features["holds_all_terms"]]
        kept = _in_sense(chosen)
        anchors = [anchor] if survey and (anchor := _anchor_terms(kept)) else []
        if _agreed(kept, alternatives):
            # a paper whose title names an alternative is on it: "Persona-Assigned"
            anchors += [[TITLE_HOLDS_KEY + t for t in group] for group in alternatives]
        if _sense_asked(judged) and any(j.features["holds_sense"] for j in chosen):
            anchors.append(["holds_sense"])  # "over-refusal" is rare and says it all
        if anchors:
            ids = {id(j) for j in chosen}
            chosen = [
                j
                for j in judged
                if id(j) in ids
                or (j.probability >= ANCHOR_FLOOR and any(_holds(j, a) for a in anchors))
            ]
        chosen = _in_sense(chosen)
        return _holding_compounds(chosen) if survey and not alternatives else chosen


def _holding_compounds(judged: list[Judged]) -> list[Judged]:
    """A draft on a compound ("multi-agent reinforcement learning") cites the papers that
    use the compound, when most of those kept do: a paper on "agents" alone is not on it.
    (Not where the topic names alternatives: "role-play and personas".)"""
    holding = [j for j in judged if j.features.get("holds_compounds")]
    return holding if 2 * len(holding) > len(judged) else judged


def _sense_asked(judged: Sequence[Judged]) -> bool:
    """Whether the question asks in a sense some candidates lack ("over-refusal")."""
    return any(not j.features.get("holds_sense", 1.0) for j in judged)


def _in_sense(judged: list[Judged]) -> list[Judged]:
    """Only the papers that hold the question's sense prefix ("over-refusal", not refusal
    alone), when any does."""
    if any(j.features.get("holds_sense") for j in judged):
        return [j for j in judged if j.features["holds_sense"]]
    return judged


def _holds(candidate: Judged, anchor: Sequence[str]) -> bool:
    return all(candidate.features.get(k) for k in anchor)


def _agreed(kept: Sequence[Judged], alternatives: Sequence[frozenset[str]]) -> bool:
    """Whether the kept papers bear out a topic's alternatives ("role-play", "personas"):
    each holds one alternative whole, and each alternative is held whole by one of them."""
    anchors = [[HOLDS_KEY + t for t in group] for group in alternatives]
    return bool(kept and anchors) and (
        all(any(_holds(j, a) for a in anchors) for j in kept)
        and all(any(_holds(j, a) for j in kept) for a in anchors)
    )


def _anchor_terms(kept: Sequence[Judged]) -> list[str]:
    """The feature keys of the concept's key terms that the kept papers agree on: each
    that any of them holds, all of them hold; none when they do not agree."""
    keys = [k for k in kept[0].features if k.startswith(HOLDS_KEY)]
    touched = [k for k in keys if any(j.features[k] for j in kept)]
    return touched if all(j.features[k] for k in touched for j in kept) else []
