"""Measure retrieval and answers against a questions file (JSONL).

Each line: {"id", "q", "gold": [titles], "abstain": bool, "type": "list" | "specific" |
"comparison" | "offcorpus", "acceptable": [titles], "answer_contains": [strings]}; only
"q" is required. Gold papers are matched by title through the same normalisation that
makes paper ids. "acceptable" papers may be cited without counting against precision.
"abstain" defaults to true for type "offcorpus".
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean

from assistant.answer.question import classify
from assistant.corpus.paper import paper_id_for
from assistant.errors import InputError

_STATED = re.compile(r"^(One|\d+) papers? in the collection\b", re.MULTILINE)


def stated_count(text: str) -> int | None:
    """The count an answer's lead states ("6 papers in the collection study ..."), if any."""
    match = _STATED.search(text)
    if match is None:
        return None
    return 1 if match.group(1) == "One" else int(match.group(1))


@dataclass
class QuestionResult:
    qid: str
    question: str
    kind: str
    gold: set[str]
    acceptable: set[str]
    should_abstain: bool
    retrieved: list[str]
    cited: list[str]
    abstained: bool
    stated: int | None = None
    contains_expected: bool | None = None  # the answer quotes the sentence holding the fact
    supported_share: float | None = None  # with --verify: share of sentences supported
    mode: str = "extractive"  # who wrote the answer: "llm", or "extractive" (offline)

    @property
    def search_recall(self) -> float | None:
        return len(self.gold & set(self.retrieved)) / len(self.gold) if self.gold else None

    @property
    def cited_recall(self) -> float | None:
        return len(self.gold & set(self.cited)) / len(self.gold) if self.gold else None

    @property
    def cited_precision(self) -> float | None:
        if not self.gold:
            return None
        if not self.cited:
            return 0.0
        return len((self.gold | self.acceptable) & set(self.cited)) / len(self.cited)

    @property
    def complete(self) -> bool | None:
        """For list questions: every gold paper cited."""
        return self.gold <= set(self.cited) if self.kind == "list" and self.gold else None

    @property
    def count_matches(self) -> bool | None:
        """Whether a stated count equals the number of papers cited."""
        return None if self.stated is None else self.stated == len(self.cited)

    @property
    def abstention_correct(self) -> bool:
        return self.abstained == self.should_abstain


def _avg(values) -> float | None:
    kept = [float(v) for v in values if v is not None]
    return round(mean(kept), 4) if kept else None


