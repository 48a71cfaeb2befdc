"""The library API: everything the CLI and a notebook do goes through `Assistant`."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from pathlib import Path

from assistant.answer.model import Answer
from assistant.config import Settings, load_settings
from assistant.corpus.paper import Paper
from assistant.errors import EndpointError, InputError
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
        categories: Sequence[str] | None = None,
    ) -> IndexReport:
        """Index corpus files or folders (default: the bundled seeds).

        `categories` keeps only arXiv records in one of them (e.g. ["cs.CL"])."""
        from assistant.corpus import bundled_seeds
        from assistant.index.indexer import index_paths

        chosen = [Path(p) for p in paths] or [bundled_seeds()]
        report = index_paths(
            self.settings,
            chosen,
            rebuild=rebuild,
            prune=prune,
            fmt=fmt,
            categories=frozenset(categories) if categories else None,
            progress=self.progress,
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

    def ask(
        self,
        question: str,
        *,
        llm: bool | None = None,
        on_token: Callable[[str], None] | None = None,
        only: Collection[str] | None = None,
    ) -> Answer:
        """A cited answer: by the LLM when one is configured (or `llm=True`), else extractive.

        `on_token` receives the LLM's text as it streams. With `fallback="offline"` a failing
        endpoint gives an extractive answer with a warning instead of an error. `only`
        limits the evidence to some paper ids.
        """
        from assistant.answer.relevance import (
            ABSOLUTE_FLOOR,
            CANDIDATES,
            FOLLOW_UP_FLOOR,
            RelevanceScorer,
        )

        question = check_question(question)
        use_llm = self.settings.llm_configured if llm is None else llm
        ranking = self.engine.retriever.retrieve(question, k=CANDIDATES, only=only)
        scored = RelevanceScorer(self.engine.embedder, self.engine.bm25).score(ranking)
        floor = FOLLOW_UP_FLOOR if only is not None else ABSOLUTE_FLOOR
        return self._answer(question, scored, use_llm, on_token, floor)

    def _answer(self, question, scored, use_llm: bool, on_token, floor: float) -> Answer:
        from assistant.answer.extractive import extractive_answer

        if not use_llm:
            return extractive_answer(question, scored, floor)
        from assistant.answer.llm import llm_answer

        try:
            return llm_answer(question, scored, self.settings, on_token, floor)
        except EndpointError as error:
            if self.settings.fallback != "offline":
                raise
            answer = extractive_answer(question, scored, floor)
            answer.warnings.append(f"LLM failed ({error}); answered offline instead")
            return answer

    def describe(self, question: str, papers: Sequence[Paper]) -> Answer:
        """An extractive overview of given papers ("tell me more about [2]")."""
        from assistant.answer.extractive import describe_papers

        return describe_papers(check_question(question), list(papers))

    def chat(self):
        """A conversation that keeps context: `.ask(question)` answers follow-ups."""
        from assistant.chat import Conversation

        return Conversation(self)

    def related_work(self, topic: str, *, words: int = 250, llm: bool | None = None):
        """A related-work draft on `topic`: themed paragraphs citing the relevant papers."""
        from assistant.answer.model import CANNOT_ANSWER
        from assistant.answer.relevance import RelevanceScorer
        from assistant.related_work import (
            MAX_PAPERS,
            RelatedWork,
            cluster,
            extractive_related_work,
            llm_related_work,
            name_themes,
            select_papers,
        )

        topic = check_question(topic)
        if words < 50:
            raise InputError("--words must be at least 50")
        use_llm = self.settings.llm_configured if llm is None else llm
        engine = self.engine
        ranking = engine.retriever.retrieve(topic, k=2 * MAX_PAPERS)
        scored = RelevanceScorer(engine.embedder, engine.bm25).score(ranking, limit=2 * MAX_PAPERS)
        papers = select_papers(scored)
        if not papers:
            return RelatedWork(topic, CANNOT_ANSWER, "llm" if use_llm else "extractive", True)
        vectors = engine.store.paper_vectors([p.hit.paper.paper_id for p in papers])
        groups = cluster(papers, vectors)
        names = name_themes(groups, engine.bm25, topic)
        if use_llm:
            try:
                return llm_related_work(topic, groups, names, words, self.settings)
            except EndpointError as error:
                if self.settings.fallback != "offline":
                    raise
                draft = extractive_related_work(topic, groups, names, words)
                draft.warnings.append(f"LLM failed ({error}); drafted offline instead")
                return draft
        return extractive_related_work(topic, groups, names, words)
