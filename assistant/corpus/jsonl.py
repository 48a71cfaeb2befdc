"""JSON Lines corpora: one object per line with a title and an abstract.

Accepted keys: `title`; `abstract` (or `text`, as in BEIR corpora); optional `id`/`_id`,
`authors` (list or "A and B" string), `year`, `date`, `url`/`urls`. A line that is not
JSON, or has no title, is reported with its line number and skipped.
"""

from __future__ import annotations

import codecs
import email.utils
import json
import math
from collections.abc import Iterator
from pathlib import Path

from assistant.corpus.paper import Paper, paper_id_for
from assistant.corpus.records import NOT_TEXT, NotText, Problem, Record, note, utf8
from assistant.corpus.text import find_urls, repair_text, year_of

MAX_ABSTRACT_CHARS = 100_000
# The longest titles of real papers run to about 300 characters; one of 200,000 is a field
# filled with something else, and would be printed whole in every answer that cites it.
MAX_TITLE_CHARS = 1_000
MIN_YEAR, MAX_YEAR = 1800, 2100  # a year outside is a typo or a garbled field: left unknown


def _authors(value: object) -> list[str] | int | None:
    if isinstance(value, list):  # names, or {"name": ...} objects; nulls and the like left out
        names = [a.get("name") if isinstance(a, dict) else a for a in value]
        return [a.strip() for a in names if isinstance(a, str) and a.strip()] or None
    if isinstance(value, str) and value.strip():
        names = [a.strip() for a in value.replace(";", " and ").split(" and ") if a.strip()]
        return [part for name in names for part in _comma_list(name)]
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:  # a count
        return value
    return None


def _comma_list(name: str) -> list[str]:
    """ "Kenji Tanaka, Laura Schmidt, Omar Haddad" is three names (a CSV or JSONL export
    writes them so); "Levine, Sergey" and "Smith, J." are one, surname first."""
    parts = [p.strip() for p in name.split(",") if p.strip()]
    if len(parts) > 1 and all(len(p.split()) > 1 for p in parts):
        return parts
    return [name]


