"""Checking the citations of generated text against the evidence it was given.

Markers such as [3], [1, 4], [2-4] and [1][2] are parsed; numbers outside the evidence are
removed and reported; the rest are renumbered in order of first use, so that `citations`
and the reference list list exactly the papers the text cites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answer.sentences import split_sentences

_MARKER = re.compile(r"\[(\s*\d+\s*(?:(?:[-–,;]|\band\b)\s*\d+\s*)*)\]")
_ADJACENT = re.compile(r"(?<=[\d\s])\]\s*\[(?=\s*\d[\d\s,;–-]*\])")
MAX_RANGE = 50


# Forms models write that mean a citation: [3.], [^3], [Source 3], [Paper 3: ...], and
# full-width brackets and digits (［３］, 【3】); normalised to [3] before checking.
_VARIANT = re.compile(
    r"[\[［【]\s*(?:\^|(?:source|paper|ref(?:erence)?|doc(?:ument)?|evidence|abstract)s?"
    r"\s*(?:#|no\.)?\s*:?\s*)?"
    r"([\d０-９]+(?:\s*(?:[-–,;，]|\band\b)\s*[\d０-９]+)*)\s*[.。]?\s*[\]］】]",
    re.IGNORECASE,
)


# A negative number in brackets ("[-1]"): no paper's, checked as [0] is (and removed)
_NEGATIVE = re.compile(r"[\[［【]\s*[-−–]\s*[\d０-９]+\s*[\]］】]")


def normalise_markers(text: str) -> str:
    """Citation-like variants written as plain [n] markers."""
    import unicodedata

    text = _NEGATIVE.sub("[0]", text)
    return _VARIANT.sub(lambda m: "[" + unicodedata.normalize("NFKC", m.group(1)) + "]", text)


def _numbers(inside: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"[,;]|\band\b", inside):
        bounds = [int(x) for x in re.findall(r"\d+", part)]
        if len(bounds) == 2 and bounds[0] <= bounds[1] and bounds[1] - bounds[0] <= MAX_RANGE:
            numbers.extend(range(bounds[0], bounds[1] + 1))
        else:
            numbers.extend(bounds)
    return numbers


def cited_numbers(text: str) -> list[int]:
    """The evidence numbers a text cites, in order ([2], [1, 3] and [4-5] all count)."""
    return [n for match in _MARKER.finditer(text) for n in _numbers(match.group(1))]


def without_markers(text: str) -> str:
    return _MARKER.sub(" ", text)


def renumber(text: str, mapping: dict[int, int]) -> str:
    """Markers rewritten through `mapping` ([1, 2] -> [4, 7]); numbers it lacks are kept."""

    def rewrite(match: re.Match) -> str:
        numbers = dict.fromkeys(mapping.get(n, n) for n in _numbers(match.group(1)))
        return f"[{', '.join(str(n) for n in sorted(numbers))}]"

    return _MARKER.sub(rewrite, text)


# Markers joined by separators ("[1] and [99]", "[1]; [2]", "[1], [2], and [3]"): one
# group, rebuilt from its valid markers so that no separator is left dangling.
_JOINER = r"\s*(?:[,;&]\s*)?(?:\b(?:and|or)\b\s*)?"
_GROUP = re.compile(rf"{_MARKER.pattern}(?:{_JOINER}{_MARKER.pattern})*")
_GONE = "\x00"  # where a group of only invalid markers was, until the prose is tidied
_SEPARATOR = r"(?:[,;&]\s*(?:\b(?:and|or)\b)?|\b(?:and|or)\b)"  # ",", "and", ", and"
_LEAD_IN = r"(?:by|in|see|cf\.|from|e\.g\.,?|i\.e\.,?)"
_OPENER = (
    r"(?:Also|Moreover|Furthermore|However|Additionally|Similarly|Likewise|Further|Finally|"
    r"Notably|Thus|Hence|Then|Yet|Still|See|Besides|Instead|In addition|In contrast)"
)
_WORDS = rf"(?i:(?:{_OPENER}|{_LEAD_IN}),?\s*)*"  # "see also", "e.g.," before a marker
_TIDY: tuple[tuple[re.Pattern, str], ...] = (
    # "(see [99])", "([99])": the parenthesis goes with its only content
    (re.compile(rf"\(\s*(?:{_LEAD_IN}\s*)?{_GONE}\s*\)", re.IGNORECASE), _GONE),
    # "Also [0]." or "[99]." alone: nothing of the sentence is left
    (re.compile(rf"(^|(?<=[.!?])\s+){_WORDS}{_GONE}\s*[.!?]", re.MULTILINE), ""),
    # "X agrees; also [98]." -> "X agrees."
    (re.compile(rf"\s*[,;]\s*{_WORDS}{_GONE}(?=\s*[.!?])"), ""),
    # "Over-refusal, e.g. [9], is common" -> "Over-refusal is common"
    (re.compile(rf",\s*{_WORDS}{_GONE}\s*,"), _GONE),
    # "is studied by [99]." -> "is studied."
    (re.compile(rf"\s+{_LEAD_IN}\s*{_GONE}(?=\s*(?:[.!?,;:)]|$))", re.MULTILINE), _GONE),
    # "X and [99]." / "X, [99];" -> "X." / "X;"
    (re.compile(rf"\s*{_SEPARATOR}\s*{_GONE}(?=\s*(?:[.!?,;:)]|$))", re.MULTILINE), ""),
)
# "Also [0] and more", "[0], and X", "In [99], they" at a sentence's start: the joiner
# (or the lead-in) goes too
_OPENING = re.compile(
    rf"(^|[.!?:;]\s+|\(\s*)(?:({_OPENER},?\s+)?|(?i:{_LEAD_IN})\s*)"
    rf"{_GONE}\s*{_SEPARATOR}\s*(\w?)",
    re.MULTILINE,
)


def _joined(markers: list[str], separators: list[str]) -> str:
    """Markers joined again after some were dropped: "[1] and [3]", "[1], [2], and [3]"."""
    if len(markers) == 1:
        return markers[0]
    words = [w for s in separators for w in re.findall(r"\b(?:and|or)\b", s)]
    if not words:
        mark = ";" if any(";" in s for s in separators) else ","
        return f"{mark} ".join(markers)
    head = ", ".join(markers[:-1])
    return f"{head}{',' if len(markers) > 2 else ''} {words[-1]} {markers[-1]}"


def _tidy(text: str) -> str:
    """The prose around removed markers mended: no separator left dangling, no empty
    parenthesis, no space before punctuation."""
    if _GONE in text:
        for pattern, replacement in _TIDY:
            text = pattern.sub(replacement, text)

        def opening(match: re.Match) -> str:
            before, word, first = match.group(1), match.group(2) or "", match.group(3)
            starts = not word and before.strip() in ("", ".", "!", "?")
            return before + word + (first.upper() if starts else first)

        text = _OPENING.sub(opening, text).replace(_GONE, " ")
        text = re.sub(r"[ \t]+([.,;:!?)])", r"\1", text)
        text = re.sub(r"\(\s*\)", "", text)
        text = re.sub(r"[,;:]+\s*([.!?])", r"\1", text)  # "X, ." -> "X."
        text = re.sub(r"([,;])(?:\s*[,;])+", r"\1", text)  # "X, , Y" -> "X, Y"
        text = re.sub(r"(^|[.!?]\s+)[,;:.]+\s*", r"\1", text, flags=re.MULTILINE)
    text = re.sub(r"[ \t]+([.,;:!?])", r"\1", text)  # space left by a removed marker
    return re.sub(r"[ \t]{2,}", " ", text).strip()


@dataclass
class CheckedText:
    text: str
    order: list[int]  # evidence numbers (1-based) in order of first use -> new [1], [2], ...
    warnings: list[str] = field(default_factory=list)
    uncited_sentences: int = 0
    unsupported: list[str] = field(default_factory=list)  # sentences citing only invalid [n]


def _sentences(text: str) -> list[str]:
    return [
        s
        for line in text.splitlines()
        for s in split_sentences(line.strip().lstrip("-*#> ").strip())
    ]


def check_citations(text: str, evidence_count: int, exempt: tuple[str, ...] = ()) -> CheckedText:
    """Remove invalid markers, renumber valid ones by first use, count uncited sentences.

    A sentence whose every citation was invalid stays in the text (the prose around it may
    still read well) but is listed in `unsupported` and in a warning: nothing backs it."""
    order: list[int] = []
    invalid: list[int] = []

    def marker(match: re.Match) -> str:
        kept = []
        for number in _numbers(match.group(1)):
            if 1 <= number <= evidence_count:
                if number not in order:
                    order.append(number)
                new = order.index(number) + 1
                if new not in kept:
                    kept.append(new)
            else:
                invalid.append(number)
        return f"[{', '.join(str(n) for n in sorted(kept))}]" if kept else ""

    def group(match: re.Match) -> str:
        whole = match.group(0)
        markers, separators, end = [], [], 0
        for found in _MARKER.finditer(whole):
            separators.append(whole[end : found.start()])
            markers.append(marker(found))
            end = found.end()
        kept = list(dict.fromkeys(m for m in markers if m))
        if not kept:
            return _GONE
        if len(kept) == len(markers):  # nothing dropped: the writer's own joiners stay
            return _MARKER.sub(lambda m: markers.pop(0), whole)
        return _joined(kept, separators[1:])

    merged = _ADJACENT.sub(", ", normalise_markers(text))  # [1][2] -> [1, 2]
    checked = CheckedText(_tidy(_GROUP.sub(group, merged)), order)
    if invalid:
        shown = ", ".join(f"[{n}]" for n in dict.fromkeys(invalid))
        checked.warnings.append(
            f"removed citation(s) {shown}: the evidence holds only [1]-[{evidence_count}]"
        )
    for sentence in _sentences(merged):
        numbers = cited_numbers(sentence)
        if numbers and not any(1 <= n <= evidence_count for n in numbers):
            left = _tidy(_GROUP.sub(_GONE, sentence))
            checked.unsupported.append(left or f"{sentence} (dropped)")
    if checked.unsupported:
        quoted = "; ".join(f'"{s}"' for s in checked.unsupported)
        checked.warnings.append(
            f"{len(checked.unsupported)} sentence(s) cited only papers outside the evidence "
            f"and are unsupported: {quoted}"
        )
    claims = [s for s in _sentences(checked.text) if len(s.split()) >= 4 and s not in exempt]
    checked.uncited_sentences = sum(not _MARKER.search(s) for s in claims)
    if checked.uncited_sentences:
        checked.warnings.append(
            f"{checked.uncited_sentences} of {len(claims)} sentences carry no citation"
        )
    return checked
