"""JSON Lines corpora: one object per line with a title and an abstract.

Accepted keys: `title`; `abstract` (or `text`, as in BEIR corpora); optional `id`/`_id`,
`authors` (list or "A and B" string), `year`, `date`, `url`/`urls`. A line that is not
JSON, or has no title, is reported with its line number and skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from assistant.corpus.paper import Paper
from assistant.corpus.records import Problem, Record
from assistant.corpus.text import find_urls, repair_text, year_of

MAX_ABSTRACT_CHARS = 100_000


def _authors(value: object) -> list[str] | int | None:
    if isinstance(value, list):
        return [str(a).strip() for a in value if str(a).strip()] or None
    if isinstance(value, str) and value.strip():
        return [a.strip() for a in value.replace(";", " and ").split(" and ") if a.strip()]
    if isinstance(value, int):
        return value
    return None


def _urls(value: object) -> list[str]:
    """A list of links from a list, or from one string ("urls": "http://...")."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [str(u).strip() for u in value if str(u).strip()]
    return []


def paper_from_record(record: dict, source: str) -> Paper | str:
    """A Paper from a mapping, or the reason it cannot be one."""
    title = repair_text(str(record.get("title") or ""))
    if not title:
        return "no title"
    abstract = repair_text(str(record.get("abstract") or record.get("text") or ""))
    if len(abstract) > MAX_ABSTRACT_CHARS:
        return f"abstract of {len(abstract):,} characters is too long to be an abstract"
    urls = _urls(record.get("urls") or record.get("url"))
    if not urls and record.get("categories") and record.get("id"):
        urls = [f"https://arxiv.org/abs/{record['id']}"]
    year = record.get("year")
    date = record.get("date") or record.get("update_date")
    date = str(date) if date else None
    try:
        year = int(str(year)[:4]) if year else (year_of(date) if date else None)
    except ValueError:
        year = None
    return Paper(
        title=title,
        abstract=abstract,
        source=source,
        authors=_authors(record.get("authors")),
        date=date,
        year=year,
        urls=list(dict.fromkeys([*[str(u) for u in urls], *find_urls(abstract)])),
        paper_id=_paper_id(record),
    )


def _paper_id(record: dict) -> str:
    """The record's own id, if any (arXiv ids get an `arxiv:` prefix); else title-derived."""
    given = str(record.get("id") or record.get("_id") or "").strip()
    if given and "categories" in record:
        return f"arxiv:{given}"
    return given


def read_jsonl(path: Path, categories: frozenset[str] | None = None) -> Iterator[Record]:
    """One record per line, streamed; with `categories`, only arXiv records in one of them
    (their `categories` field is a space-separated list such as "cs.CL cs.AI")."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                yield Problem(path.name, number, "not UTF-8 text")
                continue
            except json.JSONDecodeError as error:
                yield Problem(path.name, number, f"broken JSON ({error.msg})")
                continue
            if not isinstance(record, dict):
                yield Problem(path.name, number, "expected a JSON object")
                continue
            if categories is not None and not categories & set(
                str(record.get("categories", "")).split()
            ):
                continue
            paper = paper_from_record(record, path.name)
            if isinstance(paper, str):
                yield Problem(path.name, number, paper)
            else:
                yield paper
