"""Drafting a related-work section: the papers the relevance decision judges on topic,
grouped into named themes (writing.themes), one sentence per paper (writing.prose).

With an LLM, the same themes are the outline: the model writes one paragraph per theme
from that theme's papers, and every paragraph's citations are checked as an answer's are.
Markdown uses [n]; LaTeX uses \\cite{key} with keys matching `--bib`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.answer.citations import check_citations, renumber
from assistant.answer.evidence import Sentence
from assistant.answer.mentions import defined_once
from assistant.answer.model import CANNOT_ANSWER, Citation, references_markdown
from assistant.bibtex import citation_keys, to_bibtex
from assistant.corpus.contribution import (
    BENCHMARK,
    METHOD,
    SURVEY,
    contribution,
    names_benchmark,
)
from assistant.corpus.paper import Paper, papers_counted
from assistant.errors import InputError
from assistant.markup import EMPHASIS, converted
from assistant.retrieval import PaperHit
from assistant.writing.prose import best_sentence, paper_name
from assistant.writing.themes import Theme

ANALYSIS = "analysis"  # a paper that neither proposes a method nor a benchmark, nor surveys
UNREAD = "unread"  # a paper indexed by its title alone: of no kind the prose can tell
MIN_SENTENCE_WORDS = 14  # a paper's sentence is cut to its share of --words, not below this
OPENING_WORDS = 10  # a theme's heading and opening sentence
WORDS_TOLERANCE = 0.15
MIN_PARAGRAPH_WORDS = 60
MAX_EXTRA = 2  # further sentences per paper when a draft falls short of --words


@dataclass
class ScoredPaper:
    """A paper the relevance decision kept, with its sentences scored against the topic."""

    hit: PaperHit
    relevance: float
    sentences: list[Sentence]

    @property
    def paper(self):
        return self.hit.paper


@dataclass
class RelatedWork:
    topic: str
    text: str  # markdown with [n]
    mode: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # with --verify: one {"sentence", "citations", "supported", "reason"} per cited sentence
    support: list[dict] | None = None

    @property
    def keys(self) -> dict[str, str]:
        """Each cited paper's BibTeX key, by paper id (`li2024mossbench`, or its own)."""
        return citation_keys(c.paper for c in self.citations)

    def to_markdown(self) -> str:
        """The draft followed by its numbered references."""
        if not self.citations:
            return self.text
        return f"{self.text}\n\n**References**\n\n{references_markdown(self.citations)}\n"

    def __str__(self) -> str:
        return self.to_markdown()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        from assistant.notebook import answer_html

        return answer_html(self.text, self.citations)

    def to_latex(self) -> str:
        """The draft in LaTeX, each [n] a \\cite{key} of `to_bibtex()`."""
        keys = self.keys
        by_number = {c.n: keys[c.paper.paper_id] for c in self.citations}

        def cite(match: re.Match) -> str:
            numbers = [int(n) for n in re.findall(r"\d+", match.group(1))]
            return "\\cite{" + ",".join(by_number[n] for n in numbers if n in by_number) + "}"

        def latex(paragraph: str) -> str:
            heading = re.match(r"\*\*(.+?)\*\*\s*", paragraph)
            body = paragraph[heading.end() :] if heading else paragraph
            body = latex_escape(body)
            body = re.sub(r"\\\{?\*(.+?)\*", r"\1", body)
            body = EMPHASIS.sub(r"\\emph{\1}", body)
            body = re.sub(r"\s?\[(\d+(?:,\s*\d+)*)\]", lambda m: "~" + cite(m), body)
            if heading:
                body = f"\\paragraph{{{latex_escape(heading.group(1).rstrip('.'))}.}} {body}"
            return body

        # a title's own "*" or "_" (escaped in the markdown) is no emphasis
        parts = [converted(p, latex, latex_escape) for p in self.text.split("\n\n")]
        return "\n\n".join(parts) + "\n"

    def to_bibtex(self) -> str:
        """One BibTeX entry per cited paper, keyed as `keys`."""
        return to_bibtex((c.paper for c in self.citations), self.keys)

    def to_dict(self, fmt: str = "markdown") -> dict:
        """The `related-work --json` object, its text in `fmt` (markdown or latex)."""
        if fmt not in ("markdown", "latex"):
            raise InputError(f"fmt must be 'markdown' or 'latex', not {fmt!r}")
        keys = self.keys
        return {
            "topic": self.topic,
            "format": fmt,
            "text": self.to_latex() if fmt == "latex" else self.text,
            "mode": self.mode,
            "abstained": self.abstained,
            "themes": [
                {"name": t.name, "papers": [self._number(p) for p in t.papers]} for t in self.themes
            ],
            "citations": [{**c.to_dict(), "key": keys[c.paper.paper_id]} for c in self.citations],
            "warnings": self.warnings,
            **({"support": self.support} if self.support is not None else {}),
        }

    def _number(self, paper: ScoredPaper) -> int | None:
        for citation in self.citations:
            if citation.paper.paper_id == paper.hit.paper.paper_id:
                return citation.n
        return None


