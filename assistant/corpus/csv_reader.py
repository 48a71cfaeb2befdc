"""CSV files with a header row: `title`, `abstract` and optional `authors`, `year`, `url`, `id`."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path

from assistant.corpus.jsonl import paper_from_record
from assistant.corpus.records import Problem, Record


def read_csv(path: Path) -> Iterator[Record]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with path.open(encoding="utf-8", errors="strict", newline="") as handle:
        try:
            reader = csv.DictReader(handle)
            headers = {h.strip().lower() for h in (reader.fieldnames or [])}
            if "title" not in headers:
                yield Problem(path.name, 1, "no 'title' column in the header row")
                return
            for row in reader:
                record = {k.strip().lower(): v for k, v in row.items() if k}
                paper = paper_from_record(record, path.name)
                if isinstance(paper, str):
                    yield Problem(path.name, reader.line_num, paper)
                else:
                    yield paper
        except UnicodeDecodeError:
            yield Problem(path.name, None, "not UTF-8 text; rest of the file skipped")
        except csv.Error as error:
            yield Problem(path.name, reader.line_num, f"broken CSV ({error})")
