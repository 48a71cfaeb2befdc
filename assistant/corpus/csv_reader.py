"""CSV files with a header row: `title`, `abstract` and optional `authors`, `year`, `url`, `id`.

Exports from spreadsheets are taken as they come: a UTF-8 byte-order mark (Excel) is
dropped, and a row holding bytes that are not UTF-8 is reported with its line and skipped
while the other rows are kept. A header that names a column twice is refused: which of the
two is meant cannot be guessed.
"""

from __future__ import annotations

import csv
import io
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from assistant.corpus.jsonl import paper_from_record
from assistant.corpus.records import Problem, Record

_NOT_UTF8 = range(0xDC80, 0xDD00)  # how surrogateescape keeps the bytes it cannot decode


def _has_undecodable(values: list[str]) -> bool:
    return any(ord(char) in _NOT_UTF8 for value in values for char in value)


def read_csv(path: Path) -> Iterator[Record]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    text = path.read_bytes().decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            return
        names = [h.strip().lower() for h in header]
        twice = sorted(n for n, count in Counter(names).items() if n and count > 1)
        if twice:
            yield Problem(path.name, 1, f"two '{twice[0]}' columns in the header row: "
                                        "rename or remove one")  # fmt: skip
            return
        if "title" not in names:
            yield Problem(path.name, 1, "no 'title' column in the header row")
            return
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # a blank line, as csv.DictReader skips them
            if _has_undecodable(row):
                yield Problem(path.name, reader.line_num, "not UTF-8 text; row skipped")
                continue
            record = {name: value for name, value in zip(names, row, strict=False) if name}
            paper = paper_from_record(record, path.name)
            if isinstance(paper, str):
                yield Problem(path.name, reader.line_num, paper)
            else:
                yield paper
    except csv.Error as error:
        yield Problem(path.name, reader.line_num, f"broken CSV ({error})")