def latex_escape(text: str) -> str:
    """Text for LaTeX's text mode under pdflatex's defaults: its special characters
    escaped, "<" and ">" (which print as "¡" and "¿") and the Unicode dashes it rejects
    spelled out, and straight quotes as `...' and ``...''."""
    replacements = {
        "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
        "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\^{}",
        "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
        "\u2012": "-", "\u2013": "--", "\u2014": "---", "\u2212": "-",
    }  # fmt: skip
    escaped = "".join(replacements.get(char, char) for char in text)
    escaped = re.sub(r"(?<![\w'])'([^'\n]+?)'(?![\w])", r"`\1'", escaped)  # not "models'"
    quoted = re.sub(r'"([^"\n]*)"', r"``\1''", escaped)
    return quoted.replace("'''", "'\\,''").replace("```", "``\\,`")  # nested: thin space


def topical_score(paper: ScoredPaper) -> float:
    """Closeness in meaning (best chunk and best sentence) to the topic.

    A topic is a phrase, not a question: its rarest word (a British spelling, say) should
    not decide what belongs in the section, so term coverage is left out here."""
    best_sentence = max((s.score for s in paper.sentences), default=0.0)
    return (paper.hit.dense + best_sentence) / 2


def select_papers(decision, picker, max_papers: int | None = None) -> list[ScoredPaper]:
    """The papers the relevance decision judged on topic (the `max_papers` most probable
    when given), most topical first."""
    chosen = decision.relevant[:max_papers]
    sentences = picker.pick([j.paper for j in chosen])
    scored = [ScoredPaper(j.hit, j.probability, sentences[j.paper.paper_id]) for j in chosen]
    return sorted(scored, key=topical_score, reverse=True)


def _count(n: int) -> str:
    words = "One Two Three Four Five Six Seven Eight Nine Ten Eleven Twelve".split()
    return words[n - 1] if n <= len(words) else str(n)


def _markers(numbers: list[int]) -> str:
    return "[" + ", ".join(str(n) for n in numbers) + "]"


# What each kind of paper does, as the opening counts them: (one, several).
_DOES = {
    BENCHMARK: ("introduces a benchmark", "introduce benchmarks"),
    SURVEY: ("is a survey", "are surveys"),
    ANALYSIS: ("is an analysis", "are analyses"),
    METHOD: ("proposes a method", "propose methods"),
}
_PLURAL = {BENCHMARK: "benchmarks", SURVEY: "surveys", ANALYSIS: "analyses"}


def _kind(paper: Paper) -> str:
    """A paper's kind for prose: a survey (whatever framework it unifies), else a method
    where it proposes one, else a benchmark, else an analysis; a paper whose title names
    its benchmark ("VISCO: Benchmarking ...") is a benchmark first."""
    if not paper.abstract.strip():
        return UNREAD
    kinds = contribution(paper)
    order = (
        (BENCHMARK, METHOD, SURVEY) if names_benchmark(paper.title) else (METHOD, BENCHMARK, SURVEY)
    )
    return next((k for k in order if k in kinds), ANALYSIS)


