"""The library API: everything the CLI and a notebook do goes through `Assistant`."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from assistant import arguments
from assistant.answer.model import Answer
from assistant.answer.question import (
    check_question,
    with_slips_meant,
    without_citation_markers,
    without_unknown_alternatives,
)
from assistant.config import Settings, load_settings
from assistant.corpus.paper import Paper
from assistant.errors import EndpointError, InputError
from assistant.filters import Selection, from_question
from assistant.index.indexer import IndexReport, Progress
from assistant.redaction import protect_logs, register_secret
from assistant.retrieval import Ranking

NO_TOPIC_QUERY = 'the query names no topic, only common words; search for one, e.g. "over-refusal"'


#: How many of the papers closest to a question for a kind of paper are read for it.
KIND_POOL = 300


def _none_pass(count: int, topic: str) -> str:
    """Why a filtered question cites nothing: of the papers the filter admits, none is on
    the topic (the collection may hold some from other years or authors)."""
    return f"No paper among the {count} that pass the filter is about {topic}."


class Assistant:
    """Cited question answering over a collection of paper abstracts.

    `Assistant()` reads the same configuration as the CLI (environment variables);
    keyword arguments override it, e.g. `Assistant(data_dir="/tmp/idx", collection="mine")`.
    """

    def __init__(self, settings: Settings | None = None, **overrides: object) -> None:
        if settings is not None and not isinstance(settings, Settings):
            raise InputError(
                f"settings must be a Settings object, not {type(settings).__name__}; "
                "or pass options by name, e.g. Assistant(data_dir=...)"
            )
        self.settings = settings or load_settings(**overrides)
        for secret in (self.settings.openai_api_key, self.settings.chroma_api_key):
            if secret is not None:
                register_secret(secret.get_secret_value())
        protect_logs()
        self.progress: Progress | None = None  # (done, total, stage) while indexing
        self.notice: Callable[[str], None] | None = None  # one-line notes (LLM call costs)
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
        from assistant.corpus import READERS, bundled_seeds
        from assistant.index.indexer import index_paths

        chosen = arguments.paths(paths) or [bundled_seeds()]
        categories = arguments.texts(categories, "categories")
        report = index_paths(
            self.settings,
            chosen,
            rebuild=bool(arguments.flag(rebuild, "rebuild")),
            prune=bool(arguments.flag(prune, "prune")),
            fmt=None if fmt is None else arguments.one_of(fmt, "fmt", sorted(READERS)),
            categories=frozenset(categories) if categories else None,
            progress=self.progress,
        )
        self._engine = None
        return report

    def papers(self) -> list[Paper]:
        """Every indexed paper (the bundled seeds are indexed on first use)."""
        return list(self.engine.catalog.all())

    def _filter(
        self, question: str, since, until, author, read_note: str = ""
    ) -> tuple[str, Selection | None, str]:
        """The question without its stated filter, the papers the filter admits (None when
        there is no filter), and the note that says what was filtered, after `read_note`
        (how the question's slips were read)."""
        from assistant.filters import select

        def noted(note: str) -> str:
            return f"{read_note} {note}".strip()

        stated, rest = from_question(question)
        given = _given_filter(since, until, author)
        chosen = stated.merged(given)
        if not chosen.active:
            return question, None, noted("")
        selection = select(self.engine.catalog.all(), chosen)
        if not given.active and selection.lacking == selection.total:
            # no paper has the metadata: the question's words serve better than a filter
            return question, None, noted(selection.unusable_note(chosen))
        return rest or question, selection, noted(selection.note(chosen))

    def _selected(self, question: str, within: set[str], note: str, llm: bool) -> Answer:
        """The answer to a question that is only a filter: the papers it selects."""
        from assistant.answer.abstain import selected_papers

        papers = [p for p in self.engine.catalog.all() if p.paper_id in within]
        answer = selected_papers(question, papers, llm)
        answer.text = f"_{note}_\n\n{answer.text}"
        return answer

    def _kind_filter(
        self, question: str, within: set[str] | None, note: str
    ) -> tuple[str, set[str] | None, str, str]:
        """When the question asks for a kind of paper (a benchmark, a survey): the papers
        of that kind (within those already selected), the question ("" when it names
        no topic beyond the kind), a note that says so, and the kind ("" for none)."""
        from assistant.answer.paper_kinds import KIND_NOTES, asked_kind
        from assistant.answer.question import classify
        from assistant.corpus.contribution import contribution

        kind, topical = asked_kind(question)
        if kind is None or classify(question)[0] != "list":
            return question, within, note, ""
        # what a paper contributes is read from its abstract: of the papers closest to
        # the question, not the whole of a large collection
        ranking = self.engine.retriever.retrieve(question, k=KIND_POOL, only=within)
        ids = {h.paper.paper_id for h in ranking.hits if kind in contribution(h.paper)}
        total = self.engine.catalog.count() if within is None else len(within)
        read = f"{total}" if len(ranking.hits) >= total else f"the {KIND_POOL} closest"
        said = f"Only papers {KIND_NOTES[kind]}: {len(ids)} of {read}."
        return question if topical else "", ids, f"{note} {said}".strip(), kind

    def search(
        self,
        query: str,
        k: int = 10,
        mode: str = "hybrid",
        *,
        since: int | None = None,
        until: int | None = None,
        author: str | None = None,
    ) -> Ranking:
        """Papers ranked for a query, each once, with a snippet; `since`, `until` and
        `author` (or "from 2023", "by Smith" in the query) keep only matching papers."""
        from assistant.answer.question import has_topic_words

        query = check_question(query, "query")
        k = arguments.whole_number(k, "k", 1)
        mode = arguments.search_mode(mode)
        engine = self.engine  # an index that cannot be opened says so, whatever the query
        query, read_note = with_slips_meant(query, engine.bm25)
        query, selection, note = self._filter(query, since, until, author, read_note)
        if not has_topic_words(query):  # "the of", "?!": every paper would score the same
            return Ranking(query, [], note=NO_TOPIC_QUERY)
        only = selection.paper_ids if selection is not None else None
        ranking = engine.retriever.retrieve(query, k=k, mode=mode, only=only)
        ranking.note = note
        return ranking

    def ask(
        self,
        question: str,
        *,
        llm: bool | None = None,
        on_token: Callable[[str], None] | None = None,
        only: Collection[str] | None = None,
        follow_up: str | None = None,
        since: int | None = None,
        until: int | None = None,
        author: str | None = None,
    ) -> Answer:
        """A cited answer: by the LLM when one is configured (or `llm=True`), else extractive.

        `on_token` receives the LLM's text as it streams. With `fallback="offline"` a failing
        endpoint gives an extractive answer with a warning instead of an error. `only`
        limits the evidence to the papers a follow-up is about, and of those to the ones
        whose abstract mentions what `follow_up` (the user's words, when `question` is their
        rewritten form; default: `question`) asks about; `since`, `until` and
        `author` (or "from 2023", "by Smith" in the question) to papers that match.
        """
        from assistant.answer.abstain import about_the_collection, by_absence, stated
        from assistant.answer.decision import decide
        from assistant.answer.question import (
            asks_about_the_collection,
            asks_by_absence,
            without_exclusion,
        )

        question = check_question(question)
        if follow_up is not None:
            follow_up = check_question(follow_up, "follow-up")
        llm = arguments.flag(llm, "llm")
        if on_token is not None and not callable(on_token):
            raise InputError(f"on_token must be a function of the text, not {on_token!r}")
        use_llm = self.settings.uses_llm(llm)
        question, read_note = with_slips_meant(question, self.engine.bm25)
        if asks_about_the_collection(question):
            return about_the_collection(question, self.engine.catalog.count(), use_llm)
        if only is None and asks_by_absence(question):
            return by_absence(question, use_llm)
        asked, excluded = without_exclusion(question) if only is None else (question, "")
        asked, selection, note = self._filter(asked, since, until, author, read_note)
        within = selection.paper_ids if selection is not None else None
        kind = ""
        if only is None:  # "Which papers introduce a benchmark for X?": the kind filters
            asked, within, note, kind = self._kind_filter(asked, within, note)
        listing = only is None and not excluded  # not "which of those?", "... but not X"
        if within is not None and (not within or (listing and not asked)):
            # no paper to answer from whatever the topic, or no topic beyond the filter
            return self._selected(question, within, note, use_llm)
        if follow_up:  # "which of those use RL since 2024?" asks the papers about RL
            follow_up = from_question(follow_up)[1] or follow_up
        only = arguments.paper_ids(only)
        catalog = self.engine.catalog
        if only is not None and catalog and (unknown := set(only) - set(catalog.hashes_for(only))):
            raise InputError(
                f"no indexed paper has the id {sorted(unknown)[0]!r}"
                + (f" (nor do {len(unknown) - 1} more)" if len(unknown) > 1 else "")
                + "; `assistant papers --json` lists the ids"
            )
        decision = decide(self.engine, asked, only=only, within=within, follow_up=follow_up)
        decision.analysis = replace(decision.analysis, question=question)
        if kind:  # each paper's quote is where it introduces its benchmark
            decision.analysis = replace(decision.analysis, fact=kind)
        if (
            listing
            and within is not None
            and decision.analysis.english
            and not decision.analysis.has_topic
        ):
            return self._selected(question, within, note, use_llm)  # "papers from 2023?"
        if excluded and decision.relevant:
            topic = decision.analysis.topic
            decision = _excluding(decision, excluded, self.engine.bm25)
            if not decision.relevant:
                text = f"Every paper on {topic} mentions {excluded} too."
                return stated(question, text, use_llm)
        if selection is not None and decision.analysis.has_topic and not decision.relevant:
            # the filter, not the collection, holds nothing on it: "refusal from 2024"
            answer = stated(
                question, _none_pass(len(selection.paper_ids), decision.analysis.topic), use_llm
            )
        else:
            answer = self._answer(decision, use_llm, on_token)
        if decision.weak and answer.citations:
            answer.warnings.append(
                f"a weak match (coverage {decision.covered:.2f}): the collection may not "
                "cover this question; check that the papers cited bear on it"
            )
        if note:
            answer.text = f"_{note}_\n\n{answer.text}"
        return answer

    def _offline(self, decision) -> Answer:
        """The extractive answer, or the abstention that says why there is none."""
        from assistant.answer.abstain import abstention
        from assistant.answer.extractive import extractive_answer

        if not decision.relevant:
            return abstention(decision.analysis, decision.judged, "extractive")
        picker = decision.picker(self.engine)
        return extractive_answer(
            decision.analysis, decision.judged, decision.relevant, picker, decision.lead
        )

    def _unchecked(self, answer: Answer) -> Answer:
        """An offline answer, with a warning when LLM checks were asked for: --verify and
        --rerank llm need an LLM (none is configured, or --no-llm), and are not run."""
        asked = [
            name
            for name, on in (
                ("--verify", self.settings.verify),
                ("--rerank llm", self.settings.llm_rerank),
            )
            if on
        ]
        if asked and answer.citations:
            need = "needs" if len(asked) == 1 else "need"
            answer.warnings.append(
                f"{' and '.join(asked)} {need} an LLM: this answer is quoted from the abstracts, "
                "unchecked"
            )
        return answer

    def _answer(self, decision, use_llm: bool, on_token) -> Answer:
        from assistant.answer.abstain import abstention

        if not use_llm:
            return self._unchecked(self._offline(decision))
        from assistant.answer.llm import llm_answer
        from assistant.answer.llm_checks import rerank, verify

        warnings: list[str] = []
        try:
            if self.settings.llm_rerank and decision.judged:
                reranked, warnings = rerank(
                    decision.analysis.question, decision.judged, self.settings, self.notice
                )
                decision.relevant = decision.relevant if reranked is None else reranked
            if not decision.relevant:
                answer = abstention(decision.analysis, decision.judged, "llm")
            else:
                answer = llm_answer(decision, self.settings, on_token)
                if self.settings.verify:
                    answer = verify(answer, self.settings)
            answer.warnings[:0] = warnings
            return answer
        except EndpointError as error:
            if self.settings.fallback != "offline":
                raise
            answer = self._offline(decision)
            answer.warnings.append(f"LLM failed ({error}); answered offline instead")
            return answer

    def describe(self, question: str, papers: Sequence[Paper], sentences: int = 4) -> Answer:
        """An extractive overview of given papers ("tell me more about [2]"): the first
        `sentences` of each abstract."""
        from assistant.answer.extractive import describe_papers

        iterable = isinstance(papers, Iterable) and not isinstance(papers, str | bytes)
        listed = list(papers) if iterable else None  # a list, a dict's .values(), ...
        if not listed or not all(isinstance(p, Paper) for p in listed):
            raise InputError(
                "describe() takes a non-empty list of Paper records, from papers() or a "
                "citation's .paper"
            )
        sentences = arguments.whole_number(sentences, "sentences", 1)
        return describe_papers(check_question(question), listed, sentences)

    def chat(self, *, llm: bool | None = None, **filters: int | str | None):
        """A conversation that keeps context: `.ask(question)` answers follow-ups.

        `llm=False` keeps it offline even when an LLM is configured; `since`, `until` and
        `author` apply to every question."""
        from assistant.chat import Conversation

        unknown = set(filters) - {"since", "until", "author"}
        if unknown:
            named = ", ".join(sorted(unknown))
            raise InputError(f"chat() takes since, until and author, not {named}")
        _given_filter(filters.get("since"), filters.get("until"), filters.get("author"))
        return Conversation(self, llm=arguments.flag(llm, "llm"), filters=filters)

    def related_work(
        self,
        topic: str,
        *,
        words: int = 250,
        max_papers: int | None = None,
        llm: bool | None = None,
        since: int | None = None,
        until: int | None = None,
        author: str | None = None,
    ):
        """A related-work draft on `topic`: themed paragraphs citing every paper judged on
        topic (the `max_papers` most probable when given; only those from `since` to
        `until`, by `author`, when given)."""
        from assistant.answer.abstain import abstention
        from assistant.answer.decision import decide
        from assistant.related_work import (
            RelatedWork,
            extractive_related_work,
            llm_related_work,
            select_papers,
        )
        from assistant.writing.themes import cluster, name_themes

        topic = without_citation_markers(check_question(topic, noun="topic"))
        words = arguments.whole_number(words, "words", arguments.MIN_DRAFT_WORDS)
        max_papers = arguments.optional_whole_number(max_papers, "max_papers", 1)
        llm = arguments.flag(llm, "llm")
        use_llm = self.settings.uses_llm(llm)
        engine = self.engine
        # the draft is written on the topic as meant: "hallucination", not "halucination"
        meant, read_note = with_slips_meant(topic, engine.bm25)
        asked, selection, note = self._filter(meant, since, until, author, read_note)
        within = selection.paper_ids if selection else None
        asked, unknown = without_unknown_alternatives(asked, engine.bm25)
        if unknown:
            named = ", ".join(f'"{w}"' for w in unknown)
            lacked = f"no paper in the collection mentions {named}: the draft covers the rest"
            note = f"{note}; {lacked}" if note else lacked[:1].upper() + lacked[1:]
        decision = decide(engine, asked, within=within, survey=True)
        papers = select_papers(decision, decision.picker(engine), max_papers)
        mode = "llm" if use_llm else "extractive"
        if not papers:  # the same explanation as an answer's: no topic, not English, ...
            text = abstention(decision.analysis, decision.judged, mode, noun="topic").text
            if selection is not None and decision.analysis.has_topic:
                text = _none_pass(len(selection.paper_ids), decision.analysis.topic)
            draft = RelatedWork(topic, text, mode, True)
            draft.warnings.extend([note] if note else [])
            return draft
        vectors = engine.store.paper_vectors([p.paper.paper_id for p in papers])
        groups = cluster(papers, vectors, key=lambda p: p.paper.paper_id)

        def rename(groups: list[list]) -> list:
            return name_themes(
                groups, engine.bm25, lambda p: (p.paper.title, p.paper.abstract), meant
            )

        themes = rename(groups)

        def offline():
            return extractive_related_work(meant, themes, words, len(decision.relevant), rename)

        draft = None
        if use_llm:
            try:
                draft = llm_related_work(meant, themes, words, self.settings)
            except EndpointError as error:
                if self.settings.fallback != "offline":
                    raise
                draft = offline()
                draft.warnings.append(f"LLM failed ({error}); drafted offline instead")
        draft = draft or offline()
        draft.warnings[:0] = [note] if note else []
        draft.topic = topic  # as the user gave it; the text is written on it as meant
        return draft


def _given_filter(since: object, until: object, author: object):
    """The filter a caller passes, its types checked."""
    from assistant.corpus.text import strip_controls
    from assistant.filters import PaperFilter

    author = arguments.optional_text(author, "author")
    author = None if author is None else " ".join(strip_controls(author).split())
    if author is not None and not author:
        raise InputError("the author is empty; give (part of) an author's name, e.g. Smith")
    return PaperFilter(
        arguments.optional_whole_number(since, "since", 1),
        arguments.optional_whole_number(until, "until", 1),
        author,
    )


def _excluding(decision, excluded: str, bm25):
    """The decision without the papers whose abstract mentions what "but not X" excludes;
    the answer's topic says so ("refusal but not jailbreaks")."""
    from assistant.answer.mentions import papers_mentioning
    from assistant.answer.question import analyse

    weights = {t: bm25.idf(t) for t in analyse(excluded, bm25).terms}
    papers = [j.paper for j in decision.relevant]
    mentioning = {p.paper_id for p in papers_mentioning(papers, weights)}
    topic = decision.analysis.topic
    decision.relevant = [j for j in decision.relevant if j.paper.paper_id not in mentioning]
    decision.analysis = replace(decision.analysis, topic=f"{topic}, but not {excluded}")
    return decision
