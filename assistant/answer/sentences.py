"""Sentences of abstracts: splitting, what role a sentence plays, and light rewriting.

Splitting uses pysbd, a rule-based sentence boundary detector that knows abbreviations
("U.S.", "et al.", "e.g.", "Fig. 2"): NLTK's punkt would need nltk's 1 s import on every
`ask` and still splits after "et al." and "e.g." in abstracts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from assistant.index.bm25 import stem

_FIRST_PERSON_OPENINGS = re.compile(
    r"^(?:(?:In this (?:paper|work|study|article)|Here|In this paper and|To this end),? )?we\b"
    r"(?!['’])",  # "We'll" reads "They'll", not "The authors'll"
    re.IGNORECASE,
)
# Openings that link to a sentence the reader of an extract has not seen. Words that may
# also open a plain sentence ("In addition to X, we ...", "Further analysis shows ...",
# "Instead of X, ...") count only with their comma.
_CONNECTIVE = re.compile(
    r"^(?:(?:Moreover|Furthermore|Therefore|However|Additionally|Thus|Hence|Consequently|"
    r"Finally|Specifically|Notably|Importantly|Meanwhile|Accordingly|Secondly|Thirdly|"
    r"Firstly|Lastly|Nevertheless|Nonetheless|Similarly|Likewise)"
    r",?\s+|"
    # an introductory purpose phrase only up to its comma: "To address the challenge of
    # aligning X, we propose" must not lose "To address the challenge" alone
    r"(?:To (?:address|fill|bridge|close|tackle|overcome|mitigate|solve) (?:this|these|the|such)"
    r"(?: \w+){0,2}?(?: issues?| problems?| gaps?| challenges?| limitations?| shortcomings?)|"
    # ... or one that only points back, before the authors' verb: "To quantitatively assess
    # this vulnerability, we present MAD-Bench"
    r"To (?:\w+ly )?\w+ [^,]{0,80}?\b(?:this|these|such(?! as)|those)\b[^,]{0,40}(?=,\s+we\b)|"
    r"In addition|As a result|Also|Besides|In particular|To this end|To do so|To that end|"
    r"On the other hand|In contrast|Instead|Rather|Conversely|Overall|Further|Second|Third|"
    r"First|Still|Yet|"
    r"Then|For example|For instance|Next|Building on (?:this|these)(?: \w+)?|"
    r"Based on (?:this|these)(?: \w+)?|Surprisingly|Interestingly|Intuitively|Particularly|"
    r"Crucially|Remarkably|Ultimately|Concretely|Empirically|In (?:summary|short|sum|"
    r"conclusion)),\s+)",
    re.IGNORECASE,
)
# A segment that ends inside its sentence: the splitter cut before a list ("through: (i)
# ...", "cases where (1) ..."); it is joined to what follows.
_UNFINISHED = re.compile(r"(?:[:,;]|\b(?:where|which|that|and|or|of|to|the|a|an|with|by|as))$")
# A segment that ends as a sentence does; one that does not, the splitter cut too early.
_ENDED = re.compile(r"[.!?…][\"'’”»)\]]*$")
# An item's number the splitter took for a sentence's end: "insights: (1). Oversensitivity
# is prevalent ... (2). Safer models ...".
_ENUMERATOR = re.compile(r"\((?:\d{1,2}|[ivx]{1,4}|[a-h])\)\.?")
_ENUMERATOR_END = re.compile(r":\s*\((?:\d{1,2}|[ivx]{1,4}|[a-h])\)\.?$")
# "case (2)", "setting (ii)": an item of a list that an earlier sentence gave
_ITEM_REFERENCE = re.compile(
    r"\b(?:cases?|conditions?|settings?|scenarios?|types?|steps?) (\((?:\w|[ivx]+)\))",
    re.IGNORECASE,
)
# Openings that lean on the previous sentence ("This gap ...", "They ...", "case (1)"),
# and what leans back wherever it stands ("compared to 33% for the latter").
_BACK_REFERENCE = re.compile(
    # ("Both theoretically and empirically, we show ..." coordinates; "Both methods" refers)
    r"^(?:(?:This|These|That|Those|Such|Both(?!\s+[\w-]+(?:\s+[\w-]+)?\s+and\b)|Its|Their|It|"
    r"They|He|She|Namely)\b|"
    r"(?:The|this) (?:above|aforementioned)\b|"
    # "Despite its importance, ...": a possessive whose owner came before
    r"(?:Despite|Given|Due to|Because of|Beyond|Unlike|Like|Besides|Apart from) (?:its|their)\b)"
    rf"|{_ITEM_REFERENCE.pattern}"
    r"|\baforementioned\b|\bthe (?:former|latter)\b",
    re.IGNORECASE,
)
# What "this" names when it is the paper itself ("this paper"), or nothing ("to this end")
_SELF_NOUNS = r"paper|work|study|article|survey|report|end"
_EARLY_REFERENCE = re.compile(
    rf"\b(?:(?:this|these|those)(?!\s+(?:{_SELF_NOUNS})\b)"
    r"|such(?!\s+as\b)"
    r"|the above|(?:both|either|each) (?:cases?|settings?|scenarios?))\b",
    re.IGNORECASE,
)
# How an abstract names its own paper: "this paper", "the current work", "the present study".
# ("Most of the current work on X" is the literature.)
_THIS_PAPER = r"(?:this|(?<!of )the current|(?<!of )the present) (?:paper|work|study|article)"
_CONTRIBUTION = re.compile(
    rf"\b(?:we|our|{_THIS_PAPER})\s+(?:\w+\s+){{0,2}}?(?:propose|introduce|present|"
    r"develop|design|construct|build|release|create|curate|offer|formulate|train|fine-tune)",
    re.IGNORECASE,
)
_FINDING = re.compile(
    r"\b(?:we|our (?:results|experiments|analysis|findings|evaluation)|results|experiments|"
    r"findings)\s+(?:\w+\s+){0,3}?(?:find|found|show|shows|showed|demonstrate|demonstrates|"
    r"demonstrated|identify|identified|uncover|uncovered|revealed|observed|report|reported|"
    r"reveal|reveals|observe|indicate|indicates|suggest|suggests|confirm|achieve|achieves|"
    r"outperform|outperforms|improve|improves|reduce|reduces)\b"
    r"|\bwe successfully\b",  # "we successfully undo the safety training"
    re.IGNORECASE,
)
_BACKGROUND = re.compile(
    r"\b(?:remains? (?:a|an|largely|poorly|unclear|challenging|underexplored|open)|"
    r"has (?:attracted|gained|drawn|received)|have (?:attracted|gained|drawn|shown remarkable)|"
    r"(?:recent|rapid) (?:advances|progress|years|developments)|"
    r"(?:is|are) (?:increasingly|widely) (?:used|deployed|adopted)|"
    r"little (?:is known|attention|work)|(?:critical|key|significant|major|open) "
    r"(?:challenge|problem|question|concern)s?|"
    r"(?:research|knowledge|this|critical|important) gap|gap in (?:the |our )?(?:literature|"
    r"research|understanding|knowledge)|"
    r"(?:prior|previous|existing|earlier|recent) (?:studies|works?|research) (?:has|have)|"
    r"studies have (?:shown|revealed|found|demonstrated)|"
    r"(?:has|have) become (?:integral|ubiquitous|increasingly|widely|a))\b"
    # an example illustrates a claim made before it: "For example, before Meta released ..."
    r"|^(?:For (?:example|instance)|As an example|E\.g\.),",
    re.IGNORECASE,
)
# A question the paper raises is no answer to one ("This discovery raises an intriguing
# question: can negative emotions ... enhance their performance?").
_RAISED_QUESTION = re.compile(r"\?[\"'’”)]*$")
_NUMBER = re.compile(r"\d")


@functools.cache
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


_TEX_QUOTE = re.compile(r"``|''")


# An abstract's own citations in square brackets ("reasoning [4]", "[Dong et al., 2024]",
# "[3-5]"): quoted in an answer, they would read as its citations of other papers. Numbers
# start at 1: "scores in [0, 1]" is an interval.
_OWN_CITATION = re.compile(
    r"(?P<before>\b\w+)?\s+\[(?:[1-9]\d{0,2}(?:\s*[,;–-]\s*[1-9]\d{0,2})*"
    r"|[^\[\]]*?\bet al\.?[^\[\]]*"
    r"|[A-Z][\w'-]+(?: (?:and|&) [A-Z][\w'-]+)?,? (?:19|20)\d\d[a-z]?(?:\s*;[^\[\]]*)?)\]"
)
# ... but brackets after these are ranges or intervals: "a [1-7] scale", "in [1, 10]"
_BEFORE_A_RANGE = frozenset("a an the of in on to from between within over range scale".split())


def without_own_citations(abstract: str) -> str:
    """The abstract without the bracketed citations of its own text (after a space, so
    not "A[1]", and not after an article or a preposition)."""

    def dropped(match: re.Match) -> str:
        before = match.group("before") or ""
        return match.group() if before.lower() in _BEFORE_A_RANGE else before

    return _OWN_CITATION.sub(dropped, abstract)


def abstract_sentences(abstract: str) -> tuple[str, ...]:
    """The sentences an answer or a draft may quote from an abstract: split, without the
    abstract's own bracketed citations."""
    return split_sentences(without_own_citations(abstract))


