"""Whether a paper's abstract mentions what a follow-up asks about ("which of those use RL?").

A follow-up narrows the papers of the last answer by a property. Those papers are all on
the conversation's topic, so a relevance score cannot tell them apart; what can is whether
the abstract says so. A paper is cited only when its title or abstract mentions the
property's rarest term and most of the rest (by IDF weight): as written, in another form
of the word ("medicine"/"medical"), or, for an acronym, spelled out ("RL": "reinforcement
learning") or inside a longer acronym the abstract defines ("RLHF").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from assistant.answer.question import weighted_share
from assistant.corpus.paper import Paper
from assistant.index.bm25 import stem, tokenize

# Stems this long that one begins the other are one word in two forms
# ("medic" of "medical" and "medicin" of "medicine").
SHARED_PREFIX = 5
# "... Reinforcement Learning from Human Feedback (RLHF)": the words before an acronym in
# parentheses, the acronym itself (two or more capitals or digits, an optional plural "s").
_DEFINITION = re.compile(r"((?:[^\W\d_][\w'-]*[\s,]+){1,12})\(([A-Z][A-Za-z0-9]*[A-Z0-9][a-z]?)\)")
# The IDF-weighted share of the property's terms a paper must mention (its rarest one too).
MENTIONED_SHARE = 0.5
# Words an acronym's letters may skip ("Learning *from* Human Feedback").
_LINKING_WORDS = frozenset("a an and as by for from in of on the to via with".split())


def acronym_definitions(texts: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each acronym the texts define, lower-cased, with the stems of the words it stands
    for, one per letter: {"rlhf": ("reinforc", "learn", "human", "feedback")}."""
    found: dict[str, tuple[str, ...]] = {}
    for text in texts:
        for words, acronym in _DEFINITION.findall(text):
            letters = [c.lower() for c in acronym if c.isupper() or c.isdigit()]
            spelled = _spelled_out(words.replace(",", " ").split(), letters)
            if spelled:  # "LLMs" is "llm", "CoT" is "cot", as the index spells them
                key = acronym[:-1] if acronym.endswith("s") else acronym
                found.setdefault(key.lower(), spelled)
    return found


def _spelled_out(words: Sequence[str], letters: Sequence[str]) -> tuple[str, ...] | None:
    """The words before "(ACRONYM)" whose initials spell it, read backwards from the
    parenthesis; linking words may be skipped; None when they do not spell it."""
    matched: list[str] = []
    remaining = list(letters)
    for word in reversed(words):
        if not remaining:
            break
        parts = [p for p in word.split("-") if p and p.lower() not in _LINKING_WORDS]
        parts = parts or [word]  # "Chain-of-Thought (CoT)": C, T
        initials = [p[0].lower() for p in parts]
        if initials == remaining[-len(initials) :]:
            matched[:0] = [stem(p) for p in parts]
            del remaining[-len(initials) :]
        elif word.lower() in _LINKING_WORDS:
            continue
        else:
            return None
    return tuple(matched) if not remaining else None


def _same_word(term: str, token: str) -> bool:
    if term == token:
        return True
    shorter, longer = sorted((term, token), key=len)
    return len(shorter) >= SHARED_PREFIX and longer.startswith(shorter)


def mentions(
    paper: Paper, weights: dict[str, float], definitions: dict[str, tuple[str, ...]]
) -> bool:
    """Whether the paper's title or abstract mentions the property: its rarest term and
    MENTIONED_SHARE of the terms' weight (weights: stemmed term -> IDF)."""
    tokens = set(tokenize([f"{paper.title} {paper.abstract}"])[0])

    def present(term: str) -> bool:
        if any(_same_word(term, token) for token in tokens):
            return True
        # an acronym: spelled out, or the first letters of a longer one ("rl" of "rlhf")
        longer = [a for a in definitions if a.startswith(term) and a != term]
        if any(a in tokens for a in longer):
            return True
        spelled = definitions.get(term) or next(
            (definitions[a][: len(term)] for a in longer if len(definitions[a]) >= len(term)),
            None,
        )
        return bool(spelled) and all(s in tokens for s in spelled)

    if not weights:
        return False
    found = {t for t in weights if present(t)}
    rarest = max(weights, key=weights.__getitem__)
    return rarest in found and weighted_share(weights, found) >= MENTIONED_SHARE


def papers_mentioning(papers: Sequence[Paper], weights: dict[str, float]) -> list[Paper]:
    """The papers that mention the property; acronyms are read from the papers themselves."""
    definitions = acronym_definitions(f"{p.title}. {p.abstract}" for p in papers)
    return [p for p in papers if mentions(p, weights, definitions)]
