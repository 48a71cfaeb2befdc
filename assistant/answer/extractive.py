"""The offline answerer: the papers judged relevant, quoted in the form the question asks for.

- list ("which papers study X?"): "N papers in the collection study X:", then one line per
  paper, most relevant first, with the clause of its abstract that shows why it fits;
- specific (a number, a benchmark, a method, a finding): per paper, the sentence that
  carries the asked-for fact first, then a supporting one;
- comparison: one line per paper with its approach and its finding.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answer.evidence import Sentence, SentencePicker, shorten
from assistant.answer.model import Answer, Citation
from assistant.answer.question import QuestionAnalysis
from assistant.answer.relevance import Judged
from assistant.answer.sentences import cite, split_sentences, third_person
from assistant.corpus.paper import Paper
from assistant.retrieval import SNIPPET_CHARS, PaperHit

QUOTED_NOTE = "_Quoted from the abstracts (no LLM configured)._"
SECOND_SENTENCE_RATIO = 0.9


# What a title says before its colon that names the kind of paper, not the paper.
_GENERIC_HEAD = re.compile(
    r"^(?:(?:a |an )?(?:technical report|position paper|survey|short paper|preprint|"
    r"extended abstract|tutorial|review|perspective|commentary|note))$",
    re.IGNORECASE,
)


def short_title(title: str) -> str:
    """'MOSSBench: Is Your Multimodal ...' -> 'MOSSBench'; titles without a short name stay,
    as do those whose head only says what kind of paper it is ('Technical Report: ...')."""
    head, colon, _ = title.partition(": ")
    if colon and 2 <= len(head) <= 60 and not _GENERIC_HEAD.match(head):
        return head
    return title


def _label(paper: Paper) -> str:
    year = f" ({paper.year})" if paper.year else ""
    return f"*{short_title(paper.title)}*{year}"


def _count(n: int) -> str:
    return "One paper in the collection" if n == 1 else f"{n} papers in the collection"


def _in_order(sentences: Sequence[Sentence]) -> list[str]:
    return [s.text for s in sorted(sentences, key=lambda s: s.position)]


def _list_lines(analysis, relevant, picked) -> tuple[str, list[str]]:
    verb = "studies" if len(relevant) == 1 else "study"
    lead = f"{_count(len(relevant))} {verb} {analysis.topic}:"
    lines = []
    for n, judged in enumerate(relevant, start=1):
        best = picked[judged.paper.paper_id][0]
        lines.append(
            f"- {_label(judged.paper)}: {cite(shorten(best.text, analysis.terms), f'[{n}]')}"
        )
    return lead, lines


def _specific_lines(analysis, relevant, picked) -> tuple[str, list[str]]:
    paragraphs = []
    for n, judged in enumerate(relevant, start=1):
        ranked = picked[judged.paper.paper_id]
        chosen = [ranked[0]]
        if len(ranked) > 1 and ranked[1].score >= SECOND_SENTENCE_RATIO * ranked[0].score:
            chosen.append(ranked[1])
        texts = [chosen[0].text, *_in_order(chosen[1:])]  # the fact first, then support
        body = " ".join([*texts[:-1], cite(texts[-1], f"[{n}]")])
        paragraphs.append(f"{_label(judged.paper)}: {body}")
    return "", paragraphs


def _comparison_lines(analysis, relevant, picked) -> tuple[str, list[str]]:
    verb = "bears" if len(relevant) == 1 else "bear"
    lead = f"{_count(len(relevant))} {verb} on this comparison:"
    lines = []
    for n, judged in enumerate(relevant, start=1):
        texts = _in_order(picked[judged.paper.paper_id][:2])
        lines.append(
            f"- {_label(judged.paper)}: {' '.join([*texts[:-1], cite(texts[-1], f'[{n}]')])}"
        )
    return lead, lines


_FORMS = {"list": _list_lines, "specific": _specific_lines, "comparison": _comparison_lines}


def extractive_answer(
    analysis: QuestionAnalysis,
    judged: Sequence[Judged],
    relevant: Sequence[Judged],
    picker: SentencePicker,
    lead: str = "",
) -> Answer:
    """Quote every relevant paper, in the form the question asks for; `lead` replaces the
    form's opening line (a follow-up's "2 of the 7 papers above mention RL:")."""
    picked = picker.pick([j.paper for j in relevant])
    form_lead, lines = _FORMS[analysis.kind](analysis, relevant, picked)
    lead = lead or form_lead
    separator = "\n" if analysis.kind != "specific" else "\n\n"
    parts = [lead, separator.join(lines), QUOTED_NOTE]
    text = "\n\n".join(part for part in parts if part)
    citations = [Citation(n, j.paper) for n, j in enumerate(relevant, start=1)]
    sources = [j.hit for j in judged]
    return Answer(analysis.question, text, "extractive", False, citations, sources, [])


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
