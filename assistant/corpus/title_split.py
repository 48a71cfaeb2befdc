"""Find where a title ends and its abstract begins when a listing runs them together.

"Role-Play with Large Language Models As dialogue agents become ..." has no separator.
Every word that could open the abstract is scored by how much it looks like the start of
a sentence (a capitalised word followed by lower-case prose, the start of a phrase defined
by an acronym in brackets) and how little the words before it look like prose. No list of
known titles is used; the rules were checked on titles and abstracts joined back together
from the multi-line listing and from SciFact.
"""

from __future__ import annotations

import re

MAX_TITLE_WORDS = 40

# Lower-case words that neither end a title nor count as prose content.
_FUNCTION_WORDS = frozenset(
    (
        "a an the of in on for with via to and or from by at as is are be can do does not into "
        "over under than that this these those its their his her our your we you it without "
        "within across about through between towards toward vs versus when where what which "
        "who how why whether despite while although however since recent recently here"
    ).split()
)
_ABBREVIATIONS = frozenset({"vs.", "e.g.", "i.e.", "al.", "etc.", "Dr.", "St.", "U.S.", "No."})
_CAPITALISED = re.compile(r"[A-Z][a-z]+(?:-[A-Za-z][a-z]*)*-?")
_BRACKETED_ACRONYM = re.compile(r"\(([A-Za-z][A-Za-z0-9-]*?)s?\)[,.;:]?")
_NEXT_WORD_SCORE = {"lower": 3.0, "function": 1.5, "capitalised": -1.5, "acronym": 0.0}
_WINDOW_SCORE = {"lower": 1.0, "function": 0.5, "capitalised": -1.0, "acronym": 0.0}


def _kind(word: str) -> str:
    core = word.strip("\"'“”‘’()[]{},.:;!?")
    if not core or not core[0].isalpha():
        return "other"
    if core[0].islower():
        return "function" if core in _FUNCTION_WORDS else "lower"
    if _CAPITALISED.fullmatch(core) or len(core) == 1:
        return "capitalised"
    return "acronym"


def _ends_sentence(word: str) -> bool:
    return (
        word.endswith((".", '."', ".'"))
        and word not in _ABBREVIATIONS
        and len(word.strip(".\"'")) > 1
    )


def _acronym_spans(words: list[str], limit: int) -> list[tuple[int, int]]:
    """(start, end) of phrases expanded by a bracketed acronym: 'Role-Playing Agents (RPAs)'."""
    spans = []
    for end in range(1, min(limit, len(words))):
        match = _BRACKETED_ACRONYM.fullmatch(words[end])
        if not match:
            continue
        acronym = re.sub(r"[^A-Z]", "", match.group(1).upper())
        if len(acronym) < 2:
            continue
        for start in range(end - 1, max(-1, end - len(acronym) - 4), -1):
            parts = re.split(r"[ -]", " ".join(words[start:end]))
            initials = "".join(p[0] for p in parts if p and p.lower() not in _FUNCTION_WORDS)
            if initials.upper() == acronym:
                spans.append((start, end))
                break
    return spans


def _score(words: list[str], position: int, spans: list[tuple[int, int]]) -> float:
    word = words[position]
    following = [_kind(w) for w in words[position + 1 : position + 9]]
    before = [_kind(w) for w in words[1:position]]
    score = _NEXT_WORD_SCORE.get(following[0], 0.0)
    score += 2 * sum(_WINDOW_SCORE.get(kind, 0.0) for kind in following) / len(following)
    if _kind(word) == "acronym":
        score -= 1
    if word.lower() in _FUNCTION_WORDS:  # "The", "We", "In", "Despite" open sentences
        score += 1
    if any(start == position for start, _ in spans):
        score += 3
    if any(start < position < end for start, end in spans):
        score -= 3
    if _ends_sentence(words[position - 1]):
        score += 1
    return score - 0.6 * before.count("lower") - 0.1 * position


def split_title(text: str) -> tuple[str, str] | None:
    """Split "Title Abstract ..." into (title, abstract); None when no split is plausible."""
    words = text.split(" ")
    spans = _acronym_spans(words, MAX_TITLE_WORDS + 8)
    best: tuple[float, int] | None = None
    for position in range(1, min(MAX_TITLE_WORDS, len(words) - 3)):
        word, previous = words[position], words[position - 1]
        after_full_stop = _ends_sentence(previous)
        opens_sentence = _kind(word) in ("capitalised", "acronym") and word[0] not in "([{"
        ends_title = not (
            _kind(previous) == "function" or previous.endswith((":", "-")) or previous == "—"
        )
        if opens_sentence and ends_title:
            score = _score(words, position, spans)
            if best is None or score > best[0]:
                best = (score, position)
        if after_full_stop:  # a title holds no full sentence followed by more text
            break
    if best is None:
        return None
    return " ".join(words[: best[1]]), " ".join(words[best[1] :])
