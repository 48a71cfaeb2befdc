"""Hybrid retrieval: each half finds what the other misses; papers appear once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """The seed papers plus two planted papers, in a JSONL corpus."""
    folder = tmp_path_factory.mktemp("mixed")
    records = [{"title": p.title, "abstract": p.abstract} for p in read_corpus([SEEDS]).papers]
    records += [{"title": t, "abstract": a} for t, a in (LEXICAL_ONLY, DENSE_ONLY)]
    corpus = folder / "mixed.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    assistant = Assistant(Settings(data_dir=folder / "data"))
    assistant.index([corpus])
    return assistant


def titles(ranking) -> list[str]:
    return [hit.paper.title for hit in ranking.hits]


def test_hybrid_finds_a_paper_only_bm25_finds(mixed):
    query = "QZR-9 in language models"
    assert titles(mixed.search(query, k=3, mode="bm25"))[0] == LEXICAL_ONLY[0]
    assert LEXICAL_ONLY[0] not in titles(mixed.search(query, k=3, mode="dense"))
    assert LEXICAL_ONLY[0] in titles(mixed.search(query, k=3, mode="hybrid"))


def test_hybrid_finds_a_paper_only_dense_retrieval_finds(mixed):
    query = "dogs and cats living together"
    assert DENSE_ONLY[0] not in titles(mixed.search(query, k=50, mode="bm25"))
    assert titles(mixed.search(query, k=3, mode="dense"))[0] == DENSE_ONLY[0]
    assert DENSE_ONLY[0] in titles(mixed.search(query, k=3, mode="hybrid"))


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
    assert set(payload["results"][0]) == {"rank", "paper_id", "title", "score", "snippet"}


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
