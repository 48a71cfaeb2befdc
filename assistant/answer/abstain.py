"""Answers that cite nothing, and say why: no topic, not English, or not in the collection."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answer.model import CANNOT_ANSWER, Answer, Citation
from assistant.answer.question import QuestionAnalysis, bigrams, property_phrase
from assistant.answer.relevance import Judged
from assistant.corpus.paper import Paper
from assistant.index.bm25 import tokenize
from assistant.markup import literal

# (an example of no collection's in particular: the seeds' "over-refusal" read oddly in a
# collection on robotics)
NO_TOPIC = (
    'Ask about a topic: this question names none (for example, "which papers study X?", '
    "with X a topic of your papers)."
)
NOT_ENGLISH = (
    "The collection and its embedding model are English-only, so this question cannot be "
    "matched: please ask it in English."
)
CLOSEST = 3


def _closest(judged: Sequence[Judged]) -> str:
    lines = []
    for candidate in judged[:CLOSEST]:
        paper = candidate.paper
        year = f" ({paper.year})" if paper.year else ""
        lines.append(f"- {literal(paper.title)}{year}")
    return "Closest papers (not cited):\n\n" + "\n".join(lines) if lines else ""


def why_not(analysis: QuestionAnalysis, judged: Sequence[Judged] = ()) -> str:
    """The sentences that name what the collection lacks: the words no paper mentions, and
    the phrases of the question's key words that none of the closest papers holds
    ("speculative decoding", whose words the papers use apart)."""
    phrases = _phrases_unheld(analysis, judged)
    if analysis.missing:
        words = ", ".join(f'"{w}"' for w in analysis.missing)
        said = f"No paper in the collection mentions {words}."
        return f"{said} {_unheld(phrases)}" if phrases else said
    if phrases:
        return _unheld(phrases)
    # the words are there, but no paper was judged to be about them: say so, no more
    return f"No paper in the collection is close enough to {analysis.topic} to cite."


def _unheld(phrases: Sequence[str]) -> str:
    named = " or ".join(f'"{p}"' for p in phrases)
    return f"None of the papers closest to it mentions {named}."


# A word that ends as a noun of action or state does ("decoding", "recognition"): two or
# three key words that end so are a phrase, not a verb and its subject ("tricks fix"); a
# longer run of key words is a clause ("scaling laws relate pretraining loss")
_NOUN = re.compile(r"(?:ing|ion|ment|ness|ity|ance|ence|ure|ism)s?$", re.IGNORECASE)
# A question's words as written, a hyphenated compound one word ("load-balancing")
_WORD = re.compile(r"[^\W_][\w'’-]*")


def _phrases_unheld(analysis: QuestionAnalysis, judged: Sequence[Judged]) -> list[str]:
    """A phrase of the question's key words (or a compound of them) that no candidate's
    title and abstract hold, the missing words aside."""
    if not judged:
        return []
    keys = set(analysis.key_terms)
    missing = {w.lower() for w in analysis.missing}
    words = [(w, tokenize([w])[0]) for w in _WORD.findall(analysis.question)]
    phrases = [w for w, tokens in words if len(tokens) > 1 and set(tokens) <= keys]
    runs: list[list[str]] = [[]]  # consecutive key words, each a word of its own
    for word, tokens in words:
        if len(tokens) == 1 and tokens[0] in keys:
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    for run in (run for run in runs if 2 <= len(run) <= 3):  # "speculative decoding [speed]"
        ends = [i for i in range(2, len(run) + 1) if _NOUN.search(run[i - 1])]
        phrases += [" ".join(run[: ends[-1]])] if ends else []
    phrases = [p for p in phrases if not missing & set(p.lower().split())]
    if not phrases:
        return []
    held: set[tuple[str, str]] = set()
    for candidate in judged:
        held |= bigrams(tokenize([f"{candidate.paper.title} {candidate.paper.abstract}"])[0])
    return [p for p in phrases if not bigrams(tokenize([p])[0]) <= held]


NO_TOPIC_WORDS = (
    "Name a topic: this one has no words to search for (for example, a phrase your papers use)."
)


def abstention(
    analysis: QuestionAnalysis, judged: Sequence[Judged], mode: str, noun: str = "question"
) -> Answer:
    """The answer when nothing is relevant (or the question cannot be matched at all);
    `noun="topic"` words it for a related-work topic."""
    sources = [j.hit for j in judged]
    if not analysis.english:
        text = NOT_ENGLISH.replace("this question", f"this {noun}")
        text = text if noun == "question" else text.replace("ask it", "give it")
        return Answer(analysis.question, text, mode, True, [], sources, [])
    if not analysis.has_topic:
        text = NO_TOPIC if noun == "question" else NO_TOPIC_WORDS
        return Answer(analysis.question, text, mode, True, [], sources, [])
    cannot = CANNOT_ANSWER.replace("this question", f"this {noun}")
    parts = [f"{cannot} {why_not(analysis, judged)}", _closest(judged)]
    text = "\n\n".join(part for part in parts if part)
    return Answer(analysis.question, text, mode, True, [], sources, [])


def by_absence(question: str, llm: bool) -> Answer:
    """ "Which papers do not use RL?" over the whole collection: papers are found by what
    their abstracts say, and listing all the others would list most of the collection."""
    topic = property_phrase(question)
    text = (
        "Papers are found by what their abstracts say, not by what they leave out: ask "
        f'"which papers mention {topic}?"; the papers it does not list (`assistant papers` '
        "shows them all) are those that do not."
    )
    return stated(question, text, llm)


def stated(question: str, text: str, llm: bool) -> Answer:
    """An answer that cites nothing and says why in `text`."""
    return Answer(question, text, "llm" if llm else "extractive", True, [], [], [])


def about_the_collection(question: str, count: int, llm: bool) -> Answer:
    """A question about the collection itself ("how many papers are there?")."""
    text = (
        f"The collection holds {count:,} papers. `assistant papers` lists them (in a notebook, "
        "`Assistant().papers()`); ask about a topic to have them cited."
    )
    return Answer(question, text, "llm" if llm else "extractive", False, [], [], [])


NOTHING_SELECTED = "No indexed paper passes this filter: widen it, or ask without it."
#: The most papers a question with a filter and no topic lists ("papers from 2023").
MAX_SELECTED = 50


def selected_papers(question: str, papers: Sequence[Paper], llm: bool) -> Answer:
    """A question that names a filter and no topic ("Which papers are from 2023?"): the
    papers the filter selects, newest first, cited; none is a plain statement."""
    mode = "llm" if llm else "extractive"
    if not papers:
        return Answer(question, NOTHING_SELECTED, mode, True, [], [], [])
    ordered = sorted(papers, key=lambda p: (-(p.year or 0), p.title.lower()))
    shown = ordered[:MAX_SELECTED]
    citations = [Citation(n, paper) for n, paper in enumerate(shown, start=1)]
    lines = [
        f"- {literal(c.paper.title)}{f' ({c.paper.year})' if c.paper.year else ''} [{c.n}]"
        for c in citations
    ]
    count = len(papers)
    lead = f"{count} paper passes the filter:" if count == 1 else f"{count} papers pass the filter:"
    more = len(ordered) - len(shown)
    if more:
        lines.append(f"- and {more} more: name a topic to narrow them down.")
    return Answer(question, lead + "\n\n" + "\n".join(lines), mode, False, citations, [], [])