def _urls(value: object) -> list[str]:
    """A list of links from a list, or from one string ("urls": "http://...")."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):  # links; nulls, numbers and objects left out
        return [u.strip() for u in value if isinstance(u, str) and u.strip()]
    return []


def _text(record: dict, *keys: str) -> str | None:
    """The first of the keys' values that is given, as text; None when it is not text (a
    list or an object would otherwise be stored as its Python form)."""
    value = next((record[k] for k in keys if record.get(k) not in (None, "")), "")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):  # NaN, Infinity: JSON's edge
        return None
    return repair_text(str(value))


def year_field(value: object, date: str | None) -> tuple[int | None, str | None]:
    """A plausible publication year from the year field, else from the date; and, when the
    field holds something else (a typo, a garbled value), a note saying it was ignored."""
    given = value is not None and str(value).strip() != ""
    year = None
    if given and not isinstance(value, bool):
        try:
            year = int(str(value).strip())
        except ValueError:  # "2023-05", "Mar 2023"
            year = year_of(str(value))
    if year is not None and MIN_YEAR <= year <= MAX_YEAR:
        return year, None
    fallback = year_of(date) if date else None
    if not given:
        return fallback, None
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    return fallback, f"year {shown} ignored (not a year from {MIN_YEAR} to {MAX_YEAR})"


def paper_from_record(record: dict, source: str) -> tuple[Paper | str, list[str]]:
    """A Paper from a mapping, or the reason it cannot be one; and notes on fields of it
    that were left out (each reader reports them at the record's line)."""
    title = _text(record, "title")
    if title is None:
        return "the title is not text", []
    if not title:
        return "no title", []
    if len(title) > MAX_TITLE_CHARS:
        return f"title of {len(title):,} characters is too long to be a title", []
    abstract = _text(record, "abstract", "text")
    if abstract is None:
        return "the abstract is not text", []
    if len(abstract) > MAX_ABSTRACT_CHARS:
        return f"abstract of {len(abstract):,} characters is too long to be an abstract", []
    urls = _urls(record.get("urls") or record.get("url"))
    if not urls and record.get("categories") and record.get("id"):
        urls = [f"https://arxiv.org/abs/{record['id']}"]
    date = _scalar(record.get("date")) or _first_version(record)
    date = date or _scalar(record.get("update_date"))
    year, year_note = year_field(record.get("year"), date)
    paper = Paper(
        title=title,
        abstract=abstract,
        source=source,
        authors=_authors(record.get("authors")),
        date=date,
        year=year,
        urls=list(dict.fromkeys([*[str(u) for u in urls], *find_urls(abstract)])),
        paper_id=_paper_id(record),
    )
    return paper, [year_note] if year_note else []


def _scalar(value: object) -> str | None:
    """A field's value as text when it is text or a number; None for a list or an object
    (stored as its Python form otherwise), a boolean or nothing."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value).strip() or None


def _first_version(record: dict) -> str | None:
    """When an arXiv record's first version was made ("Mon, 12 Jun 2017 17:57:34 GMT"): its
    `update_date` is its last revision's, years later."""
    versions = record.get("versions")
    first = versions[0] if isinstance(versions, list) and versions else None
    created = _scalar(first.get("created")) if isinstance(first, dict) else None
    try:  # ISO, as the snapshot's update_date is written
        return email.utils.parsedate_to_datetime(created).date().isoformat() if created else None
    except (TypeError, ValueError):
        return created


def _paper_id(record: dict) -> str:
    """The record's own id, if any (arXiv ids get an `arxiv:` prefix); else title-derived."""
    given = _scalar(record.get("id")) or _scalar(record.get("_id")) or ""
    if given and "categories" in record:
        return f"arxiv:{given}"
    return given


def read_jsonl(path: Path, categories: frozenset[str] | None = None) -> Iterator[Record]:
    """One record per line, streamed (or the items of a JSON array, as many exports write
    them); with `categories`, only arXiv records in one of them (their `categories` field
    is a space-separated list such as "cs.CL cs.AI"). A line whose id an earlier line gave
    to another title is reported and skipped (the same paper twice is merged)."""
    titles: dict[str, tuple[int, str]] = {}  # given id -> (line, title key) of its first use
    wanted = {c.lower() for c in categories or ()}  # "cs.cl" is cs.CL
    for number, record in _json_values(path):
        if isinstance(record, Problem):
            yield record
            continue
        if not isinstance(record, dict):
            yield Problem(path.name, number, "expected a JSON object")
            continue
        if categories is not None and "categories" not in record:
            why = "no categories field for --filter-category, made for the arXiv snapshot"
            yield Problem(path.name, number, why)
            continue
        if categories is not None and not wanted & set(
            str(record.get("categories", "")).lower().split()
        ):
            continue
        paper, notes = paper_from_record(record, path.name)
        if isinstance(paper, str):
            yield Problem(path.name, number, paper)
            continue
        first = titles.setdefault(paper.paper_id, (number, paper_id_for(paper.title)))
        if first[1] != paper_id_for(paper.title):
            yield Problem(
                path.name, number, f"duplicate id {paper.paper_id!r} (line {first[0]} has it)"
            )
            continue
        yield from (note(path.name, number, text) for text in notes)
        yield paper


# A JSON array is read whole: up to this size (a JSON Lines file of any size streams).
MAX_ARRAY_BYTES = 1 << 30


def _json_values(path: Path) -> Iterator[tuple[int, object]]:
    """(line, value) of each line of a JSON Lines file, or (item number, value) of each
    item of a JSON array; a Problem in place of what cannot be read."""
    with path.open("rb") as handle:
        if handle.read(4096).removeprefix(codecs.BOM_UTF8).lstrip().startswith(b"["):
            yield from _array_items(path)
            return
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                yield number, _parsed(path.name, number, raw)


def _parsed(name: str, number: int, raw: bytes) -> object:
    try:
        # without its line break: a line cut inside a string is "unterminated", not an
        # "invalid control character"
        return json.loads(utf8(raw).rstrip("\r\n"))
    except NotText:
        return Problem(name, number, NOT_TEXT)
    except json.JSONDecodeError as error:
        where = f"{error.msg.removesuffix(' at')} at column {error.colno}"
        return Problem(name, number, f"broken JSON ({where})")
    except ValueError:  # Python refuses to read integers of over 4,300 digits
        return Problem(name, number, "broken JSON (a number too long to read)")
    except RecursionError:  # "[[[[...]]]]" nested deeper than Python's parser goes
        return Problem(name, number, "broken JSON (nested too deeply)")


def _array_items(path: Path) -> Iterator[tuple[int, object]]:
    """The items of a file that holds one JSON array, numbered from 1."""
    if path.stat().st_size > MAX_ARRAY_BYTES:
        why = "a JSON array over 1 GB: write one object per line (jq -c '.[]' FILE)"
        yield 1, Problem(path.name, None, why)
        return
    value = _parsed(path.name, 1, path.read_bytes())
    if isinstance(value, Problem):
        yield 1, Problem(path.name, None, value.message.replace("broken JSON", "broken JSON array"))
        return
    yield from enumerate(value if isinstance(value, list) else [value], start=1)
