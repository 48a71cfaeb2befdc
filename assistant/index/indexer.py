"""Incremental, idempotent indexing: corpus files -> catalog + vector store + BM25.

Only papers whose content changed are chunked and embedded; a run with nothing changed
loads no model. Each batch is written to the vector store before the catalog records it,
so an interrupted run leaves a usable index and the next run resumes where it stopped.
A file lock keeps two writers apart.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.corpus import Problem, corpus_files, estimate_records, iter_records
from assistant.corpus.paper import Paper, paper_id_for, papers_counted
from assistant.corpus.records import another_paper, note
from assistant.errors import IndexError_, IndexLockedError
from assistant.index.bm25 import BM25Index
from assistant.index.catalog import Catalog
from assistant.index.chroma_server import uses_server
from assistant.index.embeddings import expected_model_id, make_embedder
from assistant.index.store import VectorStore

#: Called as (papers done, papers expected, stage), the stage in words ("Embedding papers");
#: the stage "Done" comes last.
Progress = Callable[[int, int, str], None]
EMBED_STEP = 32  # chunks embedded between two progress reports
BATCH_PAPERS = 64


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    problems: list[Problem] = field(default_factory=list)  # skipped records, and notes
    title_only: list[str] = field(default_factory=list)  # papers indexed without an abstract
    total: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # time per stage

    @property
    def skipped(self) -> int:
        return sum(problem.skipped for problem in self.problems)

    def summary(self) -> str:
        title_only = f" ({len(self.title_only)} by title only)" if self.title_only else ""
        return (
            f"{self.added} added{title_only}, {self.updated} updated, {self.unchanged} "
            f"unchanged, {self.removed} removed, {self.skipped} skipped; "
            f"{papers_counted(self.total)} indexed"
        )

    def timed(self, stage: str):
        return _StageTimer(self.seconds, stage)


class _StageTimer:
    def __init__(self, seconds: dict[str, float], stage: str) -> None:
        self.seconds, self.stage = seconds, stage

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc) -> None:
        elapsed = time.perf_counter() - self.start
        self.seconds[self.stage] = self.seconds.get(self.stage, 0.0) + elapsed


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
    categories: frozenset[str] | None = None,
    progress: Progress | None = None,
    first_use: bool = False,
) -> IndexReport:
    """Stream the files into the index, a batch of papers at a time (`first_use`: the
    bundled seeds, indexed because a question found no index).

    --rebuild and --prune replace what the index holds with what the files hold; files
    that hold no paper at all (empty, binary, every record broken) replace nothing."""
    files = corpus_files(paths, fmt)
    records: Iterator[Paper | Problem] = iter_records(files, fmt, categories)
    if rebuild or prune:
        head = _through_first_paper(records)
        if not head or not isinstance(head[-1], Paper):
            rebuild = prune = False
        records = itertools.chain(head, records)
    with _Indexing(settings, rebuild, progress, estimate_records(files)) as run:
        if not first_use:
            run.catalog.mark_indexed_by_user()
        run._report(0, "Reading files")
        while True:
            with run.report.timed("parse"):
                record = next(records, None)
            if record is None:
                break
            run.take(record)
        run.flush()
        if prune or run.in_place:  # a rebuild keeps only what the files hold
            run.prune()
    return run.report


def _through_first_paper(records: Iterator[Paper | Problem]) -> list[Paper | Problem]:
    """The records up to and including the first paper (all of them when none is one)."""
    head = []
    for record in records:
        head.append(record)
        if isinstance(record, Paper):
            break
    return head


class _Indexing:
    """One index run: holds the lock, batches papers, merges duplicates, writes."""

    def __init__(
        self, settings: Settings, rebuild: bool, progress: Progress | None, estimate: int | None
    ) -> None:
        self.settings, self.rebuild, self.progress = settings, rebuild, progress
        self.estimate = estimate
        self.report = IndexReport()
        self.batch: dict[str, Paper] = {}
        self.indexed: dict[str, str] = {}  # paper_id -> content hash, for papers seen this run
        self.read_titles: dict[str, tuple[str, str]] = {}  # id -> (title key, file), this run
        self.seen = 0
        self.embedder = None

    def __enter__(self) -> _Indexing:
        catalog_path, self.bm25_dir, _ = paths_of(self.settings)
        self.lock = index_lock(self.settings)
        try:
            self.catalog = _open_catalog(catalog_path, set_aside_if_corrupt=self.rebuild)
            self.in_place = False  # a rebuild that re-embeds into the index as it stands
            if self.rebuild:
                self.store = _kept_store(self.settings, self.catalog)
                self.in_place = self.store is not None
                self.store = self.store or _fresh_store(self.settings, self.catalog, self.report)
            else:
                self.store = VectorStore(self.settings, expected_model_id(self.settings), None)
            self.vectors_lost = not self.in_place and self._vectors_lost()
            # each paper's id by its title: the same paper under another id is merged
            titles = list(self.catalog.titles())
            self.by_title = {paper_id_for(t or ""): pid for pid, t in titles}
            self.known = {pid for pid, _ in titles}
            self.stored_titles = {pid: t or "" for pid, t in titles}
        except BaseException:
            self.lock.release()
            raise
        return self

    def __exit__(self, kind, error, traceback) -> None:
        try:
            if kind is None:
                self._report(self.seen, "Building the keyword index")
                with self.report.timed("bm25"):
                    refresh_bm25(self.store, self.catalog, self.bm25_dir)
                self.report.total = self.catalog.count()
            self.catalog.close()
        finally:
            self.lock.release()
            if kind is None:  # read to the end: the papers seen are the total (records
                self.estimate = self.seen  # skipped or merged made "Done 1/2 papers")
            self._report(self.seen, "Done" if kind is None else "Failed")

    def _vectors_lost(self) -> bool:
        """Whether the catalog lists papers but the vector store holds none of them (its
        files deleted or moved): every paper of this run is then embedded again, never
        counted as unchanged."""
        papers = self.catalog.count()
        if not papers or self.store.count() > 0:
            return False
        self.report.problems.append(note(
            str(self.settings.data_dir / "chroma"), None,
            f"held no vectors for the {papers} indexed papers (deleted or moved?); the papers "
            "of these files are embedded again, others need `assistant index THEIR FILES`",
        ))  # fmt: skip
        return True

    def _report(self, done: float, stage: str) -> None:
        if self.progress:
            self.progress(int(done), max(self.estimate or 0, self.seen, int(done)), stage)

    def take(self, record: Paper | Problem) -> None:
        if isinstance(record, Problem):
            self.report.problems.append(record)
            return
        if not self._title_agrees(record):
            return
        record = self._same_paper(record)
        pid = record.paper_id
        earlier = self.batch.get(pid)
        if earlier is None and pid in self.indexed:  # a paper already written in this run
            earlier = self.catalog.get([pid]).get(pid)
            if earlier is None:
                return
        if earlier is not None and (clash := another_paper(earlier, record)):
            self.report.problems.append(clash)
            return
        if pid in self.batch:
            earlier.merge(record)
            return
        if earlier is not None:  # merged with what was written, written again if it changed
            earlier.merge(record)
            if earlier.content_hash == self.indexed[pid]:
                return
            record = earlier
        self.batch[pid] = record
        if len(self.batch) >= BATCH_PAPERS:
            self.flush()

    def _title_agrees(self, record: Paper) -> bool:
        """Whether the record's id is its own this run: two files that give one id to
        papers of different titles (exports that number their records 1..N) hold two
        papers, and the later is reported and skipped, never merged under the other's
        title. An id the index held for another title is replaced, and said so."""
        key = paper_id_for(record.title)
        first = self.read_titles.setdefault(record.paper_id, (key, record.source))
        if first[0] != key:
            self.report.problems.append(
                Problem(
                    record.source,
                    None,
                    f"duplicate id {record.paper_id!r}: {first[1]} gives it to another "
                    "title; the record is skipped (give each paper its own id)",
                )
            )
            return False
        stored = self.stored_titles.pop(record.paper_id, None)
        if stored is not None and paper_id_for(stored) != key:
            self.report.problems.append(
                note(
                    record.source,
                    None,
                    f"id {record.paper_id!r} was {stored!r}: replaced (two papers? give "
                    "each its own id)",
                )
            )
        return True

    def _same_paper(self, record: Paper) -> Paper:
        """The record as it is indexed: under its own id, or merged into the paper with
        its title already indexed or read under another id (a .bib export and a CSV of the
        same papers were indexed, and cited, twice)."""
        key = paper_id_for(record.title)
        other = self.by_title.setdefault(key, record.paper_id)
        self.known.add(other)
        if other == record.paper_id or record.paper_id in self.known:
            return record
        existing = self.batch.get(other) or self.catalog.get([other]).get(other)
        if existing is None or not _same_abstract(existing.abstract, record.abstract):
            self.known.add(record.paper_id)  # two papers of one title ("Introduction")
            return record
        self.report.problems.append(
            note(record.source, None, f"{record.title!r} is indexed already under id "
            f"{other!r}: merged into it")
        )  # fmt: skip
        record.paper_id = other
        if other in self.batch or other in self.indexed:
            return record  # merged with what this run read of it (see take)
        record.merge(existing)  # this file's record, with what the other file gave besides
        return record

    def flush(self) -> None:
        if not self.batch:
            return
        papers = list(self.batch.values())
        self.batch = {}
        # a rebuild in place embeds every paper again, and counts it added
        known = {} if self.in_place else self.catalog.hashes_for([p.paper_id for p in papers])
        same = {
            p.paper_id: not self.vectors_lost and p.same_content(known.get(p.paper_id))
            for p in papers
        }
        todo = [p for p in papers if not same[p.paper_id]]
        moved = [p for p in papers if same[p.paper_id] and known[p.paper_id] != p.catalog_stamp]
        self.catalog.restamp(moved)  # a renamed file, or an index from before stamps
        fresh = [p for p in papers if p.paper_id not in self.indexed]
        self.report.unchanged += sum(same[p.paper_id] for p in fresh)
        self.report.updated += sum(
            p.paper_id in known and p.paper_id not in self.indexed for p in todo
        )
        self.report.added += sum(p.paper_id not in known for p in todo)
        self.report.title_only += [p.title for p in todo if not p.abstract]
        if todo:
            self._write(todo)
        for paper in papers:
            self.indexed[paper.paper_id] = paper.content_hash
        self.seen += len(fresh)
        self._report(self.seen, "Embedding papers")

    def _write(self, papers: list[Paper]) -> None:
        from assistant.index.chunking import Chunker
        from assistant.index.llama_embedding import AssistantEmbedding

        if self.embedder is None:
            self._report(self.seen, "Loading the embedding model")
            with self.report.timed("load model"):
                self.chunker = Chunker(self.settings.chunk_size, self.settings.chunk_overlap)
                self.embedder = AssistantEmbedding(make_embedder(self.settings))
        with self.report.timed("chunk"):
            chunks = [chunk for paper in papers for chunk in self.chunker.chunks(paper)]
        with self.report.timed("embed"):
            parts = []
            for start in range(0, len(chunks), EMBED_STEP):
                batch = [c.text for c in chunks[start : start + EMBED_STEP]]
                parts.extend(self.embedder.get_text_embedding_batch(batch))
                share = min(1.0, (start + len(batch)) / max(len(chunks), 1))
                self._report(self.seen + share * len(papers), "Embedding papers")
            vectors = np.array(parts, dtype=np.float32)
        with self.report.timed("store"):
            ids = [p.paper_id for p in papers]
            try:
                self.store.create(vectors.shape[1])
                self.store.delete_papers(ids)
                self.store.add(
                    [c.chunk_id for c in chunks],
                    vectors,
                    [c.text for c in chunks],
                    [c.paper_id for c in chunks],
                )
                counts = Counter(c.paper_id for c in chunks)
                self.catalog.put((p, counts[p.paper_id]) for p in papers)
            except Exception as error:
                if not _disk_full(error):
                    raise
                self._forget(ids)
                raise IndexError_(
                    f"the disk holding {self.settings.data_dir} is full; free some space and "
                    "run `assistant index` again (it resumes; nothing half-written was kept)"
                ) from None

    def _forget(self, paper_ids: list[str]) -> None:
        """Remove what a failed write left of these papers (vectors without a catalog row),
        as far as the full disk allows; the next run would remove the rest."""
        for cleanup in (lambda: self.store.delete_papers(paper_ids),
                        lambda: self.catalog.remove(paper_ids)):  # fmt: skip
            with contextlib.suppress(Exception):  # the disk is still full: next run's job
                cleanup()

    def prune(self) -> None:
        """Remove the papers the files no longer hold; not those of a file with records
        that could not be read (a paper whose line broke is not gone)."""
        gone = sorted(set(self.catalog.ids()) - set(self.indexed))
        unread = {problem.file for problem in self.report.problems if problem.skipped}
        kept: dict[str, int] = {}
        for paper in self.catalog.get(gone).values() if unread else ():
            if paper.source in unread:
                kept[paper.source] = kept.get(paper.source, 0) + 1
                gone.remove(paper.paper_id)
        for source, count in sorted(kept.items()):
            self.report.problems.append(
                note(
                    source,
                    None,
                    f"{papers_counted(count, 'indexed')} not found in it kept, not "
                    "pruned: some of its records could not be read (fix them and index again)",
                )
            )
        if gone:
            self.store.delete_papers(gone)
            self.catalog.remove(gone)
        self.report.removed = len(gone)


def _same_abstract(one: str, other: str) -> bool:
    """Whether two records of one title are one paper: the same abstract (case and spacing
    aside), or one of them has none."""
    return not one or not other or " ".join(one.lower().split()) == " ".join(other.lower().split())


def _disk_full(error: BaseException) -> bool:
    """Whether an error (from SQLite, Chroma's Rust core, or the OS) means no space left."""
    import errno

    text = str(error).lower()
    return (isinstance(error, OSError) and error.errno == errno.ENOSPC) or any(
        words in text for words in ("no space left", "disk is full", "database or disk is full")
    )


def _open_catalog(path: Path, set_aside_if_corrupt: bool) -> Catalog:
    """The catalog; on --rebuild an unreadable one is renamed aside (kept, not deleted)."""
    try:
        return Catalog(path)
    except IndexError_:
        if not set_aside_if_corrupt:
            raise
        path.rename(path.with_name(f"{path.name}.corrupt-{int(time.time())}"))
        return Catalog(path)


def _kept_store(settings: Settings, catalog: Catalog) -> VectorStore | None:
    """The collection as it stands, when it holds papers and was built with these settings:
    a rebuild then embeds every paper it reads into it again and removes the others at the
    end, so that an interrupted rebuild (Ctrl-C) leaves the papers it had not reached as
    they were, instead of an index emptied first. None when it must start from nothing."""
    if not catalog.count():
        return None
    try:
        store = VectorStore(settings, expected_model_id(settings), None)
    except IndexError_:  # built otherwise, or unreadable: _fresh_store's to handle
        return None
    return store if store.exists else None


def _fresh_store(settings: Settings, catalog: Catalog, report: IndexReport) -> VectorStore:
    """Drop everything of this collection, even if it was built with other settings. An
    on-disk store too damaged to open (a truncated or garbage chroma.sqlite3) is renamed
    aside, kept for the user, and the rebuild starts from an empty one."""
    try:
        old = VectorStore(settings, expected_model_id(settings), None, check=False)
    except IndexError_:
        store_dir = settings.data_dir / "chroma"
        if uses_server(settings) or not store_dir.exists():
            raise
        from chromadb.api.client import SharedSystemClient

        aside = store_dir.with_name(f"chroma.corrupt-{int(time.time())}")
        store_dir.rename(aside)
        SharedSystemClient.clear_system_cache()  # chromadb keeps one client per path
        report.problems.append(Problem(
            str(store_dir), None,
            f"unreadable, moved to {aside.name} and rebuilt empty; any other collection "
            "it held must be indexed again",
        ))  # fmt: skip
    else:
        old.drop()
    catalog.clear()
    return VectorStore(settings, expected_model_id(settings), None)


def refresh_bm25(store: VectorStore, catalog: Catalog, bm25_dir: Path) -> BM25Index:
    """The saved BM25 index if it matches the catalog, else one rebuilt from the store."""
    version = catalog.version()
    index = BM25Index.load(bm25_dir, version)
    if index is None:
        index = BM25Index.build(store.iter_chunks())
        index.save(bm25_dir, version)
    return index
