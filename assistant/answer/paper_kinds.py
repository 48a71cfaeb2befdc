"""Questions that ask for a kind of paper: "Which papers introduce a new benchmark?", "Are
there survey papers on hallucination?".

The kind is what a paper contributes (assistant.corpus.contribution), not a topic: read as
words, "benchmark" matched every paper that evaluates on one, and "survey" the papers
about survey responses. So the kind filters the collection, as a year does; a question
that names a topic beyond it ("... for LLM safety") is still asked whole, its words
weighing the papers that introduce a benchmark above those that use one.
"""

from __future__ import annotations

import re

from assistant.corpus.contribution import BENCHMARK, SURVEY

_DATA = (
    r"(?:benchmarks?|datasets?|data sets?|corpora|corpus|test suites?|evaluation (?:sets?|suites?))"
    # ... not a word that makes it another thing: "benchmark results", "dataset augmentation",
    # "a dataset-free method"
    r"(?![\w-])(?!\s+(?:results?|scores?|performance|augmentation|contamination|bias|shift|size|"
    r"distillation|pruning|selection|leakage)\b)"
)
# Up to four words between the verb and the data: "a new large-scale multimodal dataset"
# ... none of them a preposition or a clause ("propose methods evaluated on the benchmark")
_MODIFIERS = (
    r"(?:(?!(?:on|in|for|of|with|by|to|from|using|that|which|and|or|than|evaluated|tested)\b)"
    r"[\w-]+\s+){0,4}?"
)
_MAKE = (
    r"(?:introduc|propos|present|releas|build|buil|creat|contribut|construct|curat|develop|"
    r"offer|provid|collect|compil|assembl)"
)
_REVIEWS = r"(?:surveys|overviews|reviews|literature reviews)"
_ASKS_FOR = {
    BENCHMARK: re.compile(
        rf"\b{_MAKE}\w*\s+{_MODIFIERS}{_DATA}(?:\s+(?:or|and)\s+{_MODIFIERS}{_DATA})?"
        rf"|\b(?:benchmark|dataset)\s+papers?\b"
        # "What datasets are introduced for refusal?"
        rf"|\b{_DATA}\s+(?:are|were|have been|has been|is|was)\s+{_MAKE}\w*"
        # "Which of them are benchmarks?"
        r"|\b(?:are|is)\s+(?:an?\s+)?(?:new\s+)?(?:benchmarks?|datasets?)(?:\s+papers?)?\s*[?.!]*\s*$",
        re.IGNORECASE,
    ),
    SURVEY: re.compile(
        r"\b(?:survey|overview|review)s?(?:\s+(?:or|and)\s+(?:survey|overview|review)s?)?\s+"
        r"(?:papers?|articles?)\b"
        r"|\b(?:papers?|which|what)\s+(?:are|is)\s+(?:an?\s+)?(?:surveys?|overviews?|reviews?)\b"
        # "Which surveys discuss X?", "Are there any surveys?", "surveys on RLHF"
        rf"|^\s*(?:which|what)\s+{_REVIEWS}\b|\bany\s+{_REVIEWS}\b"
        r"|\b(?:are|is)\s+(?:an?\s+)?(?:surveys?|overviews?|reviews?)\s*[?.!]*\s*$"
        # "surveys on RLHF", "any surveys of X" (not "peer reviews of papers")
        r"|(?:^\s*|\b(?:any|some|there|find|list|recommend|suggest|me)\s+)"
        r"(?:surveys|overviews|literature reviews)(?=\s+(?:of|on|about)\s)",
        re.IGNORECASE,
    ),
}
#: What a paper of each kind does, as one paper and as several ("2 of the 7 papers above
#: introduce a benchmark or dataset:"), and what one that is not does not.
KIND_VERBS = {
    BENCHMARK: (
        "introduces a benchmark or dataset",
        "introduce a benchmark or dataset",
        "does not introduce a benchmark or dataset",
    ),
    SURVEY: ("is a survey", "are surveys", "is not a survey"),
}
#: How the answer's note names the papers of each kind.
KIND_NOTES = {BENCHMARK: "that introduce a benchmark or dataset", SURVEY: "that are surveys"}
# A kind the question sets aside: "... rather than empirical benchmark papers".
_SET_ASIDE = re.compile(
    r"\b(?:rather than|instead of|other than|not|no|excluding|except|besides|beyond|but)\s+"
    r"(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)
# What names no topic after the kind: "... in this collection?", "... here?"
_NO_TOPIC = re.compile(
    r"^\s*(?:in\s+)?(?:(?:this|the)\s+(?:collection|corpus|index)|here|there|please)?\s*[?.!]*\s*$",
    re.IGNORECASE,
)


def asked_kind(question: str) -> tuple[str | None, bool]:
    """The kind of paper the question asks for (None when it asks for none), and whether
    it names a topic beyond the kind ("... benchmarks for LLM safety?")."""
    for kind, pattern in _ASKS_FOR.items():
        match = pattern.search(question)
        if match and not _SET_ASIDE.search(question[: match.start()]):
            return kind, not _NO_TOPIC.match(question[match.end() :])
    return None, True
