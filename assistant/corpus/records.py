"""What a reader yields: papers, and problems with the file and line they were found at."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.corpus.paper import Paper

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


class NotText(ValueError):
    """Bytes that are not UTF-8 text; `line` is where the first bad byte is (1-based)."""

    def __init__(self, line: int) -> None:
        super().__init__(f"line {line}: {NOT_TEXT}")
        self.line = line


def utf8(raw: bytes) -> str:
    """The text of UTF-8 bytes, or NotText: a reader skips the line that holds them, or
    lets it reach `iter_records`, which reports the file as skipped; never a crash."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotText(raw.count(b"\n", 0, error.start) + 1) from None


def is_binary(path: Path) -> bool:
    """Whether the file is binary data (a program, an image, UTF-16), told by a NUL byte
    near its start, which text never holds: it is skipped as a whole, not line by line.
    Text with a few bad bytes is not binary: its readers skip only the lines that hold them."""
    with path.open("rb") as handle:
        return b"\0" in handle.read(_HEAD_BYTES)
