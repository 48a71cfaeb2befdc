"""Indexing on a real on-disk Chroma store: idempotent, incremental, resumable, locked."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.app import Assistant
from assistant.config import Settings
from assistant.corpus import read_corpus
from assistant.errors import IndexError_, IndexLockedError
from assistant.index import embeddings, indexer
from assistant.index.embeddings import LocalMiniLM, expected_model_id
from assistant.index.store import VectorStore


def write_corpus(path: Path, papers: list[tuple[str, str]]) -> Path:
    path.write_text(
        "\n".join(json.dumps({"title": t, "abstract": a}) for t, a in papers) + "\n",
        encoding="utf-8",
    )
    return path


def small_corpus(n: int) -> list[tuple[str, str]]:
    topics = ["refusal", "reward models", "persuasion", "retrieval", "memory", "vision"]
    return [
        (
            f"Paper {i} on {topics[i % len(topics)]}",
            f"We study {topics[i % len(topics)]} in setting number {i}. "
            f"Our experiments cover {i + 3} benchmarks and show consistent gains.",
        )
        for i in range(n)
    ]


def store_of(settings: Settings) -> VectorStore:
    return VectorStore(settings, expected_model_id(settings), None)


class CountingEmbedder:
    """The real local model, counting how many texts it embeds."""

    def __init__(self) -> None:
        self.inner = LocalMiniLM()
        self.model_id, self.dimension, self.calls = self.inner.model_id, 384, 0

    def embed(self, texts):
        self.calls += len(texts)
        return self.inner.embed(texts)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> CountingEmbedder:
    embedder = CountingEmbedder()
    monkeypatch.setitem(embeddings.EMBEDDERS, "local", lambda settings: embedder)
    return embedder


def test_indexing_twice_adds_and_embeds_nothing_the_second_time(seeded, counting):
    report = seeded.index()
    assert (report.added, report.updated, report.unchanged, report.total) == (0, 0, 87, 87)
    assert counting.calls == 0
    assert store_of(seeded.settings).count() > 87  # several chunks per paper


def test_changed_abstract_replaces_its_chunks(tmp_path, counting):
    settings = Settings(data_dir=tmp_path / "data")
    corpus = small_corpus(5)
    path = write_corpus(tmp_path / "c.jsonl", corpus)
    assert Assistant(settings).index([path]).added == 5
    embedded_first = counting.calls
    corpus[2] = (corpus[2][0], "A completely new abstract about tokenizers and compression.")
    write_corpus(path, corpus)
    report = Assistant(settings).index([path])
    assert (report.added, report.updated, report.unchanged) == (0, 1, 4)
    assert counting.calls == embedded_first + 1  # only the changed paper was embedded
    texts = [text for _, _, text in store_of(settings).iter_chunks()]
    assert any("tokenizers and compression" in t for t in texts)
    assert not any("setting number 2." in t for t in texts)
    hits = Assistant(settings).search("tokenizers and compression", k=1).hits
    assert hits[0].paper.title == corpus[2][0]


def test_prune_and_rebuild_remove_papers_whose_file_is_gone(tmp_path, counting):
    settings = Settings(data_dir=tmp_path / "data")
    first = write_corpus(tmp_path / "first.jsonl", small_corpus(4))
    second = write_corpus(tmp_path / "second.jsonl", [("Lonely paper", "It is alone here.")])
    Assistant(settings).index([first, second])
    second.unlink()
    assert Assistant(settings).index([first]).total == 5  # kept without --prune
    report = Assistant(settings).index([first], prune=True)
    assert (report.removed, report.total) == (1, 4)
    assert "Lonely paper" not in {p.title for p in Assistant(settings).papers()}
    rebuilt = Assistant(settings).index([first], rebuild=True)
    assert (rebuilt.added, rebuilt.total) == (4, 4)


def test_prune_keeps_the_papers_of_a_file_with_a_line_that_broke(tmp_path, counting):
    """A paper whose JSON line broke is not gone from its file: --prune removed it."""
    settings = Settings(data_dir=tmp_path / "data")
    corpus = small_corpus(3)
    path = write_corpus(tmp_path / "mine.jsonl", corpus)
    Assistant(settings).index([path])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1][:30]  # cut inside its abstract
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = Assistant(settings).index([path], prune=True)
    assert (report.removed, report.skipped, report.total) == (0, 1, 3)
    assert any("kept, not pruned" in str(p) for p in report.problems)
    assert {p.title for p in Assistant(settings).papers()} == {t for t, _ in corpus}


def test_one_id_given_to_two_titles_in_two_files_is_never_one_merged_paper(tmp_path, counting):
    """Two exports that number their records 1..N: the second "1" was merged into the
    first, the longer abstract under the other title. Within a run the later is skipped
    and said so; a later run that gives an indexed id another title replaces it, and
    says so."""
    settings = Settings(data_dir=tmp_path / "data")
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(
        json.dumps({"id": "1", "title": "Sycophancy", "abstract": "Models agree."}) + "\n",
        encoding="utf-8",
    )
    second.write_text(
        json.dumps({"id": "1", "title": "Steering", "abstract": "Vectors steer models far."})
        + "\n",
        encoding="utf-8",
    )
    report = Assistant(settings).index([first, second])
    assert (report.added, report.skipped, report.total) == (1, 1, 1)
    assert any(
        "duplicate id '1': a.jsonl gives it to another title" in str(p) for p in report.problems
    )
    ((title, abstract),) = [(p.title, p.abstract) for p in Assistant(settings).papers()]
    assert (title, abstract) == ("Sycophancy", "Models agree.")
    report = Assistant(settings).index([second])
    assert report.updated == 1
    assert any("id '1' was 'Sycophancy': replaced" in str(p) for p in report.problems)


def test_the_same_paper_under_another_id_is_merged_not_indexed_twice(tmp_path, counting):
    """A file with ids and another without (or with other ids) for the same papers: each
    was indexed, and cited, twice."""
    settings = Settings(data_dir=tmp_path / "data")
    mine = tmp_path / "mine.jsonl"
    mine.write_text(
        json.dumps({"id": "p0", "title": "Folding Proteins", "abstract": "We fold them."}) + "\n",
        encoding="utf-8",
    )
    again = tmp_path / "again.jsonl"
    again.write_text(
        json.dumps({"title": "Folding proteins.", "abstract": "We fold them.", "year": 2022})
        + "\n"
        + json.dumps({"id": "x9", "title": "Docking", "abstract": "We dock ligands."})
        + "\n",
        encoding="utf-8",
    )
    Assistant(settings).index([mine])
    report = Assistant(settings).index([again])
    assert (report.added, report.total) == (1, 2)
    assert any("indexed already under id 'p0'" in str(p) for p in report.problems)
    (folding,) = [p for p in Assistant(settings).papers() if p.title.startswith("Folding")]
    assert (folding.paper_id, folding.year) == ("p0", 2022)  # merged: the year filled in
    assert folding.source == "again.jsonl"  # the record read last, as for any update
    pruned = Assistant(settings).index([mine, again], prune=True)
    assert (pruned.removed, pruned.total) == (0, 2)
    # two papers of one title, with abstracts of their own, stay two
    other = tmp_path / "other.jsonl"
    other.write_text(
        json.dumps({"id": "q1", "title": "Folding Proteins", "abstract": "Another study."}) + "\n",
        encoding="utf-8",
    )
    assert Assistant(settings).index([other]).added == 1


def test_a_jsonl_file_with_a_byte_order_mark_keeps_its_first_record(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"title": "First", "abstract": "Saved by a Windows editor."}\n')
    load = read_corpus([path])
    assert [p.title for p in load.papers] == ["First"] and load.problems == []


def test_rebuild_or_prune_from_files_without_a_paper_keep_the_index(tmp_path, counting):
    settings = Settings(data_dir=tmp_path / "data")
    Assistant(settings).index([write_corpus(tmp_path / "mine.jsonl", small_corpus(3))])
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"title": "x"\n\x00\x01binary\n', encoding="utf-8")
    for files, flags in (([empty], {"rebuild": True}), ([broken], {"prune": True}),
                         ([broken], {"rebuild": True, "prune": True})):  # fmt: skip
        report = Assistant(settings).index(files, **flags)
        assert (report.added, report.removed, report.total) == (0, 0, 3)
    assert len(Assistant(settings).papers()) == 3


def test_an_interrupted_run_leaves_a_usable_index_and_resumes(tmp_path, monkeypatch, counting):
    settings = Settings(data_dir=tmp_path / "data")
    path = write_corpus(tmp_path / "c.jsonl", small_corpus(10))
    monkeypatch.setattr(indexer, "BATCH_PAPERS", 4)
    real_embed = counting.embed
    batches = {"n": 0}

    def dying_embed(texts):
        batches["n"] += 1
        if batches["n"] == 2:
            raise KeyboardInterrupt
        return real_embed(texts)

    monkeypatch.setattr(counting, "embed", dying_embed)
    with pytest.raises(KeyboardInterrupt):
        Assistant(settings).index([path])
    partial = Assistant(settings)
    assert len(partial.papers()) == 4
    assert partial.search("refusal", k=3).hits  # usable as it is
    monkeypatch.setattr(counting, "embed", real_embed)
    report = Assistant(settings).index([path])
    assert (report.added, report.unchanged, report.total) == (6, 4, 10)


def test_a_second_index_run_is_refused_while_one_holds_the_lock(seeded):
    lock = indexer.index_lock(seeded.settings)
    try:
        with pytest.raises(IndexLockedError, match="another `assistant index`"):
            seeded.index()
    finally:
        lock.release()
    assert seeded.index().unchanged == 87


def test_an_index_built_with_another_model_is_refused(seeded, monkeypatch):
    monkeypatch.setattr(LocalMiniLM, "model_id", "some-other-model")
    with pytest.raises(IndexError_, match=r"embedding_model=.*--rebuild"):
        Assistant(seeded.settings).search("refusal")


def test_an_index_built_with_other_chunking_is_refused(seeded_dir):
    with pytest.raises(IndexError_, match="chunk_size"):
        Assistant(Settings(data_dir=seeded_dir, chunk_size=64)).search("refusal")


def test_a_query_vector_of_the_wrong_dimension_is_refused(seeded):
    with pytest.raises(IndexError_, match="dimension"):
        store_of(seeded.settings).query(np.zeros(10, dtype=np.float32), 3)


def test_embeddings_are_normalised_and_independent_of_batching():
    model = LocalMiniLM()
    texts = ["short", "a much longer text about refusal in language models " * 5, "medium text"]
    together = model.embed(texts)
    alone = np.vstack([model.embed([t]) for t in texts])
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # the same vector up to kernel precision: OpenVINO runs bf16 kernels on CPUs with AMX,
    # whose sums depend on the batch's padded shape (up to 1e-3 a component, cosine 0.99999)
    assert np.all((together * alone).sum(axis=1) >= 0.9999)
    exact = LocalMiniLM(runtime="onnxruntime")
    assert np.allclose(exact.embed(texts), np.vstack([exact.embed([t]) for t in texts]), atol=1e-5)


def test_a_collection_of_papers_with_no_word_to_index_is_indexed(tmp_path, counting):
    """A title "The" and no abstract: the keyword index had no vocabulary, and bm25s
    failed with "max() arg is an empty sequence"."""
    settings = Settings(data_dir=tmp_path / "data")
    path = tmp_path / "words.jsonl"
    path.write_text('{"title": "The", "abstract": ""}\n', encoding="utf-8")
    report = Assistant(settings).index([path])
    assert report.total == 1 and report.summary().endswith("1 paper indexed")
    assert Assistant(settings).search("protein").hits


def test_an_interrupted_rebuild_leaves_the_papers_it_had_not_reached(tmp_path, counting):
    """Ctrl-C during `index --rebuild` left an empty index: the old one was dropped first."""
    settings = Settings(data_dir=tmp_path / "data")
    old = write_corpus(tmp_path / "old.jsonl", [("Old paper", "It was indexed before.")])
    Assistant(settings).index([old])
    new = write_corpus(tmp_path / "new.jsonl", small_corpus(2 * indexer.BATCH_PAPERS))

    def interrupt(done: int, total: int, stage: str) -> None:
        if stage == "Embedding papers" and done >= indexer.BATCH_PAPERS:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        indexer.index_paths(settings, [new], rebuild=True, progress=interrupt)
    titles = {p.title for p in Assistant(settings).papers()}
    assert "Old paper" in titles
    report = Assistant(settings).index([new], rebuild=True)  # run again: it completes
    assert (report.added, report.removed, report.total) == (128, 1, 128)
