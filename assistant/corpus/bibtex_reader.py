"""BibTeX files (Zotero, Mendeley exports) through bibtexparser; entry keys are kept.

LaTeX in values is decoded to Unicode (bibtexparser's LatexDecodingMiddleware, on
pylatexenc): `{\\"U}ber` is stored as "Über", `\\textbf{x}` as "x". `@string` macros are
expanded, also where `#` joins them with literals, which bibtexparser leaves as written.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from assistant.corpus.jsonl import paper_from_record
from assistant.corpus.records import Problem, Record


def _strip_braces(value: str) -> str:
    return value.replace("{", "").replace("}", "").strip()


def _concatenated(value: str, strings: dict[str, str]) -> str:
    """`venue # " 2023"` with its macros expanded and joined to its literals (whose
    enclosing braces or quotes the parser already removed); other values unchanged."""
    parts = value.split(" # ") if " # " in value else [value]
    if not any(part.strip().lower() in strings for part in parts):
        return value  # a literal " # " in a title, not a concatenation
    joined = []
    for part in parts:
        macro = strings.get(part.strip().lower())
        joined.append(macro if macro is not None else part)
    return "".join(joined)


def read_bibtex(path: Path) -> Iterator[Record]:
    import bibtexparser
    from bibtexparser.middlewares import LatexDecodingMiddleware
    from bibtexparser.model import DuplicateBlockKeyBlock

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        text = path.read_text(encoding="latin-1")
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    strings = {
        s.key.lower(): str(s.value).replace("{", "").replace("}", "").strip('"')
        for s in library.strings
    }
    line_of = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("@") and "{" in line:
            line_of.setdefault(line.split("{", 1)[1].split(",", 1)[0].strip(), number)
    for block in library.failed_blocks:
        line = getattr(block, "start_line", 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            message = f"duplicate key {block.key} (the first entry with it is kept)"
        else:
            message = "unparseable BibTeX entry"
        yield Problem(path.name, line, message)
    for entry in library.entries:
        fields = {
            name.lower(): _strip_braces(_concatenated(str(f.value), strings))
            for name, f in entry.fields_dict.items()
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
