"""An opened index: catalog, vector store, BM25 and embedder, ready to retrieve from."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.config import DEFAULT_COLLECTION, Settings
from assistant.errors import IndexError_
from assistant.index.bm25 import BM25Index
from assistant.index.catalog import Catalog
from assistant.index.embeddings import Embedder, expected_model_id, make_embedder
from assistant.index.indexer import Progress, index_paths, paths_of, refresh_bm25
from assistant.index.store import VectorStore
from assistant.retrieval import HybridRetriever


@dataclass
class Engine:
    settings: Settings
    catalog: Catalog
    store: VectorStore
    bm25: BM25Index
    embedder: Embedder
    retriever: HybridRetriever


def open_engine(settings: Settings, progress: Progress | None = None) -> Engine:
    """Open the collection; index the bundled seeds first if the default one is empty and
    `assistant index` was never run on it (a folder where the user's own files were tried
    gets no seeds; an interrupted first use starts again)."""
    catalog_path, bm25_dir, _ = paths_of(settings)
    catalog = Catalog(catalog_path) if catalog_path.exists() else None
    if catalog is None or catalog.count() == 0:
        if settings.collection != DEFAULT_COLLECTION:
            raise IndexError_(
                f"collection {settings.collection!r} is empty; run "
                f"`assistant index PATH --collection {settings.collection}` first"
            )
        if catalog is not None and catalog.indexed_by_user():  # and stored no paper
            raise IndexError_(
                f"collection {settings.collection!r} holds no papers (an earlier `assistant "
                "index` stored none); run `assistant index YOUR FILES`, or `assistant index` "
                "for the bundled seeds"
            )
        orphans = VectorStore(settings, expected_model_id(settings), None, check=False)
        if orphans.exists and orphans.count() > 0:  # vectors without their catalog: never mix
            raise IndexError_(
                f"the catalog of collection {settings.collection!r} is missing, but its vector "
                f"store holds {orphans.count()} chunks; run `assistant index YOUR FILES "
                "--rebuild` to index your papers again (the bundled seeds were not added)"
            )
        from assistant.corpus import bundled_seeds

        index_paths(settings, [bundled_seeds()], progress=_first_use(progress), first_use=True)
        catalog = catalog or Catalog(catalog_path)
    store = VectorStore(settings, expected_model_id(settings), None)
    if not store.exists or store.count() == 0:
        raise IndexError_(
            f"the index of collection {settings.collection!r} lists papers but holds no "
            "vectors (deleted or moved?); run `assistant index YOUR FILES --rebuild`"
        )
    bm25 = refresh_bm25(store, catalog, bm25_dir)
    embedder = make_embedder(settings)
    return Engine(
        settings, catalog, store, bm25, embedder, HybridRetriever(store, bm25, embedder, catalog)
    )


def _first_use(progress: Progress | None) -> Progress | None:
    """Progress that says why a question is indexing: its folder had no index yet (a
    mistyped --data-dir is indexed afresh with the bundled seeds)."""
    if progress is None:
        return None

    def update(done: int, total: int, stage: str) -> None:
        progress(done, total, f"{stage} (seeds, first use)")

    return update