def _opening(theme: Theme, numbers: list[int], kinds: list[tuple[int, str]] = ()) -> str:
    """What the theme's papers have in common: the heading's phrase, and, where they are
    of more than one kind (`kinds`: each paper's number and kind), how many do what.
    (A second shared phrase joined by "and" read as keywords glued together: "study math
    and intermediate step".)"""
    first = theme.name.split()[0]
    # "Over-refusal" reads "over-refusal" mid-sentence; "LoRA", "RLHF" keep their capitals
    name = theme.name[:1].lower() + theme.name[1:] if first[1:].islower() else theme.name
    verb = "studies" if len(numbers) == 1 else "study"
    papers = "paper" if len(numbers) == 1 else "papers"
    opening = f"{_count(len(numbers))} {papers} {_markers(numbers)} {verb} {name}"
    groups = [(k, sorted(n for n, kind in kinds if kind == k)) for k in _DOES]
    groups = [(k, group) for k, group in groups if group]
    if len(groups) > 1:
        parts = [
            f"{_count(len(group)).lower()}{' of them' if i == 0 else ''} "
            f"{_DOES[k][len(group) > 1]} {_markers(group)}"
            for i, (k, group) in enumerate(groups)
        ]
        opening += ": " + ", ".join(parts[:-1]) + f"{',' if len(parts) > 2 else ''} and {parts[-1]}"
    return opening + "."


@dataclass
class _Sentences:
    paper: ScoredPaper
    text: str
    kind: str  # METHOD, BENCHMARK, SURVEY or ANALYSIS (see _kind)
    says_so: bool  # its first sentence is where it makes that contribution


def _paper_sentences(
    theme: Theme, numbers: dict[str, int], budget: int, extra: dict[str, int], contrast: bool
) -> list[_Sentences]:
    """One sentence per paper (more for those in `extra`), by kind: benchmarks,
    surveys and analyses first, then methods, with a `contrast` between them."""
    written = []
    for paper in theme.papers:
        name = f"{paper_name(paper.paper)} [{numbers[paper.paper.paper_id]}]"
        ranked = [s.position for s in paper.sentences]
        kind = _kind(paper.paper)
        first = best_sentence(paper.paper, ranked, name, budget, kind=kind)
        later, used = [], {first.position}
        for _ in range(extra.get(paper.paper.paper_id, 0)):
            more = best_sentence(paper.paper, ranked, "It", budget, frozenset(used))
            if more.position in used or not more.own:
                break
            later.append((more.position, more.text))
            used.add(more.position)
        # after the sentence that names it, the paper's others in its abstract's order: its
        # aim before its findings, not "It tests whether ..." after them
        texts = [first.text, *(text for _, text in sorted(later))]
        written.append(_Sentences(paper, " ".join(texts), kind, first.contributes))
    order = [*_DOES, UNREAD]  # "See also *X* [5]." last
    ordered = sorted(written, key=lambda w: order.index(w.kind))  # stable
    unnamed = 0  # papers named "one study", then "another study"
    for w in ordered:
        if re.search(r"\b[Oo]ne (?:study|paper) \[", w.text):
            if unnamed:
                w.text = re.sub(r"\b([Oo])ne (study|paper) \[", _another, w.text, count=1)
            unnamed += 1
    others = [w.kind for w in ordered if w.kind not in (METHOD, UNREAD)]
    methods = [w for w in ordered if w.kind == METHOD]
    first_method = methods[0] if others and methods else None
    said = first_method is not None and first_method.says_so
    if contrast and said and not first_method.text.startswith("According"):
        opening = first_method.text
        opening = opening if opening.startswith("*") else _lower_first(opening)
        kind = others[0] if len(set(others)) == 1 else None
        these = f"these {_PLURAL[kind]}" if kind else "these studies"
        if len(others) == 1:
            these = f"this {_DOES[kind][0].split()[-1]}" if kind else "this study"
        first_method.text = f"In contrast to {these}, " + opening
    return ordered


def _another(match: re.Match) -> str:
    return ("A" if match.group(1) == "O" else "a") + f"nother {match.group(2)} ["


def _lower_first(text: str) -> str:
    head = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if head in {"One", "Another"} else text


