"""Whether a word is English: pyspellchecker's bundled word list, read only when a question
holds a long word that no abstract does (about 0.2 s)."""

from __future__ import annotations

import functools


@functools.cache
def _english():
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1)


def is_english_word(word: str) -> bool:
    return word.lower() in _english()
