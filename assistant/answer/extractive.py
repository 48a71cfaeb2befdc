"""The offline answerer: prose assembled from the most relevant sentences, each cited."""

from __future__ import annotations

from assistant.answer.model import CANNOT_ANSWER, Answer, Citation
from assistant.answer.relevance import ABSOLUTE_FLOOR, ScoredPaper, select_cited
from assistant.answer.sentences import cite, split_sentences, third_person
from assistant.corpus.paper import Paper
from assistant.retrieval import SNIPPET_CHARS, PaperHit

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


def extractive_answer(
    question: str, scored: list[ScoredPaper], floor: float = ABSOLUTE_FLOOR
) -> Answer:
    """Cite the papers that clear the relevance cut; abstain when none does."""
    cited = select_cited(scored, floor)
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


def describe_papers(question: str, papers: list[Paper], sentences: int = 4) -> Answer:
    """The opening sentences of each paper's abstract, cited: an overview on request."""
    paragraphs, citations = [], []
    for n, paper in enumerate(papers, start=1):
        chosen = [third_person(s) for s in split_sentences(paper.abstract)[:sentences]]
        if not chosen:
            continue
        citations.append(Citation(n, paper))
        body = " ".join([*chosen[:-1], cite(chosen[-1], f"[{n}]")])
        paragraphs.append(f"*{paper.title}*: {body}")
    sources = [PaperHit(c.paper, 1.0, snippet=c.paper.abstract[:SNIPPET_CHARS]) for c in citations]
    return Answer(question, "\n\n".join(paragraphs), "extractive", False, citations, sources, [])
