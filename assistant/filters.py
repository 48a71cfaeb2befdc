"""Year and author filters: from options (--since, --until, --author) or from the question
("papers from 2023 about role-play", "since 2024", "before 2020", "papers by Smith").

A filter narrows the papers retrieval may return to those whose metadata matches; papers
without a year (or without author names) cannot match, and the answer says how many.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from assistant.corpus.paper import Paper
from assistant.errors import InputError

_YEAR = r"((?:19|20)\d\d)"
_PATTERNS = (
    (re.compile(rf"\b(?:between|from) {_YEAR} (?:and|to|until) {_YEAR}\b", re.I), "range"),
    # "from 2023 or 2024": both years (and any between them, as the note then says)
    (re.compile(rf"\b(?:from|in|published in) {_YEAR},? (?:or|and) {_YEAR}\b", re.I), "range"),
    (re.compile(rf"\b(?:since|after|from) {_YEAR} on(?:wards?)?\b", re.I), "since"),
    (re.compile(rf"\b(?:since) {_YEAR}\b", re.I), "since"),
    (re.compile(rf"\bafter {_YEAR}\b", re.I), "after"),
    (re.compile(rf"\bbefore {_YEAR}\b", re.I), "before"),
    (re.compile(rf"\b(?:until|up to|through) {_YEAR}\b", re.I), "until"),
    (re.compile(rf"\b(?:from|in|published in) {_YEAR}\b", re.I), "year"),
)
# "in 2023" / "from 2023" filters only when the question is about papers ("papers from
# 2023", "work published in 2020"): in "30 million cases in 2010" the year is content.
_ABOUT_PAPERS = re.compile(
    r"\b(?:papers?|works?|stud(?:y|ies)|articles?|research|publications?|published|"
    r"literature|preprints?|those|these|them)\b",
    re.I,
)
_AUTHOR = re.compile(
    r"\b(?:(?:papers?|work|articles?|studies|research|those|these|them)\s+(?:\w+\s+)?|written "
    r"|authored )by "
    r"((?:[A-Z][\w'’-]+\.?\s?){1,3})"
)


@dataclass(frozen=True)
class PaperFilter:
    since: int | None = None
    until: int | None = None
    author: str | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise InputError(f"--since {self.since} is after --until {self.until}")

    @property
    def active(self) -> bool:
        return self.since is not None or self.until is not None or bool(self.author)

    @property
    def by_year(self) -> bool:
        return self.since is not None or self.until is not None

    def describe(self) -> str:
        parts = []
        if self.since is not None and self.since == self.until:
            parts.append(f"from {self.since}")
        elif self.since is not None and self.until is not None:
            parts.append(f"from {self.since} to {self.until}")
        elif self.since is not None:
            parts.append(f"from {self.since} on")
        elif self.until is not None:
            parts.append(f"up to {self.until}")
        if self.author:
            parts.append(f"by an author named {self.author}")
        return " ".join(parts)

    def admits(self, paper: Paper) -> bool:
        if self.by_year:
            if paper.year is None:
                return False
            if self.since is not None and paper.year < self.since:
                return False
            if self.until is not None and paper.year > self.until:
                return False
        if self.author:
            names = paper.authors if isinstance(paper.authors, list) else []
            # a whole name or word of one: "Smith" is not "Smithers"
            wanted = re.compile(rf"(?<!\w){re.escape(self.author.lower())}(?!\w)")
            if not any(wanted.search(_first_name_first(name).lower()) for name in names):
                return False
        return True

    def lacks(self, paper: Paper) -> bool:
        """The paper has no metadata this filter needs."""
        no_year = self.by_year and paper.year is None
        no_names = bool(self.author) and not isinstance(paper.authors, list)
        return no_year or no_names

    def merged(self, other: PaperFilter) -> PaperFilter:
        """Options win over what the question says: each bound given replaces the one it
        states ("since 2020" with --until 2023 is 2020 to 2023), and where the two would
        make a range that ends before it begins, the options' years stand alone ("papers
        from 2019" with --since 2024 is from 2024 on)."""
        since = other.since if other.since is not None else self.since
        until = other.until if other.until is not None else self.until
        if since is not None and until is not None and since > until:
            since, until = other.since, other.until
        return replace(self, since=since, until=until, author=other.author or self.author)


def from_question(question: str) -> tuple[PaperFilter, str]:
    """The filter a question about papers states, and the question without it: a lower
    and an upper bound may come from two phrases ("since 2020 and before 2024")."""
    since = until = None
    about_papers = bool(_ABOUT_PAPERS.search(question))
    for pattern, kind in _PATTERNS:
        if kind == "year" and not about_papers:
            continue
        match = pattern.search(question)
        if not match or (since is not None and kind in ("since", "after", "range", "year")):
            continue
        if until is not None and kind in ("before", "until", "range", "year"):
            continue
        years = [int(y) for y in match.groups()]
        if kind == "range":
            since, until = min(years), max(years)
        elif kind == "since":
            since = years[0]
        elif kind == "after":
            since = years[0] + 1
        elif kind == "before":
            until = years[0] - 1
        elif kind == "until":
            until = years[0]
        else:
            since = until = years[0]
        question = (question[: match.start()] + question[match.end() :]).strip()
    if since is not None and until is not None and since > until:
        raise InputError(
            f"the question asks for papers from {since} on and up to {until}: no year is both"
        )
    author = None
    match = _AUTHOR.search(question)
    if match:
        author = match.group(1).strip().rstrip(".")
        question = (question[: match.start(1) - 3] + question[match.end() :]).strip()
    return PaperFilter(since, until, author), " ".join(question.split())


@dataclass
class Selection:
    """The papers a filter admits, and how many papers lack the metadata it needs."""

    paper_ids: set[str]
    lacking: int
    total: int

    @staticmethod
    def missing_metadata(flt: PaperFilter) -> str:
        """What a paper lacks when the filter cannot judge it: "year", "author names"."""
        if flt.by_year and flt.author:
            return "year or author names"
        return "year" if flt.by_year else "author names"

    def unusable_note(self, flt: PaperFilter) -> str:
        return (
            f"No indexed paper records its {self.missing_metadata(flt)}, so papers "
            f"{flt.describe()} could not be selected: the question was searched as written."
        )

    def note(self, flt: PaperFilter) -> str:
        what = self.missing_metadata(flt)
        note = f"Only papers {flt.describe()}: {len(self.paper_ids)} of {self.total}"
        if self.lacking:
            verb, are = ("has", "is") if self.lacking == 1 else ("have", "are")
            note += f" ({self.lacking} {verb} no {what} and {are} left out)"
        return note + "."


def select(papers: Iterable[Paper], flt: PaperFilter) -> Selection:
    ids, lacking, total = set(), 0, 0
    for paper in papers:
        total += 1
        if flt.admits(paper):
            ids.add(paper.paper_id)
        elif flt.lacks(paper):
            lacking += 1
    return Selection(ids, lacking, total)


def _first_name_first(name: str) -> str:
    """ "Levine, Sergey" as "Sergey Levine" (BibTeX writes surnames first), so that "by
    Sergey Levine" finds it; a name without a comma as written."""
    surname, comma, given = name.partition(",")
    return f"{given.strip()} {surname.strip()}" if comma and given.strip() else name
