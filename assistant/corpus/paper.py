"""The `Paper` record every reader produces, and its stable identity."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field

from assistant.corpus.text import has_controls, strip_controls


def normalise_space(text: str) -> str:
    return " ".join(text.split())


def _clean(text: object) -> str:
    text = str(text)  # most records are clean: the scan alone is cheap
    return normalise_space(strip_controls(text) if has_controls(text) else text)


def _clean_optional(text: object | None) -> str | None:
    return (_clean(text) or None) if text is not None else None


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def paper_id_for(title: str) -> str:
    """Same title -> same id, on every run and machine; case, spacing and punctuation ignored."""
    key = re.sub(r"[\W_]+", " ", title.casefold()).strip()
    return "p" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


@dataclass
class Paper:
    """One paper: a title and an abstract, plus whatever its source gave."""

    title: str
    abstract: str
    source: str
    authors: list[str] | int | None = None
    date: str | None = None
    year: int | None = None
    upvotes: int | None = None
    urls: list[str] = field(default_factory=list)
    paper_id: str = ""
    bibkey: str | None = None
    # a .bib entry's type and its fields the record has no place for ("journal",
    # "booktitle", "doi", ...), written back when a draft's --bib cites the paper
    bibtex: dict[str, str] | None = None

    def __post_init__(self) -> None:
        # every field is printed somewhere (JSON, BibTeX keys, reference lines): none may
        # carry a terminal escape or a bidi override, whichever reader made the record
        self.title = _clean(self.title)
        self.abstract = _clean(self.abstract)
        if isinstance(self.authors, list):
            self.authors = [name for name in map(_clean, self.authors) if name]
        self.date = _clean_optional(self.date)
        self.urls = [url for url in map(_clean, self.urls) if url]
        self.bibkey = _clean_optional(self.bibkey)
        self.source = _clean(self.source)
        self.paper_id = _clean(self.paper_id) or paper_id_for(self.title)

    @property
    def content_hash(self) -> str:
        """Changes whenever anything that goes into the index changes; not the name of the
        file it came from, so that renaming a file re-embeds nothing."""
        record = {k: v for k, v in self.to_dict().items() if k != "source"}
        return _digest(json.dumps(record, sort_keys=True, ensure_ascii=False))

    @property
    def catalog_stamp(self) -> str:
        """What the catalog records: the content hash, then a hash of the source file's name
        (a rename updates the record without re-embedding the paper)."""
        return f"{self.content_hash}:{_digest(self.source)[:8]}"

    def same_content(self, stamp: str | None) -> bool:
        """Whether a catalog stamp records this paper's content (stamps of indexes built
        before renames were free hashed the whole record, the file's name included)."""
        if not stamp:
            return False
        if stamp.split(":")[0] == self.content_hash:
            return True
        return stamp == _digest(json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False))

    @property
    def first_url(self) -> str | None:
        return self.urls[0] if self.urls else None

    def to_dict(self) -> dict:
        """The `papers --json` record (the design's JSON contract, in the README), plus
        `bibkey`, and `bibtex` where a .bib entry gave one (so that other papers' content
        hashes stay as they were)."""
        record = asdict(self)
        return {
            key: record[key]
            for key in (
                "paper_id",
                "title",
                "abstract",
                "authors",
                "date",
                "year",
                "upvotes",
                "urls",
                "source",
                "bibkey",
            )
        } | ({"bibtex": record["bibtex"]} if self.bibtex else {})

    @classmethod
    def from_dict(cls, record: dict) -> Paper:
        fields = {key: record.get(key) for key in cls.__dataclass_fields__ if key in record}
        fields["urls"] = list(fields.get("urls") or [])
        return cls(**fields)

    def merge(self, other: Paper) -> None:
        """Fill what this record lacks from a duplicate of the same paper found elsewhere."""
        for name in ("authors", "date", "year", "upvotes", "bibkey", "bibtex"):
            if getattr(self, name) in (None, [], "") and getattr(other, name) not in (None, []):
                setattr(self, name, getattr(other, name))
        if len(other.abstract) > len(self.abstract):
            self.abstract = other.abstract
        self.urls = list(dict.fromkeys([*self.urls, *other.urls]))


def papers_counted(n: int, adjective: str = "") -> str:
    """ "1 relevant paper", "3 relevant papers" (not "paper(s)")."""
    return " ".join(w for w in (str(n), adjective, "paper" if n == 1 else "papers") if w)
