"""Sentence splitting for abstracts, and light rewriting of extracted sentences."""

from __future__ import annotations

import re

_ABBREVIATIONS = r"(?<!\be\.g)(?<!\bi\.e)(?<!\bet al)(?<!\bvs)(?<!\bFig)(?<!\bEq)(?<!\bapprox)"
_BOUNDARY = re.compile(_ABBREVIATIONS + r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9\"“(\[])")
_FIRST_PERSON_OPENINGS = re.compile(
    r"^(?:(?:In this (?:paper|work|study|article)|Here|In this paper and|To this end),? )?we\b",
    re.IGNORECASE,
)


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _BOUNDARY.split(text) if s.strip()]


def third_person(sentence: str) -> str:
    """'In this paper, we propose X; our method' -> 'The authors propose X; their method'."""
    sentence = _FIRST_PERSON_OPENINGS.sub("The authors", sentence, count=1)
    sentence = re.sub(r"^Our\b", "The authors'", sentence)
    sentence = re.sub(r"\bOur\b", "Their", sentence)
    sentence = re.sub(r"\bour\b", "their", sentence)
    sentence = re.sub(r"\bwe\b", "they", sentence)
    sentence = re.sub(r"\bWe\b", "They", sentence)
    sentence = re.sub(r"\bus\b", "them", sentence)
    return sentence


def cite(sentence: str, marker: str) -> str:
    """Put a citation marker before the sentence's final punctuation."""
    match = re.search(r"[.!?]+[\"”’)]*$", sentence)
    if match:
        return f"{sentence[: match.start()]} {marker}{sentence[match.start() :]}"
    return f"{sentence} {marker}."
