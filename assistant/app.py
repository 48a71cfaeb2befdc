"""The library API: everything the CLI and a notebook do goes through `Assistant`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assistant.answer.model import Answer
from assistant.config import Settings, load_settings
from assistant.corpus.paper import Paper
from assistant.errors import InputError
from assistant.index.indexer import IndexReport, Progress
from assistant.retrieval import Ranking

MAX_QUESTION_CHARS = 2000


def check_question(question: str) -> str:
    question = " ".join((question or "").split())
    if not question:
        raise InputError('the question is empty; ask something, e.g. "which papers study X?"')
    if len(question) > MAX_QUESTION_CHARS:
        raise InputError(
            f"the question is {len(question):,} characters long; the limit is "
            f"{MAX_QUESTION_CHARS:,}: ask about one topic at a time"
        )
    return question


class Assistant:
    """Cited question answering over a collection of paper abstracts.

    `Assistant()` reads the same configuration as the CLI (environment variables);
    keyword arguments override it, e.g. `Assistant(data_dir="/tmp/idx", collection="mine")`.
    """

    def __init__(self, settings: Settings | None = None, **overrides: object) -> None:
        self.settings = settings or load_settings(**overrides)
        self.progress: Progress | None = None  # called as (done, total) while indexing
        self._engine = None

    @property
    def engine(self):
        if self._engine is None:
            from assistant.engine import open_engine

            self._engine = open_engine(self.settings, self.progress)
        return self._engine

    def index(
        self,
        paths: Sequence[str | Path] = (),
        *,
        rebuild: bool = False,
        prune: bool = False,
        fmt: str | None = None,
    ) -> IndexReport:
        """Index corpus files or folders (default: the bundled seeds)."""
        from assistant.corpus import bundled_seeds
        from assistant.index.indexer import index_paths

        chosen = [Path(p) for p in paths] or [bundled_seeds()]
        report = index_paths(
            self.settings, chosen, rebuild=rebuild, prune=prune, fmt=fmt, progress=self.progress
        )
        self._engine = None
        return report

    def papers(self) -> list[Paper]:
        return list(self.engine.catalog.all())

    def search(self, query: str, k: int = 10, mode: str = "hybrid") -> Ranking:
        """Papers ranked for a query, each once, with a snippet."""
        query = check_question(query)
        if k < 1:
            raise InputError("-k must be at least 1")
        return self.engine.retriever.retrieve(query, k=k, mode=mode)

    def ask(self, question: str) -> Answer:
        """An extractive answer with [n] citations (LLM answers arrive with the LLM backend)."""
        from assistant.answer.extractive import extractive_answer
        from assistant.answer.relevance import CANDIDATES, RelevanceScorer

        question = check_question(question)
        ranking = self.engine.retriever.retrieve(question, k=CANDIDATES)
        scored = RelevanceScorer(self.engine.embedder, self.engine.bm25).score(ranking)
        return extractive_answer(question, scored)
