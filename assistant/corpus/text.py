"""Cleaning of text scraped from listings: damaged character references, URLs, dates."""

from __future__ import annotations

import html
import html.entities
import re

from assistant.corpus.latex import decode_latex

# Listings sometimes lose the "&#" of a character reference and leave "x2014" (an em dash)
# glued to the words around it. Only the general-punctuation and Latin-1 ranges are repaired,
# so that words such as "exceed" are never touched.
# After a digit only a dash between digits ("2010x20132020"): "2048x2048 images", "a
# 0x00FF mask" and "4x2000 GPUs" are no references.
_DAMAGED_REFERENCE = re.compile(
    r"(?<![0-9A-Za-z]&#)(?:(?<![0-9])x(20[0-6][0-9A-Fa-f]|00[A-Fa-f][0-9A-Fa-f])"
    r"|(?<=[0-9])(?<!\b0)x(201[0-5])(?=[0-9]))"
)
# A character reference with its closing ";": a bare "&copy" or "&sect" in a URL's query
# ("?id=3&section=2&copy=1") is no reference, though HTML5 reads some that way.
_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
_URL = re.compile(r"https?://[^\s<>\"'{}()\[\]]+")
_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
DATE_PATTERN = rf"(?:{_MONTHS})[a-z]* \d{{1,2}}(?:, \d{{4}})?"


# Terminal escape sequences (CSI "ESC [ ... m", OSC "ESC ] ... BEL") and lone escapes.
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?")
# C0/C1 controls (but tab and newline), the bidirectional overrides that reorder text, the
# invisible zero-width space, word joiner and BOM ("use\u200b RL" would read as "use"), and
# lone surrogates: bytes that were not UTF-8 (a command line or stdin in another encoding),
# which could be neither printed nor embedded.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
    r"\ud800-\udfff]"
)


def strip_controls(text: str) -> str:
    """Text without terminal escape sequences, control characters, bidi overrides or
    undecodable bytes: nothing a user typed or a corpus holds may drive (or crash) the
    terminal it is printed on."""
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def has_controls(text: str) -> bool:
    return _CONTROL.search(text) is not None  # ESC is one of them


def repair_text(text: str) -> str:
    """Undo HTML escaping, damaged `xHHHH` references and LaTeX markup; normalise
    whitespace; drop terminal escapes and control characters (see strip_controls): a
    title that sets the terminal's title bar is stored without it, so that no writer
    (LaTeX, .bib, JSON) passes it on."""
    text = decode_latex(_REFERENCE.sub(_character, text))
    text = _DAMAGED_REFERENCE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    # last, as what it repaired may be a control ("x202E"); a form feed or carriage
    # return parts words as a space does
    text = _CONTROL.sub(" ", _ESCAPE_SEQUENCE.sub("", text))
    return " ".join(text.split())


def _character(reference: re.Match) -> str:
    """The character a whole reference names ("&eacute;", "&#8212;"); any other text as
    it was ("&notify;" is no "&not;" followed by "ify;")."""
    written = reference.group(0)
    if written[1] != "#" and written[1:] not in html.entities.html5:
        return written
    return html.unescape(written)


def find_urls(text: str) -> list[str]:
    """URLs in the order they appear, without trailing punctuation, each once."""
    urls = (match.group(0).rstrip(".,;:!?") for match in _URL.finditer(text))
    return list(dict.fromkeys(url for url in urls if len(url) > len("https://")))


def year_of(date: str) -> int | None:
    """The year of a listing date such as "Mar 23, 2022"; None for "Sep 8" (no year given)."""
    match = re.search(r"\b(1[89]\d\d|20\d\d)\b", date)
    return int(match.group(1)) if match else None
