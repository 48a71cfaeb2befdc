"""Hybrid retrieval: each half finds what the other misses; papers appear once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import retrieval
from assistant.app import Assistant
from assistant.config import Settings
from assistant.corpus import read_corpus
from assistant.retrieval import convex_fusion, min_max

from .conftest import SEEDS

LEXICAL_ONLY = (
    "Field notes on the orchards",
    "The notes record weather, soil samples and the timing of irrigation in three orchards "
    "over two seasons; each entry is tagged with the codename QZR-9, the station logbook "
    "identifier, the observer's initials, and remarks about pruning and the harvest.",
)
DENSE_ONLY = (
    "Household companions",
    "Canines and felines sharing one home: how pets of different species cohabit, groom "
    "each other and settle disputes over food bowls.",
)
# About explaining decisions, but not about language models, which most seed papers are.
SPECIFIC_ONLY = (
    "Why was my loan application rejected?",
    "Credit-scoring algorithms decide who gets a loan. We show applicants counterfactual "
    "explanations of each decision: the smallest change to their finances that would have "
    "flipped it, and test whether people understand them.",
)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """The seed papers plus two planted papers, in a JSONL corpus."""
    folder = tmp_path_factory.mktemp("mixed")
    records = [{"title": p.title, "abstract": p.abstract} for p in read_corpus([SEEDS]).papers]
    records += [{"title": t, "abstract": a} for t, a in (LEXICAL_ONLY, DENSE_ONLY, SPECIFIC_ONLY)]
    corpus = folder / "mixed.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    assistant = Assistant(Settings(data_dir=folder / "data"))
    assistant.index([corpus])
    return assistant


def titles(ranking) -> list[str]:
    return [hit.paper.title for hit in ranking.hits]


def test_hybrid_finds_a_paper_only_bm25_finds(mixed):
    query = "refusal training and QZR-9"
    assert titles(mixed.search(query, k=3, mode="bm25"))[0] == LEXICAL_ONLY[0]
    assert LEXICAL_ONLY[0] not in titles(mixed.search(query, k=3, mode="dense"))
    assert LEXICAL_ONLY[0] in titles(mixed.search(query, k=3, mode="hybrid"))


def test_hybrid_finds_a_paper_only_dense_retrieval_finds(mixed):
    query = "dogs and cats living together"
    assert DENSE_ONLY[0] not in titles(mixed.search(query, k=50, mode="bm25"))
    assert titles(mixed.search(query, k=3, mode="dense"))[0] == DENSE_ONLY[0]
    assert DENSE_ONLY[0] in titles(mixed.search(query, k=3, mode="hybrid"))


def test_a_single_retriever_ranking_scores_its_best_paper_one(mixed):
    """A dense-only or BM25-only ranking was fused with an empty one: its best scored 0.5."""
    for mode in ("dense", "bm25"):
        assert mixed.search("refusal training", k=2, mode=mode).hits[0].score == 1.0, mode


def test_focused_query_drops_question_framing_and_words_most_chunks_share(mixed):
    bm25 = mixed.engine.retriever.bm25
    assert bm25.chunk_share("models") > retrieval.COMMON_SHARE
    assert retrieval.focused_query("Which papers study QZR-9 in language models?", bm25) == (
        "QZR-9 in"
    )
    assert retrieval.focused_query("dogs and cats living together", bm25) == ""  # unchanged
    assert retrieval.focused_query("Which papers study language models?", bm25) == ""  # empty


def test_focused_query_waits_for_a_corpus_big_enough_to_count_on(tmp_path: Path):
    corpus = tmp_path / "two.jsonl"
    corpus.write_text(
        "\n".join(json.dumps({"title": t, "abstract": a}) for t, a in (DENSE_ONLY, SPECIFIC_ONLY))
    )
    small = Assistant(Settings(data_dir=tmp_path / "data"))
    small.index([corpus])
    assert small.engine.retriever.bm25.chunk_share("loan") == 0.5
    assert retrieval.focused_query("loan decisions explained", small.engine.retriever.bm25) == ""


def test_dense_search_looks_past_words_most_of_the_corpus_shares(mixed, monkeypatch):
    query = "How do large language models explain their decisions?"

    def dense_rank() -> int:
        found = titles(mixed.search(query, k=60, mode="dense"))
        return found.index(SPECIFIC_ONLY[0]) + 1 if SPECIFIC_ONLY[0] in found else 61

    assert dense_rank() <= 5
    monkeypatch.setattr(retrieval, "COMMON_SHARE", 1.0)  # focusing off
    assert dense_rank() > 20


def test_each_paper_appears_once_with_a_snippet(seeded):
    ranking = seeded.search("refusal of harmful requests", k=20)
    ids = [hit.paper.paper_id for hit in ranking.hits]
    assert len(ids) == len(set(ids)) == 20
    scores = [hit.score for hit in ranking.hits]
    assert scores == sorted(scores, reverse=True)
    for hit in ranking.hits:
        assert hit.snippet
        assert not hit.snippet.startswith(hit.paper.title)


def test_search_json_shape(seeded):
    payload = seeded.search("reward models for RLHF", k=5).to_dict()
    assert payload["query"] == "reward models for RLHF"
    assert [r["rank"] for r in payload["results"]] == [1, 2, 3, 4, 5]
    assert set(payload["results"][0]) == {
        "rank", "paper_id", "title", "score", "snippet", "year", "authors",
    }  # fmt: skip
    assert "note" not in payload  # only when a filter applied


def test_convex_fusion_rewards_agreement_and_keeps_a_clear_single_winner():
    dense = {"a": 0.9, "b": 0.8, "c": 0.1}
    lexical = {"b": 7.0, "d": 12.0, "c": 1.0}
    fused = convex_fusion(dense, lexical)
    assert max(fused, key=fused.get) == "b"
    assert fused["d"] == 0.5 and fused["c"] == 0.0
    assert min_max({"x": 2.0, "y": 2.0}) == {"x": 1.0, "y": 1.0}


def test_bm25_is_persisted_and_not_rebuilt_per_process(seeded, seeded_dir: Path):
    seeded.search("reward models")
    state = seeded_dir / "collections" / "papers" / "bm25" / "state.json"
    before = state.stat().st_mtime_ns
    Assistant(Settings(data_dir=seeded_dir)).search("persuasion")
    assert state.stat().st_mtime_ns == before


def test_paper_ids_holding_colons_keep_their_chunks_and_snippets(tmp_path: Path):
    corpus = tmp_path / "ids.jsonl"
    records = [
        {"id": "doi:10.1000/pets:2", "title": DENSE_ONLY[0], "abstract": DENSE_ONLY[1]},
        {"id": "doi:10.1000/loans:1", "title": SPECIFIC_ONLY[0], "abstract": SPECIFIC_ONLY[1]},
    ]
    corpus.write_text("\n".join(json.dumps(r) for r in records))
    assistant = Assistant(Settings(data_dir=tmp_path / "data"))
    assistant.index([corpus])
    for mode in ("dense", "bm25", "hybrid"):
        top = assistant.search("cats and dogs sharing a home", k=2, mode=mode).hits[0]
        assert top.paper.paper_id == "doi:10.1000/pets:2"
        assert top.snippet.startswith("Canines and felines")