def _draft(
    themes: list[Theme], budget: int, more: int = 0, contrast: bool = True
) -> tuple[list[ScoredPaper], str]:
    """The draft with each paper's sentences cut to `budget` words, and `more` further
    sentences dealt out to the papers, most topical first; each acronym defined once. The
    papers are numbered in the order the draft speaks of them (within a theme by kind,
    methods last), and returned in that order. `contrast`: say which papers analyse
    and which build (a short draft may have no room for it)."""
    papers = [p for theme in themes for p in theme.papers]
    numbers = {p.paper.paper_id: n for n, p in enumerate(papers, start=1)}
    by_topicality = sorted(papers, key=topical_score, reverse=True)
    extended: dict[str, int] = {}
    for i in range(more):
        paper_id = by_topicality[i % len(papers)].paper.paper_id
        extended[paper_id] = extended.get(paper_id, 0) + 1
    paragraphs, spoken = [], []
    for theme in themes:
        written = _paper_sentences(theme, numbers, budget, extended, contrast)
        kinds = [(numbers[w.paper.paper.paper_id], w.kind) for w in written if contrast]
        opening = _opening(theme, [numbers[p.paper.paper_id] for p in theme.papers], kinds)
        paragraphs.append(f"**{theme.name}.** {opening} " + " ".join(w.text for w in written))
        spoken += [w.paper for w in written]
    mapping = {numbers[p.paper.paper_id]: n for n, p in enumerate(spoken, start=1)}
    return spoken, renumber(defined_once("\n\n".join(paragraphs)), mapping)