@dataclass
class QuestionsReport:
    k: int
    results: list[QuestionResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # for stderr: the JSON stays the scores

    def summary(self) -> dict:
        results = self.results
        off = [r for r in results if r.should_abstain]
        on = [r for r in results if not r.should_abstain]
        summary = {
            "questions": len(results),
            f"search_recall@{self.k}": _avg(r.search_recall for r in results),
            "cited_recall": _avg(r.cited_recall for r in results),
            "cited_precision": _avg(r.cited_precision for r in results),
            "list_completeness": _avg(r.complete for r in results),
            "stated_count_correct": _avg(r.count_matches for r in results),
            "fact_sentence_quoted": _avg(r.contains_expected for r in results),
            "off_corpus_abstained": f"{sum(r.abstained for r in off)} of {len(off)}",
            "on_corpus_abstained": f"{sum(r.abstained for r in on)} of {len(on)}",
            "answer_modes": dict(Counter(r.mode for r in results)),
        }
        supported = _avg(r.supported_share for r in results)
        if supported is not None:
            summary["supported_sentences"] = supported
        return summary

    def to_dict(self) -> dict:
        return {
            "summary": self.summary(),
            "questions": [
                {
                    "id": r.qid,
                    "question": r.question,
                    "type": r.kind,
                    "search_recall": r.search_recall,
                    "cited_recall": r.cited_recall,
                    "cited_precision": r.cited_precision,
                    "complete": r.complete,
                    "stated_count": r.stated,
                    "cited": len(r.cited),
                    "abstained": r.abstained,
                    "should_abstain": r.should_abstain,
                    "fact_sentence_quoted": r.contains_expected,
                    "mode": r.mode,
                }
                for r in self.results
            ],
        }


def _strings(record: dict, key: str, what: str, where: str) -> list[str]:
    """A list field of a question (gold titles, expected strings), checked: a bare string
    would otherwise be read as a list of its letters and score 0 without a word."""
    value = record.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InputError(f"{where}: {key} must be a list of {what}")
    return value


def _question(record: object, where: str, number: int) -> dict:
    if not isinstance(record, dict) or "q" not in record:
        raise InputError(f"{where}: expected a JSON object with a 'q' field")
    if not isinstance(record["q"], str):
        raise InputError(f"{where}: the question ('q') must be text")
    if not record["q"].strip():
        raise InputError(f"{where}: the question ('q') is empty; write the question to ask")
    # an off-corpus question is one to abstain on, whether or not it says so twice
    abstain = record.get("abstain", record.get("type") == "offcorpus")
    if not isinstance(abstain, bool):
        raise InputError(f"{where}: abstain must be true or false")
    return {
        "id": str(record.get("id", number)),
        "q": record["q"],
        "gold": _strings(record, "gold", "titles", where),
        "acceptable": _strings(record, "acceptable", "titles", where),
        "abstain": abstain,
        "type": str(record.get("type", "offcorpus" if abstain else "")),
        "answer_contains": _strings(record, "answer_contains", "strings", where),
        "line": number,
    }


def load_questions(path: Path) -> list[dict]:
    """The questions of a JSONL file, each checked; a bad one is an error naming its line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise InputError(f"{path}: cannot read the questions file ({error.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; give a questions JSONL file") from None
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            raise InputError(f"{path}:{number}: expected a JSON object with a 'q' field") from None
        questions.append(_question(record, f"{path}:{number}", number))
    if not questions:
        raise InputError(
            f'{path}: no questions; write one JSON object per line, e.g. {{"q": "..."}}'
        )
    return questions


def unmatched_gold(assistant, questions: list[dict]) -> list[str]:
    """A warning for each gold or acceptable title that names no indexed paper: it could
    never be found, and would lower the scores without saying why."""
    indexed = {paper_id_for(paper.title) for paper in assistant.papers()}
    warnings = []
    for question in questions:
        for title in dict.fromkeys([*question["gold"], *question["acceptable"]]):
            if paper_id_for(title) not in indexed:
                warnings.append(
                    f"question {question['id']} (line {question['line']}): no indexed paper "
                    f"is titled {title!r}"
                )
    return warnings


def evaluate_questions(
    assistant, path: Path, k: int = 10, llm: bool | None = None
) -> QuestionsReport:
    """Search recall@k, cited recall and precision, list completeness, stated counts and
    abstention of `assistant`'s answers (`llm=False`: offline even if an LLM is set).
    Papers are matched to gold titles by title, so that corpora with ids of their own are
    scored too."""
    report = QuestionsReport(k)
    questions = load_questions(path)
    report.warnings = unmatched_gold(assistant, questions)
    for question in questions:
        try:
            ranking = assistant.search(question["q"], k=k)
            answer = assistant.ask(question["q"], llm=llm)
        except InputError as error:  # a question the assistant refuses: say which one
            raise InputError(f"{path}:{question['line']}: {error}") from None
        expected = question["answer_contains"]
        report.results.append(
            QuestionResult(
                qid=question["id"],
                question=question["q"],
                kind=question["type"] or classify(question["q"])[0],
                gold={paper_id_for(title) for title in question["gold"]},
                acceptable={paper_id_for(title) for title in question["acceptable"]},
                should_abstain=question["abstain"],
                retrieved=[paper_id_for(hit.paper.title) for hit in ranking.hits],
                cited=[paper_id_for(c.paper.title) for c in answer.citations],
                abstained=answer.abstained,
                stated=stated_count(answer.text),
                contains_expected=all(s in answer.text for s in expected) if expected else None,
                supported_share=answer.supported_share,
                mode=answer.mode,
            )
        )
    offline = sum(r.mode != "llm" for r in report.results)
    if assistant.settings.uses_llm(llm) and offline:
        report.warnings.append(
            f"{offline} of {len(report.results)} answers fell back to offline (the endpoint "
            "failed): the scores mix the LLM's answers with extractive ones"
        )
    return report
