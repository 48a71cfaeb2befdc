"""Citation keys and BibTeX entries for cited papers, written with bibtexparser."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from assistant.corpus.paper import Paper

_SKIP_WORDS = frozenset(
    """a an the of on in for to and with via is are from by at as do does did how what why when
    which who can could should would will towards toward into your our its their not no
    we you i""".split()
)
MAX_TITLE_KEY_CHARS = 20
# Fields BibTeX styles read verbatim: a DOI's "_" is no LaTeX to escape
_VERBATIM = frozenset({"doi", "eprint", "url"})
# LaTeX's special characters, as a .bib value must write them to compile.
_LATEX_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "^": r"\^{}",
                  "~": r"\~{}", "\\": r"\textbackslash{}"}  # fmt: skip


def _ascii_word(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", plain).lower()


def _title_words(title: str) -> list[str]:
    """The significant words of a title's short name ("MOSSBench" of "MOSSBench: Is ...")."""
    from assistant.answer.extractive import short_title

    words = [_ascii_word(w) for w in re.split(r"[\s/-]+", short_title(title))]
    return [w for w in words if w and w not in _SKIP_WORDS]


def base_key(paper: Paper) -> str:
    """'li2024mossbench' (first author's surname, year, first title word) when the authors
    are known; else the title's short name and the year ('refusaltokens2024')."""
    words = _title_words(paper.title)
    year = str(paper.year or "")
    surname = ""
    if isinstance(paper.authors, list) and paper.authors:
        first = paper.authors[0].strip()
        surname = _ascii_word(first.split(",")[0] if "," in first else first.split()[-1])
    if surname:
        return f"{surname}{year}{words[0] if words else ''}"
    # the first two title words when they fit, else the first alone, whole ("unintentional")
    two = "".join(words[:2])
    short = two if len(two) <= MAX_TITLE_KEY_CHARS else "".join(words[:1])
    return f"{short or 'paper'}{year}"


def citation_keys(papers: Iterable[Paper]) -> dict[str, str]:
    """paper_id -> a unique key; a paper's own key (from a .bib file) is kept: own keys
    are taken first, so that a generated key never takes a user's. Papers whose keys
    would be the same each add the first word of their title that the others' lack
    ("chen2023learningtactile", "chen2023learninghuman"; "tellme" stays the user's, the
    seed paper with that key becomes "tellmewhat"): a key does not depend on the order of
    the citations (a suffix, "chen2023learninga", went to whichever came first)."""
    papers = list(papers)
    keys: dict[str, str] = {}
    taken: set[str] = set()
    owners: dict[str, list[Paper]] = {}  # a key -> the papers that would have it
    for paper in papers:
        owners.setdefault(paper.bibkey or base_key(paper), []).append(paper)
    ordered = sorted(papers, key=lambda p: (not p.bibkey, p.paper_id))  # own keys first
    for paper in ordered:
        key = paper.bibkey or _distinct_key(paper, owners[base_key(paper)])
        candidate, suffix = key, 0
        while candidate in taken:
            candidate = f"{key}{chr(ord('a') + suffix)}" if suffix < 26 else f"{key}_{suffix}"
            suffix += 1
        taken.add(candidate)
        keys[paper.paper_id] = candidate
    return {paper.paper_id: keys[paper.paper_id] for paper in papers}


def _distinct_key(paper: Paper, rivals: list[Paper]) -> str:
    """The paper's base key, with the first title word (past those the key holds) that
    no rival's title has, where other papers would have the same key."""
    key = base_key(paper)
    if len(rivals) < 2:
        return key
    others = {w for rival in rivals if rival is not paper for w in _title_words(rival.title)}
    words = _title_words(paper.title)
    distinct = next((w for w in words if w not in others and w not in key), "")
    return f"{key}{distinct}"


def _braced(text: str) -> str:
    """Text safe inside a BibTeX {...} value and for LaTeX to typeset: balanced braces,
    LaTeX's special characters escaped (a backslash as \\textbackslash{}, not dropped)."""
    text = "".join(_LATEX_SPECIAL.get(c, c) for c in text)
    depth, kept = 0, []
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                continue
            depth -= 1
        kept.append(char)
    return "".join(kept) + "}" * depth


def to_bibtex(papers: Iterable[Paper], keys: dict[str, str] | None = None) -> str:
    import bibtexparser
    from bibtexparser.model import Entry, Field

    papers = list(papers)
    keys = keys or citation_keys(papers)
    library = bibtexparser.Library()
    for paper in papers:
        fields = [Field("title", "{" + _braced(paper.title) + "}")]
        if isinstance(paper.authors, list) and paper.authors:
            fields.append(Field("author", " and ".join(_braced(a) for a in paper.authors)))
        if paper.year:
            fields.append(Field("year", str(paper.year)))
        if paper.first_url:
            fields.append(Field("url", paper.first_url))
        if paper.abstract:
            fields.append(Field("abstract", _braced(paper.abstract)))
        given = dict(paper.bibtex or {})  # a user's own entry: its type and venue kept
        entry_type = given.pop("type", "misc") or "misc"
        fields += [
            Field(name, value if name in _VERBATIM else _braced(value))
            for name, value in given.items()
            if name not in _VERBATIM or not set(value) & set("{}")  # no brace to unbalance
        ]
        library.add(Entry(entry_type, keys[paper.paper_id], fields))
    return bibtexparser.write_string(library).rstrip("\n") + "\n"  # a text file ends a line
