"""What a reader yields: papers, and problems with the file and line they were found at."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.corpus.paper import Paper, paper_id_for

NOT_TEXT = "not UTF-8 text"
_HEAD_BYTES = 1 << 16


@dataclass(frozen=True)
class Problem:
    """A record that was skipped, and why; with `skipped` false, a note on a record that
    was indexed all the same (a field of it left out)."""

    file: str
    line: int | None
    message: str
    skipped: bool = True

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


def note(file: str, line: int | None, message: str) -> Problem:
    return Problem(file, line, message, skipped=False)


Record = Paper | Problem

# Below this share of words in common, two abstracts under one title are two papers
# ("Introduction", "Results"), not one paper's versions or a cut copy of it.
SAME_PAPER_WORDS = 0.5


def another_paper(first: Paper, record: Paper) -> Problem | None:
    """The problem to report when a record that takes a paper's id only through its title
    (it gives no id of its own) is another paper: their abstracts share few words. Merged,
    the second's abstract would be filed under the first's authors and year."""
    if record.paper_id != paper_id_for(record.title) or not (first.abstract and record.abstract):
        return None
    from assistant.index.bm25 import tokenize  # the index's terms: no "the", "of", "we"

    one, other = (set(terms) for terms in tokenize([first.abstract, record.abstract]))
    if not (one and other) or len(one & other) >= SAME_PAPER_WORDS * min(len(one), len(other)):
        return None
    return Problem(
        record.source,
        None,
        f"another paper titled {record.title!r} ({first.source}) has a different abstract: "
        "this one skipped; give each an `id` to keep both",
    )


class NotText(ValueError):
    """Bytes that are not UTF-8 text; `line` is where the first bad byte is (1-based)."""

    def __init__(self, line: int) -> None:
        super().__init__(f"line {line}: {NOT_TEXT}")
        self.line = line


def utf8(raw: bytes) -> str:
    """The text of UTF-8 bytes (without the byte-order mark Windows editors write), or
    NotText: a reader skips the line that holds them, or lets it reach `iter_records`,
    which reports the file as skipped; never a crash."""
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise NotText(raw.count(b"\n", 0, error.start) + 1) from None


# UTF-16 as Windows writes it (PowerShell's ">", Excel's "Unicode text"): a byte-order mark,
# or ASCII text with a NUL beside every letter.
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")


def _wide_text(encoding: str) -> str:
    return f"{encoding} text; save it as UTF-8 (e.g. iconv -f {encoding} -t UTF-8 FILE > NEW)"


def not_text_reason(path: Path) -> str | None:
    """Why the file is no text to read, or None when it is: binary data (a program, an
    image), told by NUL and other control bytes near its start, or UTF-16, told by a NUL
    beside every letter. It is skipped as a whole, not line by line; text with a few bad
    bytes or a stray NUL is not binary (its readers skip only the lines that hold them)."""
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if b"\0" not in head:
        return None
    half = len(head) // 2
    nul_beside_each = max(head[1::2].count(0), head[::2].count(0)) > 0.9 * half
    if head.startswith(_UTF32_BOMS):
        return _wide_text("UTF-32")
    if head.startswith(_UTF16_BOMS) or nul_beside_each:
        return _wide_text("UTF-16")
    if _control_share(head) <= _TEXT_CONTROLS:  # text with a stray NUL: its line is skipped
        return None
    line = head.count(b"\n", 0, head.index(0)) + 1
    return f"{NOT_TEXT} (binary: a NUL byte on line {line})"


# Binary data (a program, an image, a compressed file) is full of control bytes; text holds
# a stray one at most, whose line its reader reports.
_TEXT_CONTROLS = 0.05
_CONTROLS = bytes(b for b in range(0x20) if b not in b"\t\n\r\f")  # not layout


def _control_share(head: bytes) -> float:
    controls = len(head) - len(head.translate(None, _CONTROLS))
    return controls / len(head) if head else 0.0
