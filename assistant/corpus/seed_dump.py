"""Readers for the two listing dumps in `seeds/`.

Lines format: one paper per line, `<upvotes or -> <title><abstract> <N> authors · <date> [N]`,
with the title and the abstract run together (see `title_split`).
Blocks format: a title line, then an abstract line, separated by blank lines, after some
page chrome ("Subscribe", a date) that is recognised by not being followed by an abstract.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from assistant.corpus.paper import Paper
from assistant.corpus.records import Problem, Record, utf8
from assistant.corpus.text import DATE_PATTERN, find_urls, repair_text, year_of
from assistant.corpus.title_split import split_title

_LINE_RECORD = re.compile(r"^(?P<upvotes>-|\d+) (?P<body>.+)$")
_TRAILER = re.compile(rf"\s+(?P<authors>\d+) authors? · (?P<date>{DATE_PATTERN})(?:\s+\d+)?\s*$")
MAX_TITLE_CHARS = 300
MIN_ABSTRACT_CHARS = 150


def looks_like_lines_format(head: str) -> bool:
    """True when the first non-empty lines carry the `N authors · date` trailer."""
    lines = [line for line in head.splitlines() if line.strip()][:5]
    return bool(lines) and sum(bool(_TRAILER.search(line)) for line in lines) >= len(lines) / 2


def _paper(title: str, abstract: str, source: str, **fields: object) -> Paper:
    abstract = repair_text(abstract)
    return Paper(
        title=repair_text(title),
        abstract=abstract,
        source=source,
        urls=find_urls(abstract),
        **fields,
    )


def _strip_trailer(body: str) -> tuple[str, dict]:
    """Remove the trailing `N authors · date [N]` and return what it said."""
    trailer = _TRAILER.search(body)
    if not trailer:
        return body, {}
    date = trailer.group("date")
    return body[: trailer.start()], {
        "authors": int(trailer.group("authors")),
        "date": date,
        "year": year_of(date),
    }


def read_lines_format(path: Path, text: str) -> Iterator[Record]:
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _LINE_RECORD.match(line)
        if not match:
            yield Problem(path.name, number, "not a listing line (expected '<votes or -> <title>')")
            continue
        body, fields = _strip_trailer(match.group("body"))
        if match.group("upvotes") != "-":
            fields["upvotes"] = int(match.group("upvotes"))
        parts = split_title(repair_text(body))
        if parts is None:
            yield Problem(path.name, number, "cannot tell the title from the abstract")
            continue
        yield _paper(parts[0], parts[1], path.name, **fields)


def _is_abstract(line: str) -> bool:
    return len(line) >= MIN_ABSTRACT_CHARS and bool(re.search(r"[.!?]( |$)", line))


def read_blocks_format(path: Path, text: str) -> Iterator[Record]:
    previous: tuple[int, str] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if _is_abstract(line):
            if previous is None:
                yield Problem(path.name, number, "abstract without a title line before it")
            else:
                abstract, fields = _strip_trailer(line)
                yield _paper(previous[1], abstract, path.name, **fields)
            previous = None
        elif len(line) <= MAX_TITLE_CHARS:
            previous = (number, line)  # a title, or chrome if no abstract follows
        else:
            yield Problem(path.name, number, "line too long for a title and not an abstract")
            previous = None


def read_seed_dump(path: Path) -> Iterator[Record]:
    """Either listing format, told apart by the `N authors · date` trailers."""
    text = utf8(path.read_bytes())
    if looks_like_lines_format(text[:20000]):
        yield from read_lines_format(path, text)
    else:
        yield from read_blocks_format(path, text)
