"""Markdown around text the corpus supplies: a title's "*", "_" or "[link](...)" is its
literal text, not markup. Writers escape it; readers of the markdown (the LaTeX and HTML
views) turn the escapes back into the characters."""

from __future__ import annotations

import re
from collections.abc import Callable

_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
_ESCAPED = re.compile(r"\\([\\`*_\[\]<>])")
# each escaped character stands in a private-use character while markup is converted
_STANDS_IN = {char: chr(0xE000 + i) for i, char in enumerate("\\`*_[]<>")}


# Emphasis as CommonMark reads it: an opening "*" not inside a word and before a non-space,
# a closing one after a non-space and not inside a word ("A* search", "Q*, a framework"
# quoted from an abstract are no emphasis).
EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")
STRONG = re.compile(r"(?<![\w*])\*\*(?=[^\s*])(.+?)(?<=[^\s*])\*\*(?![\w*])")


def literal(text: str) -> str:
    """The text as markdown that shows it as it is."""
    return _SPECIAL.sub(r"\\\1", text)


def unescaped(markdown: str) -> str:
    """The text `literal` made markdown of."""
    return _ESCAPED.sub(r"\1", markdown)


def italic(text: str) -> str:
    return f"*{literal(text)}*"


def converted(markdown: str, convert: Callable[[str], str], spell: Callable[[str], str]) -> str:
    """`convert` applied to the markdown with its escaped characters set aside, then each
    written back as `spell` gives it ("*" in LaTeX is "*", "<" in HTML "&lt;")."""
    shielded = _ESCAPED.sub(lambda m: _STANDS_IN[m.group(1)], markdown)
    result = convert(shielded)
    for char, stand_in in _STANDS_IN.items():
        result = result.replace(stand_in, spell(char))
    return result