@functools.cache
def split_sentences(text: str) -> tuple[str, ...]:
    """The sentences of a text, whitespace normalised and TeX's quotes (``a'') made
    plain ("a") (cached: abstracts repeat)."""
    text = _TEX_QUOTE.sub('"', " ".join(text.split()))
    if not text:
        return ()
    sentences: list[str] = []
    for segment in (s.strip() for s in _segmenter().segment(text)):
        if not segment:
            continue
        previous = sentences[-1] if sentences else "."
        if _UNFINISHED.search(previous) or not _ENDED.search(previous):
            sentences[-1] = f"{previous} {segment}"  # "It fits" + "(i) but not (ii)."
        elif _ENUMERATOR.fullmatch(segment):  # "(2)." alone: the next sentence stands alone
            continue
        elif end := _ENUMERATOR_END.search(previous):  # "insights: (1). X" -> "insights: X"
            sentences[-1] = f"{previous[: end.start()]}: {segment}"
        else:
            sentences.append(segment)
    return tuple(sentences)


# A connective adverb right after the subject ("We then show", "We further propose", "Our
# results also suggest"): it links to a sentence the reader of an extract has not seen.
_SUBJECT_CONNECTIVE = re.compile(
    r"^((?:We|They|The authors|Our (?:results|experiments|analysis|findings))\s+)"
    r"(?:then|further|also|additionally|subsequently|next|finally|furthermore|moreover|"
    r"likewise|similarly|first|second|third|lastly)\s+(?=[a-z])",
)