def extractive_related_work(
    topic: str,
    themes: list[Theme],
    words: int,
    on_topic: int | None = None,
    rename: Callable[[list[list]], list[Theme]] | None = None,
) -> RelatedWork:
    """One paragraph per theme, one sentence per paper, each sentence cut to a share of
    `words`. When even that is too long, the openings no longer count the kinds of paper;
    only when that is not enough are papers left out, those the relevance decision is
    least sure of first: the weakest whose leaving keeps the draft long enough.
    `on_topic`: how many papers the decision judged on topic, when --max-papers kept
    fewer. `rename` names the themes again when papers were left out: a heading two
    papers shared may now name one."""
    themes = [Theme(t.name, list(t.papers)) for t in themes]
    limit = words * (1 + WORDS_TOLERANCE)
    n = sum(len(t.papers) for t in themes)
    budget = max(MIN_SENTENCE_WORDS, (words - OPENING_WORDS * len(themes)) // max(n, 1))
    papers, text = _draft(themes, budget)
    while len(text.split()) > limit and budget > MIN_SENTENCE_WORDS:
        budget = max(MIN_SENTENCE_WORDS, budget - 4)  # shorter sentences before fewer papers
        papers, text = _draft(themes, budget)
    more = 0
    while len(text.split()) < words * (1 - WORDS_TOLERANCE) and more < MAX_EXTRA * len(papers):
        more += 1  # too short: further sentences, most topical papers first
        longer = _draft(themes, budget, more)
        if len(longer[1].split()) > limit:
            break
        papers, text = longer
    contrast = True
    if len(text.split()) > limit:  # what kind each paper is, before any paper is left out
        contrast = False
        papers, text = _draft(themes, budget, contrast=False)
    left_out = 0
    while len(text.split()) > limit and len(papers) > 1:
        weakest_first = sorted(papers, key=lambda p: p.relevance)
        fallback = None
        for paper in weakest_first:  # drafted one at a time: most drafts stop at the first
            kept = _without(themes, paper)
            trial = _draft(kept, budget, contrast=contrast)
            fallback = fallback or (trial, kept)
            if len(trial[1].split()) >= words * (1 - WORDS_TOLERANCE):
                fallback = (trial, kept)
                break
        (papers, text), themes = fallback
        left_out += 1
    if left_out and rename is not None:
        renamed = rename([t.papers for t in themes])
        trial = _draft(renamed, budget, contrast=False)  # a short draft: no room for kinds
        if len(trial[1].split()) <= limit:
            themes, (papers, text) = renamed, trial
    citations = [Citation(n, p.paper) for n, p in enumerate(papers, start=1)]
    draft = RelatedWork(topic, text, "extractive", False, citations, themes)
    if len(text.split()) < words * (1 - WORDS_TOLERANCE):
        how_many = f"only {papers_counted(len(papers))} judged on this topic"
        if on_topic and on_topic > len(papers) + left_out:
            how_many = f"--max-papers keeps {len(papers)} of the {on_topic} papers on this topic"
        draft.warnings.append(
            f"{how_many}: the draft has {len(text.split())} of the {words} words asked for"
        )
    if left_out:
        draft.warnings.append(
            f"{papers_counted(left_out, 'relevant')} left out to stay near {words} words; "
            "raise --words to cite them"
        )
    return draft


def _without(themes: list[Theme], paper) -> list[Theme]:
    """The themes with one paper left out (and a theme it leaves empty dropped)."""
    kept = [Theme(t.name, [p for p in t.papers if p is not paper]) for t in themes]
    return [t for t in kept if t.papers]


def _paragraph_words(theme: Theme, themes: list[Theme], words: int) -> int:
    total = sum(len(t.papers) for t in themes)
    return max(MIN_PARAGRAPH_WORDS, words * len(theme.papers) // total)


def llm_related_work(topic: str, themes: list[Theme], words: int, settings) -> RelatedWork:
    """The outline is the themes; the model writes each theme's paragraph from that theme's
    papers alone, and each paragraph's citations are checked, then numbered across the
    draft in order of first use."""
    from assistant.answer.llm import (
        _chat,
        build_evidence,
        count_tokens,
        cut_warning,
        declined,
        declined_warning,
    )
    from assistant.prompts import load_prompt, system_prompt

    system = system_prompt("related_work_system", settings.prompts_dir)
    template = load_prompt("related_work_theme", settings.prompts_dir)
    numbers: dict[str, int] = {}  # paper_id -> its number in the draft
    cited: list[ScoredPaper] = []
    paragraphs, kept, warnings = [], [], _legacy_prompt_warning(settings.prompts_dir)
    any_cut = False  # a reply cut to the answer budget: said once for the draft
    for theme in themes:
        values = {
            "topic": topic,
            "theme": theme.name,
            "words": str(_paragraph_words(theme, themes, words)),
        }
        overhead = count_tokens(system) + count_tokens(template.render(evidence="", **values))
        budget = settings.llm_context_window - settings.llm_answer_tokens - overhead - 24
        evidence = build_evidence(theme.papers, budget)
        text, _, cut = _chat(
            settings, system, template.render(evidence=evidence.text, **values), None
        )
        any_cut = any_cut or cut
        if declined(text):  # even when it goes on to cite: "... But see [1]."
            warnings.append(f"the model found nothing to write for the theme '{theme.name}'")
            warnings.extend(declined_warning(text, evidence, f"the theme '{theme.name}'"))
            continue
        checked = check_citations(text, len(evidence.papers), exempt=(CANNOT_ANSWER,))
        warnings.extend(f"{theme.name}: {w}" for w in checked.warnings)
        mapping = {}
        for local, evidence_number in enumerate(checked.order, start=1):
            paper = evidence.papers[evidence_number - 1]
            if paper.paper.paper_id not in numbers:
                numbers[paper.paper.paper_id] = len(numbers) + 1
                cited.append(paper)
            mapping[local] = numbers[paper.paper.paper_id]
        body = renumber(_without_heading(checked.text), mapping)
        paragraphs.append(f"**{theme.name}.** {body}")
        kept.append(Theme(theme.name, [p for p in theme.papers if p in cited]))
    if any_cut:
        warnings.append(cut_warning(settings))
    if not cited:
        return RelatedWork(topic, CANNOT_ANSWER, "llm", True, warnings=warnings)
    uncited = [p.paper.title for t in themes for p in t.papers if p not in cited]
    if uncited:
        warnings.append(
            f"the draft leaves {papers_counted(len(uncited), 'relevant')} of its outline "
            "uncited: " + "; ".join(uncited)
        )
    citations = [Citation(numbers[p.paper.paper_id], p.paper) for p in cited]
    text = "\n\n".join(paragraphs)
    written = len(text.split())
    if abs(written - words) > WORDS_TOLERANCE * words:
        warnings.append(f"the model wrote {written} of the {words} words asked for (--words)")
    draft = RelatedWork(topic, text, "llm", False, citations, kept, warnings)
    if settings.verify:
        from assistant.answer.llm_checks import verify

        draft = verify(draft, settings)
    return draft


def _legacy_prompt_warning(prompts_dir) -> list[str]:
    """A user's related_work_user.txt (one prompt for the whole draft) is no longer read."""
    if prompts_dir is None or not (prompts_dir / "related_work_user.txt").is_file():
        return []
    return [
        f"{prompts_dir / 'related_work_user.txt'} is no longer read: drafts are written one "
        "theme at a time from related_work_theme.txt ({evidence}, {topic}, {theme}, {words})"
    ]


def _without_heading(text: str) -> str:
    """A paragraph without the bold heading a model may add despite the prompt."""
    return re.sub(r"^\s*(?:\*\*[^*\n]{1,80}\*\*|#+ [^\n]*)\s*", "", text).strip()
