"""Readers that turn corpus files into `Paper` records, chosen by format."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assistant.corpus.bibtex_reader import read_bibtex
from assistant.corpus.csv_reader import read_csv
from assistant.corpus.jsonl import read_jsonl
from assistant.corpus.paper import Paper, paper_id_for
from assistant.corpus.records import (
    NOT_TEXT,
    NotText,
    Problem,
    Record,
    another_paper,
    not_text_reason,
)
from assistant.corpus.seed_dump import read_seed_dump
from assistant.errors import CorpusError

Reader = Callable[[Path], Iterator[Record]]

#: format name -> reader; every reader, the default included, is registered here.
READERS: dict[str, Reader] = {
    "seed": read_seed_dump,
    "jsonl": read_jsonl,
    "arxiv": read_jsonl,  # the arXiv metadata snapshot: JSON lines with `categories`
    "bib": read_bibtex,
    "csv": read_csv,
}
#: file extension -> format name
EXTENSIONS: dict[str, str] = {
    ".txt": "seed",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "arxiv",
    ".bib": "bib",
    ".csv": "csv",
}

__all__ = ["CorpusLoad", "Paper", "Problem", "bundled_seeds", "paper_id_for", "read_corpus"]


def bundled_seeds() -> Path:
    """The seeds shipped with the package (wheel) or beside it (source checkout)."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "_bundled" / "seeds", package.parent / "seeds"):
        if candidate.is_dir():
            return candidate
    raise CorpusError("the bundled seeds/ folder is missing: reinstall the package")


@dataclass
class CorpusLoad:
    """Papers read from some files (duplicates merged), and what was skipped or noted."""

    papers: list[Paper] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def _files_under(paths: Iterable[Path], fmt: str | None) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in _walk(path)
                if p.is_file()
                and (fmt or p.suffix.lower() in EXTENSIONS)
                # not what tools keep beside the files: .ipynb_checkpoints/, .git/, .~lock
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                raise CorpusError(f"{path}: no corpus files found (known: {', '.join(EXTENSIONS)})")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif path.exists():  # a device or a pipe: nothing to read papers from
            raise CorpusError(f"{path}: not a regular file or folder; give a corpus file")
        else:
            raise CorpusError(f"{path}: no such file or folder; give a corpus file or folder")
    return files


def _walk(folder: Path) -> list[Path]:
    """Every file under the folder; a subfolder that cannot be read is an error, not a
    silence (--prune would remove the papers of the files it holds)."""
    files: list[Path] = []

    def unreadable(error: OSError) -> None:
        why = (error.strerror or "permission denied").lower()
        raise CorpusError(
            f"{error.filename}: cannot be read ({why}); make it readable, or index the "
            "other files by name"
        )

    for root, folders, names in os.walk(folder, onerror=unreadable):
        folders[:] = [f for f in folders if not f.startswith(".")]  # .git/, .ipynb_checkpoints/
        files.extend(Path(root, name) for name in names)
    return files


def reader_for(path: Path, fmt: str | None) -> Reader:
    name = fmt or EXTENSIONS.get(path.suffix.lower())
    if name is None or name not in READERS:
        known = ", ".join(sorted(READERS))
        raise CorpusError(f"{path}: unknown corpus format; pass --format ({known})")
    return READERS[name]


def corpus_files(paths: Iterable[Path], fmt: str | None = None) -> list[Path]:
    """The files to read, checked up front: a bad path fails before any work is done."""
    files = _files_under(paths, fmt)
    for path in files:
        reader_for(path, fmt)
    return files


def iter_records(
    files: Iterable[Path], fmt: str | None = None, categories: frozenset[str] | None = None
) -> Iterator[Record]:
    """Papers and problems, file by file, streamed (a large file is never held whole).
    A file that is not text, or cannot be read, is reported and skipped: the others are
    read all the same."""
    for path in files:
        reader = reader_for(path, fmt)
        try:
            if reason := not_text_reason(path):
                yield Problem(path.name, None, reason)
            elif reader is read_jsonl:
                yield from read_jsonl(path, categories)
            else:
                yield from reader(path)
        except NotText as error:
            yield Problem(path.name, error.line, f"{NOT_TEXT}; the file is skipped")
        except OSError as error:
            reason = error.strerror or type(error).__name__
            yield Problem(path.name, None, f"unreadable ({reason}); the file is skipped")


def estimate_records(files: Iterable[Path]) -> int | None:
    """Roughly how many records the files hold (lines, or entries), for progress and ETA."""
    total = 0
    for path in files:
        suffix = path.suffix.lower()
        marker = b"\n@" if suffix == ".bib" else b"\n"
        with contextlib.suppress(OSError, NotText):  # reported when the file is read
            if suffix == ".txt":  # listing dumps: small, and a paper spans several lines
                total += sum(not isinstance(r, Problem) for r in read_seed_dump(path))
                continue
            with path.open("rb") as handle:
                while block := handle.read(1 << 24):
                    total += block.count(marker)
    return total or None


def read_corpus(
    paths: Iterable[Path], fmt: str | None = None, categories: frozenset[str] | None = None
) -> CorpusLoad:
    """Read every file, merge papers with the same id, keep the problems for the report."""
    load = CorpusLoad(files=corpus_files(paths, fmt))
    by_id: dict[str, Paper] = {}
    for record in iter_records(load.files, fmt, categories):
        if isinstance(record, Problem):
            load.problems.append(record)
        elif record.paper_id in by_id and (clash := another_paper(by_id[record.paper_id], record)):
            load.problems.append(clash)
        elif record.paper_id in by_id:
            by_id[record.paper_id].merge(record)
        else:
            by_id[record.paper_id] = record
    load.papers = list(by_id.values())
    return load
