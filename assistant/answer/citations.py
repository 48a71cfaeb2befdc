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


def normalise_markers(text: str) -> str:
    """Citation-like variants written as plain [n] markers."""
    import unicodedata

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


@dataclass
class CheckedText:
    text: str
    order: list[int]  # evidence numbers (1-based) in order of first use -> new [1], [2], ...
    warnings: list[str] = field(default_factory=list)
    uncited_sentences: int = 0


def check_citations(text: str, evidence_count: int, exempt: tuple[str, ...] = ()) -> CheckedText:
    """Remove invalid markers, renumber valid ones by first use, count uncited sentences."""
    order: list[int] = []
    invalid: list[int] = []

    def renumber(match: re.Match) -> str:
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

    merged = _ADJACENT.sub(", ", normalise_markers(text))  # [1][2] -> [1, 2]
    rewritten = _MARKER.sub(renumber, merged)
    rewritten = re.sub(r"[ \t]+([.,;:!?])", r"\1", rewritten)  # space left by a removed marker
    rewritten = re.sub(r"[ \t]{2,}", " ", rewritten).strip()
    checked = CheckedText(rewritten, order)
    if invalid:
        shown = ", ".join(f"[{n}]" for n in dict.fromkeys(invalid))
        checked.warnings.append(
            f"removed citation(s) {shown}: the evidence holds only [1]-[{evidence_count}]"
        )
    claims = [
        s
        for line in rewritten.splitlines()
        for s in split_sentences(line.strip().lstrip("-*#> ").strip())
        if len(s.split()) >= 4 and s not in exempt
    ]
    checked.uncited_sentences = sum(not _MARKER.search(s) for s in claims)
    if checked.uncited_sentences:
        checked.warnings.append(
            f"{checked.uncited_sentences} of {len(claims)} sentences carry no citation"
        )
    return checked