def without_connective(sentence: str) -> str:
    """'Moreover, we find X.' -> 'We find X.'; 'We then show X.' -> 'We show X.'"""
    stripped = _CONNECTIVE.sub("", sentence, count=1) or sentence
    stripped = stripped[:1].upper() + stripped[1:]
    return _SUBJECT_CONNECTIVE.sub(r"\1", stripped, count=1)


def named_items(sentence: str) -> list[str]:
    """The list items a sentence names by their label: "in case (1)" -> ["(1)"]."""
    return _ITEM_REFERENCE.findall(sentence)


# "this counter-intuitive phenomenon" late in a sentence: a demonstrative and the words of
# what it points at ("such as" and "this is" point nowhere or within the sentence)
_LATE_REFERENCE = re.compile(
    r"\b(?:this|these|such)\s+(?!(?:as|that|is|was|are|were|can|could|may|might|will|would|"
    rf"has|have|had|does|do|did|{_SELF_NOUNS})\b)"
    r"([a-z][\w-]*)(?:\s+([a-z][\w-]*))?",
    re.IGNORECASE,
)


def leans_back(sentence: str, late: bool = False) -> bool:
    """Whether the sentence needs the one before it to be understood: it opens with a
    back-reference, names "this representation" early on, or "the latter" anywhere; with
    `late`, also where it names "this phenomenon" later on without having named a
    phenomenon before (what a definition quotes: "... the causes of this counter-intuitive
    phenomenon, which we term likelihood displacement" says nothing of what it is; in
    other sentences "we argue that this setting is useful" reads well alone)."""
    text = without_connective(sentence)
    opening = " ".join(text.split()[:8])
    if _BACK_REFERENCE.search(text) or _EARLY_REFERENCE.search(opening):
        return True
    return late and any(_points_outside(text, m) for m in _LATE_REFERENCE.finditer(text))


