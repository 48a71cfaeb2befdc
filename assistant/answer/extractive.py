"""The offline answerer: prose assembled from the most relevant sentences, each cited."""

from __future__ import annotations

from assistant.answer.model import CANNOT_ANSWER, Answer, Citation
from assistant.answer.relevance import ScoredPaper, select_cited
from assistant.answer.sentences import cite, third_person

MAX_SENTENCES_PER_PAPER = 2
SECOND_SENTENCE_RATIO = 0.9


def short_title(title: str) -> str:
    """'MOSSBench: Is Your Multimodal ...' -> 'MOSSBench'; titles without a short name stay."""
    head, colon, _ = title.partition(": ")
    return head if colon and 2 <= len(head) <= 60 else title


def _chosen_sentences(paper: ScoredPaper) -> list[str]:
    usable = [s for s in paper.sentences if "http" not in s.text and len(s.text) > 30]
    if not usable:
        return []
    best = usable[0]
    chosen = [best]
    for other in usable[1:MAX_SENTENCES_PER_PAPER]:
        if other.score >= SECOND_SENTENCE_RATIO * best.score:
            chosen.append(other)
    return [third_person(s.text) for s in sorted(chosen, key=lambda s: s.position)]


def _lead(count: int) -> str:
    if count == 1:
        return "One paper in the collection bears on this question."
    return f"{count} papers in the collection bear on this question."


def extractive_answer(question: str, scored: list[ScoredPaper]) -> Answer:
    """Cite the papers that clear the relevance cut; abstain when none does."""
    cited = select_cited(scored)
    sources = [p.hit for p in scored]
    if not cited:
        return Answer(question, CANNOT_ANSWER, "extractive", True, [], sources, [])
    paragraphs, citations = [], []
    for paper in cited:
        sentences = _chosen_sentences(paper)
        if not sentences:
            continue
        n = len(citations) + 1
        citations.append(Citation(n, paper.hit.paper))
        body = " ".join([*sentences[:-1], cite(sentences[-1], f"[{n}]")])
        paragraphs.append(f"*{short_title(paper.hit.paper.title)}*: {body}")
    text = "\n\n".join([_lead(len(citations)), *paragraphs])
    return Answer(question, text, "extractive", False, citations, sources, [])
