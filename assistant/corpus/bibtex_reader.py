"""BibTeX files (Zotero, Mendeley exports) through bibtexparser; entry keys are kept.

LaTeX in values is decoded to Unicode (bibtexparser's LatexDecodingMiddleware, on
pylatexenc): `{\\"U}ber` is stored as "Über", `\\textbf{x}` as "x". `@string` macros are
expanded, also where `#` joins them with literals, which bibtexparser leaves as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from assistant.corpus.jsonl import MAX_ABSTRACT_CHARS, paper_from_record
from assistant.corpus.latex import decode_bibtex
from assistant.corpus.records import NOT_TEXT, NotText, Problem, Record, note, utf8

# The fields of a .bib entry a draft's --bib writes back as they were (title, authors,
# year, url and abstract are the paper's own).
KEPT_FIELDS = frozenset(
    "journal booktitle doi volume number pages publisher editor series address "
    "organization school institution edition month note eprint archiveprefix "
    "primaryclass isbn issn".split()
)
_LITERAL = re.compile(r'"(.*)"|\{(.*)\}', re.DOTALL)  # a "..." or {...} part of a value


def _strip_braces(value: str) -> str:
    return value.replace("{", "").replace("}", "").strip()


_ADDRESSES = frozenset({"url", "doi", "eprint", "howpublished"})


def _field_text(name: str, value: str, strings: dict[str, str]) -> str:
    """A field's value as text: macros expanded, LaTeX decoded (not in an address)."""
    text = _concatenated(value, strings)
    return _strip_braces(text if name in _ADDRESSES else decode_bibtex(text))


def _concatenated(value: str, strings: dict[str, str]) -> str:
    """`venue # " 2023"` with its macros expanded and joined to its literals (`"..."` and
    `{...}`, their quotes and outer braces removed); other values unchanged."""
    parts = value.split(" # ")
    if len(parts) == 1 or not any(
        part.strip().lower() in strings or _LITERAL.fullmatch(part.strip()) for part in parts
    ):
        return value  # a literal " # " in a title, not a concatenation
    joined = []
    for part in parts:
        macro, literal = strings.get(part.strip().lower()), _LITERAL.fullmatch(part.strip())
        if macro is not None:
            joined.append(macro)
        elif literal is not None:  # the group that matched: "" is a literal too
            joined.append(literal[1] if literal[1] is not None else literal[2])
        else:
            joined.append(part)
    return "".join(joined)


def _before_decoding():
    """A middleware that readies an entry's values for LaTeX decoding: each bare "%" is
    escaped (decoding reads it as a comment and drops the rest: "from 54% to 88%" was
    stored as "from 54"; reference managers write percentages bare), and a value too long
    to be an abstract is set aside unread (decoding a 2 MB value took minutes)."""
    from bibtexparser.middlewares.middleware import BlockMiddleware

    class BeforeDecoding(BlockMiddleware):
        def transform_entry(self, entry, library):
            for field in entry.fields:
                if not isinstance(field.value, str):
                    continue
                if len(field.value) <= MAX_ABSTRACT_CHARS:
                    field.value = _BARE_PERCENT.sub(r"\\%", field.value)
                elif field.key.lower() in _READ_FIELDS:  # the entry is skipped, and said
                    field.value = f"{_TOO_LONG}{len(field.value)}"
                else:  # a field the assistant does not read ("annote", "file"): left out
                    field.value = ""
            return entry

        def transform_string(self, string, library):
            if isinstance(string.value, str) and len(string.value) > MAX_ABSTRACT_CHARS:
                string.value = ""
            return string

    return BeforeDecoding()


_READ_FIELDS = frozenset({"title", "abstract", "author"})
_BARE_PERCENT = re.compile(r"(?<!\\)%")
_TOO_LONG = "\x00too long: "  # what stands for a value set aside: its length follows


def read_bibtex(path: Path) -> Iterator[Record]:
    import bibtexparser
    from bibtexparser.model import DuplicateBlockKeyBlock

    raw = path.read_bytes()
    try:
        text = utf8(raw)
    except NotText as error:  # an older export in Latin-1: kept, but said
        text = raw.decode("latin-1")
        yield note(path.name, error.line, f"{NOT_TEXT}; read as Latin-1 (check its accents)")
    # LaTeX is decoded field by field (corpus.latex.decode_bibtex): bibtexparser's decoder
    # failed whole entries on "\href{...}{...}" and dropped "$O(\sqrt{n})$"
    library = bibtexparser.parse_string(text, append_middleware=[_before_decoding()])
    strings: dict[str, str] = {}
    for string in library.strings:  # in order: one may use those defined before it
        value = _concatenated(str(string.value), strings)  # spaces kept: "Proceedings of "
        strings[string.key.lower()] = value.replace("{", "").replace("}", "").strip('"')
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
        long = [
            (name, f.value)
            for name, f in entry.fields_dict.items()
            if isinstance(f.value, str) and f.value.startswith(_TOO_LONG)
        ]
        if long:
            name, value = long[0]
            size = f"{int(value.rsplit(' ', 1)[1]):,}"
            what = "to be an abstract" if name.lower() == "abstract" else "to read"
            message = f"{name} of {size} characters is too long {what}"
            yield Problem(path.name, line_of.get(entry.key), f"entry {entry.key}: {message}")
            continue
        fields = {
            name.lower(): _field_text(name.lower(), str(f.value), strings)
            for name, f in entry.fields_dict.items()
        }
        url = fields.get("url") or (
            f"https://doi.org/{fields['doi']}" if fields.get("doi") else None
        )
        record = {
            "title": fields.get("title"),
            "abstract": fields.get("abstract", ""),
            # BibTeX's " and " parts are the names ("dos Santos, Cicero" is one)
            "authors": [
                a.strip() for a in re.split(r"\s+and\s+", fields.get("author") or "") if a.strip()
            ]
            or None,
            "year": fields.get("year"),
            "url": url,
        }
        paper, notes = paper_from_record(record, path.name)
        at = line_of.get(entry.key)
        if isinstance(paper, str):
            yield Problem(path.name, at, f"entry {entry.key}: {paper}")
            continue
        yield from (note(path.name, at, f"entry {entry.key}: {text}") for text in notes)
        paper.bibkey = entry.key
        kept = {name: value for name, value in fields.items() if name in KEPT_FIELDS and value}
        paper.bibtex = {"type": entry.entry_type.lower(), **kept}
        yield paper
