"""Whether a word is English: pyspellchecker's bundled word list (160,000 words with their
counts, gzipped JSON), searched as bytes when a question holds a long word that no
abstract does. Searching takes 0.02 s; building pyspellchecker's checker parses the JSON
and took 0.2 s, a tenth of an answer."""

from __future__ import annotations

import functools
import gzip
from importlib.resources import files


@functools.cache
def _english_words() -> bytes:
    return gzip.decompress(files("spellchecker").joinpath("resources/en.json.gz").read_bytes())


def is_english_word(word: str) -> bool:
    return f'"{word.lower()}":'.encode() in _english_words()
