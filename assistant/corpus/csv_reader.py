"""CSV files with a header row: `title`, `abstract` and optional `authors`, `year`, `url`, `id`.

Exports from spreadsheets are taken as they come: a UTF-8 byte-order mark (Excel) is
dropped, and a row holding bytes that are not UTF-8 is reported with its line and skipped
while the other rows are kept. So is a row whose quote is never closed: it would otherwise
take in every line after it as one field. A header that names a column twice is refused:
which of the two is meant cannot be guessed.
"""

from __future__ import annotations

import csv
import io
import itertools
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from assistant.corpus.jsonl import paper_from_record
from assistant.corpus.records import NOT_TEXT, Problem, Record, note

_NOT_UTF8 = range(0xDC80, 0xDD00)  # how surrogateescape keeps the bytes it cannot decode


def _has_undecodable(values: list[str]) -> bool:
    return any(ord(char) in _NOT_UTF8 for value in values for char in value)


def _quote_runs_away(lines: list[str], delimiter: str = ",") -> bool:
    """Whether a row read over several lines got them through a quote that CSV never
    closes (it runs to the end of the file, or to a stray quote further down) rather
    than through a quoted field that holds line breaks."""
    reader = csv.reader(lines, strict=True, delimiter=delimiter)
    try:
        next(reader, None)
    except csv.Error:
        return reader.line_num > 1  # a stray quote on the row's own first line is sloppiness
    return False


def _rows(
    name: str, lines: list[str], delimiter: str = ","
) -> Iterator[tuple[int, list[str]] | Problem]:
    """(first line, cells) of each row, or a Problem for a row that cannot be read;
    reading resumes on the line after the start of a broken row."""
    start = 0
    while start < len(lines):
        reader = csv.reader(itertools.islice(lines, start, None), delimiter=delimiter)
        first = start + 1
        try:
            for row in reader:
                end = start + reader.line_num
                if end > first and _quote_runs_away(lines[first - 1 : end], delimiter):
                    yield Problem(name, first, "unterminated quote; row skipped")
                    start = first
                    break
                yield first, row
                first = end + 1
            else:
                return
        except csv.Error as error:
            yield Problem(name, first, f"broken CSV ({error}); row skipped")
            start = max(start + reader.line_num, first)


_DELIMITERS = (",", ";", "\t", "|")


def _delimiter(lines: list[str]) -> str:
    """The delimiter whose header cells hold "title": a comma, or the semicolon a
    European spreadsheet writes ("no 'title' column" was said of "title;abstract"), a tab
    or a bar."""
    header = next((line for line in lines if line.strip()), "")
    for delimiter in _DELIMITERS:
        cells = next(csv.reader([header], delimiter=delimiter), [])
        if "title" in [cell.strip().lower() for cell in cells]:
            return delimiter
    return ","


def read_csv(path: Path) -> Iterator[Record]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    text = path.read_bytes().decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    names: list[str] | None = None
    lines = io.StringIO(text, newline="").readlines()
    for item in _rows(path.name, lines, _delimiter(lines)):
        if isinstance(item, Problem):
            yield item
            continue
        line, row = item
        if names is None:
            names = [h.strip().lower() for h in row]
            twice = sorted(n for n, count in Counter(names).items() if n and count > 1)
            if twice:
                yield Problem(path.name, line, f"two '{twice[0]}' columns in the header "
                                               "row: rename or remove one")  # fmt: skip
                return
            if "title" not in names:
                yield Problem(path.name, line, "no 'title' column in the header row")
                return
            continue
        if not any(cell.strip() for cell in row):
            continue  # a blank line, as csv.DictReader skips them
        if _has_undecodable(row):
            yield Problem(path.name, line, f"{NOT_TEXT}; row skipped")
            continue
        if any(cell.strip() for cell in row[len(names) :]):  # trailing empty cells are fine
            why = (
                f"{len(row)} cells for the header's {len(names)} columns (a comma inside a "
                "field needs the field in double quotes); row skipped"
            )
            yield Problem(path.name, line, why)
            continue
        record = {name: value for name, value in zip(names, row, strict=False) if name}
        paper, notes = paper_from_record(record, path.name)
        if isinstance(paper, str):
            yield Problem(path.name, line, paper)
            continue
        yield from (note(path.name, line, text) for text in notes)
        yield paper
