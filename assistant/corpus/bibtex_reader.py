"""BibTeX files (Zotero, Mendeley exports) through bibtexparser; entry keys are kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from assistant.corpus.jsonl import paper_from_record
from assistant.corpus.records import Problem, Record


def _strip_braces(value: str) -> str:
    return value.replace("{", "").replace("}", "").strip()


def read_bibtex(path: Path) -> Iterator[Record]:
    import bibtexparser

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        text = path.read_text(encoding="latin-1")
    library = bibtexparser.parse_string(text)
    line_of = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("@") and "{" in line:
            line_of.setdefault(line.split("{", 1)[1].split(",", 1)[0].strip(), number)
    for block in library.failed_blocks:
        yield Problem(path.name, getattr(block, "start_line", 0) + 1, "unparseable BibTeX entry")
    for entry in library.entries:
        fields = {
            name.lower(): _strip_braces(str(f.value)) for name, f in entry.fields_dict.items()
        }
        url = fields.get("url") or (
            f"https://doi.org/{fields['doi']}" if fields.get("doi") else None
        )
        record = {
            "title": fields.get("title"),
            "abstract": fields.get("abstract", ""),
            "authors": fields.get("author"),
            "year": fields.get("year"),
            "url": url,
        }
        paper = paper_from_record(record, path.name)
        if isinstance(paper, str):
            yield Problem(path.name, line_of.get(entry.key), f"entry {entry.key}: {paper}")
            continue
        paper.bibkey = entry.key
        yield paper
