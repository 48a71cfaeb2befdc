"""The catalog: one row per indexed paper (its record, content hash and chunk count).

A paper is written here only after its chunks are in the vector store, so the catalog
always describes a usable index; an interrupted run resumes from it. It lives in SQLite
beside the store: atomic commits, and no need to hold a large corpus in memory.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

from assistant.corpus.paper import Paper
from assistant.errors import IndexError_

_SCHEMA = """
CREATE TABLE IF NOT EXISTS papers (
    paper_id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    n_chunks INTEGER NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Catalog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        try:
            self.db = sqlite3.connect(path, timeout=30)
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as error:
            raise IndexError_(
                f"the paper catalog {path} is unreadable ({error}); "
                "run `assistant index YOUR FILES --rebuild`"
            ) from None

    def close(self) -> None:
        self.db.close()

    def _rows(self, column: str, paper_ids: Iterable[str]) -> Iterator[tuple[str, str]]:
        """(paper_id, column) of the given papers that are indexed, 500 ids per query."""
        ids = list(paper_ids)
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            marks = ",".join("?" * len(batch))
            yield from self.db.execute(
                f"SELECT paper_id, {column} FROM papers WHERE paper_id IN ({marks})", batch
            )

    def hashes_for(self, paper_ids: Iterable[str]) -> dict[str, str]:
        """paper_id -> catalog stamp (Paper.catalog_stamp) of the given papers indexed."""
        return dict(self._rows("content_hash", paper_ids))

    def titles(self) -> Iterator[tuple[str, str]]:
        """(paper_id, title) of every paper indexed."""
        yield from self.db.execute("SELECT paper_id, json_extract(record, '$.title') FROM papers")

    def ids(self) -> Iterator[str]:
        for (paper_id,) in self.db.execute("SELECT paper_id FROM papers"):
            yield paper_id

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM papers").fetchone()[0]

    def put(self, papers: Iterable[tuple[Paper, int]]) -> None:
        """Record papers whose chunks are stored; commits at once."""
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO papers VALUES (?, ?, ?, ?)",
                [
                    (p.paper_id, p.catalog_stamp, n, json.dumps(p.to_dict(), ensure_ascii=False))
                    for p, n in papers
                ],
            )
            self._bump_version()

    def restamp(self, papers: Iterable[Paper]) -> None:
        """New stamps and records for papers whose content (and so vectors) did not change."""
        rows = [(p.catalog_stamp, json.dumps(p.to_dict(), ensure_ascii=False), p.paper_id)
                for p in papers]  # fmt: skip
        if rows:
            with self.db:
                self.db.executemany(
                    "UPDATE papers SET content_hash = ?, record = ? WHERE paper_id = ?", rows
                )
                self._bump_version()

    def remove(self, paper_ids: Iterable[str]) -> None:
        with self.db:
            self.db.executemany("DELETE FROM papers WHERE paper_id = ?", [(i,) for i in paper_ids])
            self._bump_version()

    def clear(self) -> None:
        with self.db:
            self.db.execute("DELETE FROM papers")
            self._bump_version()

    def get(self, paper_ids: Iterable[str]) -> dict[str, Paper]:
        return {
            pid: Paper.from_dict(json.loads(record))
            for pid, record in self._rows("record", paper_ids)
        }

    def all(self) -> Iterator[Paper]:
        for (record,) in self.db.execute("SELECT record FROM papers ORDER BY rowid"):
            yield Paper.from_dict(json.loads(record))

    def version(self) -> str:
        """Changes whenever the set of indexed papers or their content changes."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        return row[0] if row else "empty"

    def mark_indexed_by_user(self) -> None:
        """Record that `assistant index` was run here (the bundled seeds never come in)."""
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('indexed_by_user', '1')")
        self.db.commit()

    def indexed_by_user(self) -> bool:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'indexed_by_user'").fetchone()
        return row is not None

    def _bump_version(self) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (uuid.uuid4().hex,))
