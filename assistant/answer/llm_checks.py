"""Optional LLM passes around an answer: a relevance rerank before it, a support check after.

- rerank (`--rerank llm`): one batched call scores every candidate 0-10 with a one-line
  reason, as PaperQA2 does; papers scoring RERANK_CUT or more replace the fitted decision.
- verify (`--verify`): one call asks, per cited sentence, whether the cited abstracts
  support it. A model that says yes to everything is not taken at its word: a sentence that
  shares almost none of its content words with the abstracts it cites stays unsupported.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from assistant.answer.citations import cited_numbers, without_markers
from assistant.answer.model import Answer
from assistant.answer.relevance import Judged
from assistant.answer.sentences import split_sentences, without_own_citations
from assistant.config import Settings
from assistant.index.bm25 import tokenize
from assistant.prompts import load_prompt

RERANK_CUT = 5
RERANK_ABSTRACT_TOKENS = 160
MIN_SHARED_TERMS = 0.25
UNSUPPORTED_MARK = " *(not supported by the cited abstracts)*"
Notice = Callable[[str], None]


def _json_array(text: str) -> list[dict] | None:
    """The first JSON array of objects in a reply (models wrap it in prose or fences)."""
    start, end = text.find("["), text.rfind("]")
    if start < 0 or end <= start:
        return None
    try:
        data = json.loads(text[start : end + 1])
    except ValueError:
        return None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        return None
    return data


def _number(item: dict) -> int | None:
    value = item.get("n")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def rerank(
    question: str, judged: Sequence[Judged], settings: Settings, notice: Notice | None = None
) -> tuple[list[Judged] | None, list[str]]:
    """The candidates the LLM scores RERANK_CUT or more, best first (None when its reply is
    unusable), and any warnings.

    Each Judged gets the LLM's score / 10 as its probability and the reason in features."""
    from assistant.answer.llm import _truncate_tokens, complete, count_tokens

    if not judged:
        return [], []
    blocks = []
    for n, candidate in enumerate(judged, start=1):
        abstract = without_own_citations(candidate.paper.abstract)
        blocks.append(
            f"[{n}] {candidate.paper.title}\n{_truncate_tokens(abstract, RERANK_ABSTRACT_TOKENS)}"
        )
    prompt = load_prompt("rerank", settings.prompts_dir).render(
        question=question, candidates="\n\n".join(blocks)
    )
    if notice is not None:
        notice(
            f"LLM rerank: {len(judged)} candidates, about {count_tokens(prompt):,} prompt "
            f"tokens plus about {12 * len(judged):,} to answer"
        )
    verdicts = _json_array(complete(settings, prompt))
    if verdicts is None:
        return None, ["the LLM rerank reply was not a JSON array; used the fitted decision"]
    kept: list[Judged] = []
    for item in verdicts:
        n, score = _number(item), item.get("score")
        if n is None or not 1 <= n <= len(judged) or not isinstance(score, int | float):
            continue
        candidate = judged[n - 1]
        candidate.probability = max(0.0, min(float(score), 10.0)) / 10
        candidate.features = {**candidate.features, "llm_reason": str(item.get("reason", ""))}
        if score >= RERANK_CUT and candidate not in kept:
            kept.append(candidate)
    return sorted(kept, key=lambda j: -j.probability), []


def cited_sentences(text: str) -> list[tuple[str, list[int]]]:
    """The answer's sentences that carry citations, with the numbers they cite."""
    found = []
    for line in text.splitlines():
        for sentence in split_sentences(line.strip().lstrip("-*#> ").strip()):
            numbers = cited_numbers(sentence)
            if numbers:
                found.append((sentence, numbers))
    return found


def _shares_terms(sentence: str, abstracts: str) -> bool:
    """Whether the abstracts hold at least MIN_SHARED_TERMS of the sentence's content terms."""
    terms = set(tokenize([without_markers(sentence)])[0])
    if not terms:
        return True
    return len(terms & set(tokenize([abstracts])[0])) / len(terms) >= MIN_SHARED_TERMS


def verify(answer: Answer, settings: Settings) -> Answer:
    """Mark the answer's unsupported sentences, and record a verdict for each cited one."""
    from assistant.answer.llm import complete

    sentences = cited_sentences(answer.text)
    if not sentences or not answer.citations:
        return answer
    papers = {c.n: c.paper for c in answer.citations}
    evidence = "\n\n".join(
        f"[{n}] {p.title}\n{without_own_citations(p.abstract)}" for n, p in papers.items()
    )
    listing = "\n".join(f"{i}. {s}" for i, (s, _) in enumerate(sentences, start=1))
    prompt = load_prompt("verify", settings.prompts_dir).render(
        evidence=evidence, sentences=listing
    )
    verdicts = _json_array(complete(settings, prompt))
    if verdicts is None:
        answer.warnings.append("the support check's reply was not a JSON array: not checked")
        return answer
    by_number = {_number(v): v for v in verdicts if _number(v) is not None}
    support, text, unsupported = [], answer.text, 0
    for i, (sentence, numbers) in enumerate(sentences, start=1):
        verdict = by_number.get(i, {})
        claimed = verdict.get("supported")
        reason = str(verdict.get("reason", ""))
        cited_text = " ".join(
            f"{papers[n].title} {papers[n].abstract}" for n in numbers if n in papers
        )
        if not isinstance(claimed, bool):
            supported, reason = None, "no valid verdict from the model"
        elif claimed and not _shares_terms(sentence, cited_text):
            supported, reason = False, "shares almost no words with the cited abstracts"
        else:
            supported = claimed
        support.append(
            {"sentence": sentence, "citations": numbers, "supported": supported, "reason": reason}
        )
        if supported is False:
            unsupported += 1
            text = text.replace(sentence, sentence + UNSUPPORTED_MARK, 1)
    answer.text, answer.support = text, support
    if unsupported:
        answer.warnings.append(
            f"{unsupported} of {len(sentences)} cited sentences not supported by the "
            "abstracts they cite (marked in the text)"
        )
    unchecked = sum(s["supported"] is None for s in support)
    if unchecked:
        answer.warnings.append(f"{unchecked} sentence(s) got no valid verdict from the model")
    return answer
