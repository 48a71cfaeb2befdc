"""Incremental, idempotent indexing: corpus files -> catalog + vector store + BM25.

Only papers whose content changed are chunked and embedded; a run with nothing changed
loads no model. Each batch is written to the vector store before the catalog records it,
so an interrupted run leaves a usable index and the next run resumes where it stopped.
A file lock keeps two writers apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.corpus import CorpusLoad, Problem, read_corpus
from assistant.corpus.paper import Paper
from assistant.errors import IndexError_, IndexLockedError
from assistant.index.bm25 import BM25Index
from assistant.index.catalog import Catalog
from assistant.index.embeddings import expected_model_id, make_embedder
from assistant.index.store import VectorStore

Progress = Callable[[int, int], None]
BATCH_PAPERS = 64


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    problems: list[Problem] = field(default_factory=list)
    total: int = 0

    @property
    def skipped(self) -> int:
        return len(self.problems)

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed} removed, {self.skipped} skipped; {self.total} papers indexed"
        )


def paths_of(settings: Settings) -> tuple[Path, Path, Path]:
    """(catalog file, BM25 folder, lock file) of the configured collection."""
    base = settings.collection_dir
    return base / "catalog.sqlite", base / "bm25", base / "index.lock"


def index_lock(settings: Settings):
    from filelock import FileLock, Timeout

    _, _, lock_path = paths_of(settings)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise IndexLockedError(
            f"another `assistant index` is writing to this index ({lock_path}); "
            "wait for it to finish and run again"
        ) from None
    return lock


def index_paths(
    settings: Settings,
    paths: Sequence[Path],
    *,
    rebuild: bool = False,
    prune: bool = False,
    fmt: str | None = None,
    progress: Progress | None = None,
) -> IndexReport:
    load = read_corpus(paths, fmt)
    return index_papers(settings, load, rebuild=rebuild, prune=prune, progress=progress)


def index_papers(
    settings: Settings,
    load: CorpusLoad,
    *,
    rebuild: bool = False,
    prune: bool = False,
    progress: Progress | None = None,
) -> IndexReport:
    report = IndexReport(problems=list(load.problems))
    catalog_path, bm25_dir, _ = paths_of(settings)
    lock = index_lock(settings)
    try:
        catalog = _open_catalog(catalog_path, set_aside_if_corrupt=rebuild)
        if rebuild:
            store = _fresh_store(settings, catalog)
        else:
            store = VectorStore(settings, expected_model_id(settings), None)
        known = catalog.hashes()
        todo = [p for p in load.papers if known.get(p.paper_id, ("",))[0] != p.content_hash]
        report.unchanged = len(load.papers) - len(todo)
        report.updated = sum(p.paper_id in known for p in todo)
        report.added = len(todo) - report.updated
        gone = set(known) - {p.paper_id for p in load.papers} if prune else set()
        if gone:
            store.delete_papers(sorted(gone))
            catalog.remove(gone)
            report.removed = len(gone)
        if todo:
            _embed_and_store(settings, store, catalog, todo, progress)
        refresh_bm25(store, catalog, bm25_dir)
        report.total = catalog.count()
        catalog.close()
    finally:
        lock.release()
    return report


def _open_catalog(path: Path, set_aside_if_corrupt: bool) -> Catalog:
    """The catalog; on --rebuild an unreadable one is renamed aside (kept, not deleted)."""
    try:
        return Catalog(path)
    except IndexError_:
        if not set_aside_if_corrupt:
            raise
        path.rename(path.with_name(f"{path.name}.corrupt-{int(time.time())}"))
        return Catalog(path)


def _fresh_store(settings: Settings, catalog: Catalog) -> VectorStore:
    """Drop everything of this collection, even if it was built with other settings."""
    VectorStore(settings, expected_model_id(settings), None, check=False).drop()
    catalog.clear()
    return VectorStore(settings, expected_model_id(settings), None)


def _embed_and_store(
    settings: Settings,
    store: VectorStore,
    catalog: Catalog,
    papers: list[Paper],
    progress: Progress | None,
) -> None:
    from assistant.index.chunking import Chunker
    from assistant.index.llama_embedding import AssistantEmbedding

    chunker = Chunker(settings.chunk_size, settings.chunk_overlap)
    embed_model = AssistantEmbedding(make_embedder(settings))
    done = 0
    if progress:
        progress(0, len(papers))
    for start in range(0, len(papers), BATCH_PAPERS):
        batch = papers[start : start + BATCH_PAPERS]
        chunks = [chunk for paper in batch for chunk in chunker.chunks(paper)]
        vectors = np.array(
            embed_model.get_text_embedding_batch([c.text for c in chunks]), dtype=np.float32
        )
        store.create(vectors.shape[1])
        store.delete_papers([p.paper_id for p in batch])
        store.add(
            [c.chunk_id for c in chunks],
            vectors,
            [c.text for c in chunks],
            [c.paper_id for c in chunks],
        )
        counts: dict[str, int] = {}
        for chunk in chunks:
            counts[chunk.paper_id] = counts.get(chunk.paper_id, 0) + 1
        catalog.put((p, counts[p.paper_id]) for p in batch)
        done += len(batch)
        if progress:
            progress(done, len(papers))


def refresh_bm25(store: VectorStore, catalog: Catalog, bm25_dir: Path) -> BM25Index:
    """The saved BM25 index if it matches the catalog, else one rebuilt from the store."""
    version = catalog.version()
    index = BM25Index.load(bm25_dir, version)
    if index is None:
        index = BM25Index.build(store.iter_chunks())
        index.save(bm25_dir, version)
    return index