def _points_outside(text: str, match: re.Match) -> bool:
    """Whether "this X Y" points at nothing before it in the sentence: neither X nor Y
    ("these nuances" after "linguistic nuances", "such agents" after "an agent") was
    said."""
    before = {stem(w) for w in re.findall(r"[\w-]+", text[: match.start()].lower())}
    return not any(w and stem(w.lower()) in before for w in match.groups())


def role_bonus(sentence: str) -> float:
    """Contribution and finding sentences up, background and motivation down."""
    bonus = 0.0
    if _CONTRIBUTION.search(sentence):
        bonus += 0.08
    if _FINDING.search(sentence):
        bonus += 0.1
    if _BACKGROUND.search(sentence):
        bonus -= 0.12
    if _RAISED_QUESTION.search(sentence.strip()):
        bonus -= 0.3
    return bonus


_AUTHORS_SPEAK = re.compile(rf"\b(?:we|our|{_THIS_PAPER})\b", re.IGNORECASE)


def setup_length(sentences: Sequence[str]) -> int:
    """How many sentences an abstract spends setting the scene before its authors speak
    ("We propose ...", "This paper ..."); 1 when they never do."""
    spoken = (i for i, s in enumerate(sentences) if _AUTHORS_SPEAK.search(s))
    return max(1, next(spoken, 1))


def states_result(sentence: str) -> bool:
    """Whether the sentence says what its paper contributes or finds."""
    return states_contribution(sentence) or states_finding(sentence)


def states_contribution(sentence: str) -> bool:
    """Whether the sentence says what its paper proposes or builds."""
    return bool(_CONTRIBUTION.search(sentence))


def states_finding(sentence: str) -> bool:
    """Whether the sentence says what its paper finds or shows."""
    return bool(_FINDING.search(sentence))


def has_number(sentence: str) -> bool:
    return bool(_NUMBER.search(sentence))


_FIRST_PERSON = re.compile(r"\b(?:[Ww]e|[Oo]ur|us)\b")
# What ends a clause a quote may be cut at (see evidence.shorten): not a comma, after
# which "they" reads well ("Based on their analyses, they find ...").
_CLAUSE_END = re.compile(r"(?:[;:—–]|--)\s*$")
_NAMED = {"we": "the authors", "our": "the authors'", "us": "the authors"}
_PRONOUN = {"we": "they", "our": "their", "us": "them"}


def third_person(sentence: str) -> str:
    """'In this paper, we propose X; our method' -> 'The authors propose X; their method'.
    The first "we", "our" or "us" names the authors; only the later ones are pronouns: in
    "Central to AI, we find alignment" or "allows us to draw on ...", a "they" or "them"
    would seem to point back to something the sentence named before."""
    sentence = _FIRST_PERSON_OPENINGS.sub("The authors", sentence, count=1)
    sentence = re.sub(r"^Our\b", "The authors'", sentence)
    named = sentence.startswith("The authors")

    def replace(match: re.Match) -> str:
        nonlocal named
        word = match.group()
        contracted = sentence[match.end() : match.end() + 1] in ("'", "’")  # "We'll"
        # a "we" that opens a clause ("... fTRI -- we identify experts") names them again:
        # quoted alone, the clause's "they" would point at nothing, or at someone else
        opens = bool(_CLAUSE_END.search(sentence[: match.start()]))
        words = _PRONOUN if (named and not opens) or contracted else _NAMED
        named = True
        replaced = words[word.lower()]
        return replaced[:1].upper() + replaced[1:] if word[0].isupper() else replaced

    return _FIRST_PERSON.sub(replace, sentence)


def cite(sentence: str, marker: str) -> str:
    """Put a citation marker before the sentence's final punctuation."""
    match = re.search(r"[.!?]+[\"”’)]*$", sentence)
    if match:
        return f"{sentence[: match.start()]} {marker}{sentence[match.start() :]}"
    return f"{sentence} {marker}."
