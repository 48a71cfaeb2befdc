"""Noun phrases that name a group of papers: shared within it, distinctive against others.

Candidates are the runs of content words between stop words and punctuation (as RAKE
finds them), cut into phrases of one to three words that end on a noun-like word. A
group's name is the phrase most of its papers use, few papers of the other groups use,
and the corpus finds specific (inverse document frequency of its words).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer.question import is_adverb
from assistant.index.bm25 import BM25Index, stem

MAX_PHRASE_WORDS = 3
TITLE_WEIGHT = 1.0  # a phrase in a paper's title names the paper better than one in its text
TOPIC_WEIGHT = 1.5
LENGTH_WEIGHT = 0.5  # "refusal training" says more than "refusal" or "training"
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*|[^\sA-Za-z]+")
# Words that open or close no noun phrase a researcher would use as a heading.
_NOT_HEADWORDS = frozenset(
    """paper papers work works study studies approach approaches method methods result results
    show shows showed shown propose proposes proposed introduce introduces introduced present
    presents presented demonstrate demonstrates demonstrated find finds found use uses used
    using based provide provides reveal reveals evaluate evaluates evaluated achieve achieves
    improve improves improved enable enables make makes made remain remains aim aims allow
    allows including include includes new novel existing various different several many
    recent current key important significant significantly large models model llms llm
    language language-models task tasks performance framework experiments experimental
    extensive comprehensive effective effectively demonstrating despite often across among
    within without first second third however also well even still able given specific
    particular generally widely commonly whether further analysis data set sets way ways via
    simple direct safe general improving towards toward better cannot could would must might
    may shall need needs always never every thing things something really rather almost
    nearly whose yes none lot lots kind kinds part parts case cases example examples number
    numbers amount type types form forms one two three report reports survey surveys
    technical preprint application applications real-world beyond versus vs amid per unlike
    like upon onto along around behind beneath beside besides inside outside throughout
    underneath""".split()
)
# Adjectives that open a noun phrase ("complex reasoning") but end none ("Complex").
_NOT_ENDS = frozenset(
    "complex robust diverse strong weak small high low common standard typical basic whole "
    "full overall".split()
    # ... nor comparatives: "Humans Worse" (from "Thinking Makes Humans Worse")
    + "worse worst best more less most least easier harder faster slower larger smaller "
    "higher lower greater fewer longer shorter stronger weaker deeper wider broader".split()
)
_COMPOUND_ENDS = frozenset("world scale grained source level specific aware free art time".split())
_ADJECTIVE_ENDINGS = ("ful", "ous", "ive", "able", "ible", "ly", "ed", "ical", "less")
# Past participles that end no noun phrase ("refusal training and jailbroken").
_PARTICIPLE_ENDINGS = tuple(
    "broken written taken given driven chosen hidden proven known shown grown drawn spoken "
    "frozen".split()
)
# A title's verb, not a noun phrase's first word: "*Examining* Culturally-Informed Values".
_VERB_STEMS = frozenset(
    """examin challeng build improv enhanc leverag explor investig understand mitig evalu measur
    rethink revisit unveil uncov quantifi predict align distinguish extend control monitor steer
    detect reduc teach bridg fool question decoupl explain analyz unlock enabl generat creat
    design develop learn toward benchmark probe prob assess elicit induc""".split()
)


@functools.cache
def _stop_words() -> frozenset[str]:
    import bm25s.stopwords as lists

    return frozenset(w.lower() for w in lists.STOPWORDS_EN_PLUS)


def _is_word(token: str) -> bool:
    return token[0].isalpha()


def _can_end(word: str) -> bool:
    """Whether a phrase may end on the word: a noun-like word, not a model name ("GPT-4")
    nor a compound adjective ("state-of-the-art", "large-scale")."""
    lower = word.lower()
    if lower in _NOT_HEADWORDS or lower in _NOT_ENDS or (len(lower) < 3 and not word.isupper()):
        return False
    if any(c.isdigit() for c in word) or lower.split("-")[-1] in _COMPOUND_ENDS:
        return False
    if lower.endswith(_PARTICIPLE_ENDINGS):
        return False
    return lower.count("-") < 2 and (word.isupper() or not lower.endswith(_ADJECTIVE_ENDINGS))


MAX_HEADING_WORDS = 8
# A topic that opens so is a question, not a heading ("Can alignment be undone?").
_QUESTION_OPENING = re.compile(
    r"^(?:how|what|which|why|when|where|who|whom|whose|can|could|do|does|did|is|are|was|"
    r"were|should|would|will|has|have|tell|find|list|show|give)\b",
    re.IGNORECASE,
)


def topic_heading(topic: str) -> str | None:
    """The topic as a section heading, where it reads as one: a noun phrase of at most
    MAX_HEADING_WORDS words, before any colon ("over-refusal: models refusing harmless
    requests" -> "over-refusal"); None for a question."""
    head = re.split(r":\s|\s[-–—]+\s", topic.strip(), maxsplit=1)[0].strip(" .;,")
    if not head or topic.strip().endswith("?") or _QUESTION_OPENING.match(head):
        return None
    return head if len(head.split()) <= MAX_HEADING_WORDS else None


def _can_open(word: str) -> bool:
    """Whether a phrase may open with the word: not a framing word, nor a verb's -ing form
    ("Examining ...", "Challenging ...")."""
    lower = word.lower()
    return lower not in _NOT_HEADWORDS and not (
        lower.endswith("ing") and stem(lower) in _VERB_STEMS
    )


def _runs(text: str) -> list[list[str]]:
    """Maximal runs of content words, split at stop words, digits and punctuation."""
    runs, run = [], []
    for token in _TOKEN.findall(text):
        if _is_word(token) and token.lower() not in _stop_words() and len(token) > 1:
            run.append(token)
        else:
            if run:
                runs.append(run)
            run = []
    if run:
        runs.append(run)
    return runs


# Words after which a phrase's last word is a noun: "the refusal", "of alignment".
_DETERMINERS = frozenset(
    "the a an this these that those its their our his her of for on in to with by from "
    "about against between into".split()
)


def _heads(text: str) -> set[str]:
    """The words (lower-cased) that end a noun phrase somewhere in the text: last of a
    run of content words after a modifier ("human feedback"), a determiner ("the
    refusal"), or opening the text or a clause ("Role-Play with ..."). An adjective ends
    none ("sufficient conditions", "is sufficient to"), nor does a modifier ("multi-agent
    tasks", "multimodal models")."""
    tokens = _TOKEN.findall(text)

    def content(token: str) -> bool:
        return _is_word(token) and token.lower() not in _stop_words() and len(token) > 1

    heads = set()
    for i, token in enumerate(tokens):
        if not content(token) or (i + 1 < len(tokens) and content(tokens[i + 1])):
            continue
        before = tokens[i - 1] if i else ""  # "Role-Play with ...": a title's first noun
        if not before or not _is_word(before) or content(before) or before.lower() in _DETERMINERS:
            heads.add(token.lower())
    return heads


def phrases_in(text: str) -> dict[str, str]:
    """Each candidate phrase of a text, lower-cased, mapped to its written form; a single
    word only where the text uses it as a noun (see _heads), or an acronym ("RLHF")."""
    found: dict[str, str] = {}
    heads = _heads(text)
    for run in _runs(text):
        for size in range(1, MAX_PHRASE_WORDS + 1):
            for start in range(len(run) - size + 1):
                words = run[start : start + size]
                if not _can_open(words[0]) or not _can_end(words[-1]) or any(map(is_adverb, words)):
                    continue
                if size == 1 and words[0].lower() not in heads and not words[0].isupper():
                    continue
                found.setdefault(" ".join(words).lower(), " ".join(words))
    return found


@dataclass
class PaperPhrases:
    """The phrases of one paper, and which of them its title holds."""

    all: dict[str, str]
    title: frozenset[str]

    @classmethod
    def of(cls, title: str, abstract: str) -> PaperPhrases:
        in_title = phrases_in(title)
        return cls({**phrases_in(abstract), **in_title}, frozenset(in_title))


def _specificity(phrase: str, bm25: BM25Index) -> float:
    """The highest inverse document frequency among the phrase's words."""
    return max((bm25.idf(stem(w)) for w in phrase.split()), default=0.0)


def _spelling(phrase: str, papers: Sequence[PaperPhrases]) -> str:
    """The phrase as most papers write it, lower-cased but for acronyms ("RLHF")."""
    forms = Counter(p.all[phrase] for p in papers if phrase in p.all)
    form = forms.most_common(1)[0][0] if forms else phrase
    return " ".join("-".join(map(_as_in_prose, w.split("-"))) for w in form.split())


def _as_in_prose(word: str) -> str:
    """A title's capital dropped ("Role-Play" -> "role-play"); acronyms and names with
    inner capitals kept ("RLHF", "StarCraft")."""
    return word.lower() if word[1:] == word[1:].lower() else word


def _stems(phrase: str) -> frozenset[str]:
    """The stems of a phrase's words, hyphenated parts apart: "red-teaming" is "red teaming"."""
    return frozenset(stem(w) for w in re.split(r"[\s-]+", phrase) if w)


def shared_phrases(
    group: Sequence[PaperPhrases],
    others: Sequence[PaperPhrases],
    bm25: BM25Index,
    topic: str = "",
    n: int = 3,
    minimum: int | None = None,
) -> list[str]:
    """Up to `n` phrases most of the group shares and few of `others` use, best first,
    none repeating another's words; written as the papers write them. A phrase with a
    word of the topic ("refusal training" for "over-refusal") is preferred."""
    topic_stems = {stem(w) for w in re.findall(r"[A-Za-z]+", topic)}
    counts = Counter(phrase for paper in group for phrase in paper.all)
    minimum = minimum or (2 if len(group) > 1 else 1)
    scored, weak = [], []  # weak: single words few titles use, heading only if nothing else
    for phrase, count in counts.items():
        titles = sum(phrase in p.title for p in group)
        if count < minimum:
            continue
        inside = count / len(group)
        outside = sum(phrase in p.all for p in others) / len(others) if others else 0.0
        in_titles = titles / len(group)
        length = 1 + LENGTH_WEIGHT * (len(phrase.split()) - 1)
        on_topic = TOPIC_WEIGHT if _stems(phrase) & topic_stems else 1.0
        score = (inside + TITLE_WEIGHT * in_titles) * (1 - outside) * length * on_topic
        strong = " " in phrase or titles >= max(1, len(group) // 2)
        (scored if strong else weak).append((score * _specificity(phrase, bm25), phrase))
    if not scored:
        scored = [item for item in weak if any(item[1] in p.title for p in group)]
    chosen: list[str] = []
    used: set[str] = set()
    for _, phrase in sorted(scored, key=lambda item: (-item[0], item[1])):
        stems = _stems(phrase)
        if stems & used:
            continue
        chosen.append(_spelling(phrase, group))
        used |= stems
        if len(chosen) == n:
            break
    return chosen
