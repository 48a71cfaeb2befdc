"""The Chroma collection that holds chunk vectors, and the record of what built it.

The collection's metadata names the embedding model, its dimension and the chunking
settings; opening it with other settings is refused instead of returning nonsense.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.errors import IndexError_
from assistant.index.chroma_server import connect, describe_failure, uses_server
from assistant.index.chunking import paper_of_chunk

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class DenseHit:
    chunk_id: str
    paper_id: str
    similarity: float


def _client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if uses_server(settings):
        return connect(settings, chroma_settings)
    path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as error:
        if _read_only(path):  # rebuilding would not help: it could not write either
            raise IndexError_(
                f"the vector store in {path} is read-only: make it writable, or set "
                "ASSISTANT_DATA_DIR to a folder you can write"
            ) from None
        raise IndexError_(
            f"the vector store in {path} is unreadable ({type(error).__name__}); "
            "run `assistant index YOUR FILES --rebuild`"
        ) from None


def _read_only(path: Path) -> bool:
    """Whether the store's folder or its database cannot be written (SQLite opens it for
    writing, even to read)."""
    database = path / "chroma.sqlite3"
    return not os.access(path, os.W_OK) or (database.exists() and not os.access(database, os.W_OK))


class _ServerCollection:
    """A collection on a Chroma server: a failed call (the server went away, the token was
    revoked) is a one-line IndexError_ that a chat survives, not a library traceback."""

    def __init__(self, collection: Any, settings: Settings) -> None:
        self._collection, self._settings = collection, settings

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._collection, name)
        if not callable(attribute):
            return attribute

        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return attribute(*args, **kwargs)
            except Exception as error:
                raise IndexError_(describe_failure(error, self._settings)) from None

        return guarded


class VectorStore:
    """Chunk vectors of one collection, with the paper id of each chunk in its metadata."""

    def __init__(
        self, settings: Settings, model_id: str, dimension: int | None, *, check: bool = True
    ) -> None:
        self.settings = settings
        self.client = _client(settings)
        self.name = f"{settings.collection}-chunks"
        self.build_info = {
            "embedding_model": model_id,
            "chunk_size": settings.chunk_size,
            "chunk_overlap": settings.chunk_overlap,
            "schema": SCHEMA_VERSION,
        }
        self.dimension = dimension
        self.collection = self._open_existing(check)

    def _open_existing(self, check: bool) -> Any:
        try:
            names = {c if isinstance(c, str) else c.name for c in self.client.list_collections()}
            if self.name not in names:
                return None
            collection = self._guarded(self.client.get_collection(self.name))
        except Exception as error:
            if uses_server(self.settings):
                raise IndexError_(describe_failure(error, self.settings)) from None
            raise IndexError_(
                f"cannot open the index collection {self.name} ({type(error).__name__}: "
                f"{error}); run `assistant index YOUR FILES --rebuild`"
            ) from None
        if check:
            self._check_built_like_this(collection.metadata or {})
        return collection

    def _check_built_like_this(self, recorded: dict) -> None:
        for key, wanted in self.build_info.items():
            if recorded.get(key) != wanted:
                raise IndexError_(
                    f"the index was built with {key}={recorded.get(key)!r} but the current "
                    f"settings use {wanted!r}; run `assistant index YOUR FILES --rebuild` or "
                    "restore the settings it was built with"
                )
        if self.dimension is None:
            self.dimension = recorded.get("dimension")

    @property
    def exists(self) -> bool:
        return self.collection is not None

    def create(self, dimension: int) -> None:
        """Create the collection (if missing), recording what builds it."""
        if self.collection is not None:
            return
        self.dimension = dimension
        self.collection = self._guarded(
            self.client.get_or_create_collection(
                self.name,
                metadata={**self.build_info, "dimension": dimension},
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            )
        )

    def _guarded(self, collection: Any) -> Any:
        if uses_server(self.settings):
            return _ServerCollection(collection, self.settings)
        return collection

    def drop(self) -> None:
        if self.collection is not None:
            self.client.delete_collection(self.name)
            self.collection = None

    def add(self, ids: list[str], vectors: np.ndarray, texts: list[str], paper_ids: list[str]):
        if vectors.shape[1] != self.dimension:
            raise IndexError_(
                f"embedding dimension {vectors.shape[1]} does not match the index's "
                f"{self.dimension}; run `assistant index YOUR FILES --rebuild`"
            )
        self.collection.upsert(
            ids=ids,
            embeddings=vectors.tolist(),
            documents=texts,
            metadatas=[{"paper_id": pid} for pid in paper_ids],
        )

    def delete_papers(self, paper_ids: Sequence[str]) -> None:
        if self.collection is None or not paper_ids:
            return
        for start in range(0, len(paper_ids), 500):
            batch = list(paper_ids[start : start + 500])
            self.collection.delete(where={"paper_id": {"$in": batch}})

    def count(self) -> int:
        return self.collection.count() if self.collection is not None else 0

    def query(
        self, vector: np.ndarray, k: int, paper_ids: Sequence[str] | None = None
    ) -> list[DenseHit]:
        """The k chunks nearest the vector, optionally only among some papers' chunks."""
        if self.collection is None:
            return []
        if self.dimension and len(vector) != self.dimension:
            raise IndexError_(
                f"the query embedding has dimension {len(vector)} but the index has "
                f"{self.dimension}; use the embedding model the index was built with"
            )
        k = min(k, self.count())
        if k == 0:
            return []
        where = {"paper_id": {"$in": list(paper_ids)}} if paper_ids is not None else None
        # Distances only: reading hundreds of documents and metadata rows would cost more
        # than the search; a chunk id names its paper, and texts() fetches the few needed.
        result = self.collection.query(
            query_embeddings=[vector.tolist()], n_results=k, where=where, include=["distances"]
        )
        return [
            DenseHit(chunk_id, paper_of_chunk(chunk_id), 1.0 - float(distance))
            for chunk_id, distance in zip(result["ids"][0], result["distances"][0], strict=True)
        ]

    def texts(self, chunk_ids: Sequence[str]) -> dict[str, str]:
        """The stored text of some chunks, by chunk id."""
        if self.collection is None or not chunk_ids:
            return {}
        result = self.collection.get(ids=list(chunk_ids), include=["documents"])
        return dict(zip(result["ids"], (d or "" for d in result["documents"]), strict=True))

    def paper_vectors(self, paper_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Each paper's mean chunk vector, normalised: one point per paper for clustering."""
        if self.collection is None or not paper_ids:
            return {}
        got = self.collection.get(
            where={"paper_id": {"$in": list(paper_ids)}}, include=["embeddings", "metadatas"]
        )
        sums: dict[str, np.ndarray] = {}
        for vector, meta in zip(got["embeddings"], got["metadatas"], strict=True):
            pid = meta["paper_id"]
            sums[pid] = sums.get(pid, 0) + np.asarray(vector, dtype=np.float32)
        return {pid: v / max(float(np.linalg.norm(v)), 1e-12) for pid, v in sums.items()}

    def iter_chunks(self, page: int = 5000) -> Iterator[tuple[str, str, str]]:
        """(chunk_id, paper_id, text) of every stored chunk, page by page."""
        if self.collection is None:
            return
        offset = 0
        while True:
            got = self.collection.get(include=["documents", "metadatas"], limit=page, offset=offset)
            if not got["ids"]:
                return
            for chunk_id, document, meta in zip(
                got["ids"], got["documents"], got["metadatas"], strict=True
            ):
                yield chunk_id, meta["paper_id"], document or ""
            offset += len(got["ids"])
