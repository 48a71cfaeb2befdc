"""Measure retrieval and answers against a questions file (JSONL).

Each line: {"id", "q", "gold": [titles], "abstain": bool (optional)}. Gold papers are
matched by title through the same normalisation that makes paper ids.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean

from assistant.corpus.paper import paper_id_for
from assistant.errors import InputError


@dataclass
class QuestionResult:
    qid: str
    question: str
    gold: set[str]
    should_abstain: bool
    retrieved: list[str]
    cited: list[str]
    abstained: bool

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
        return len(self.gold & set(self.cited)) / len(self.cited) if self.cited else 0.0

    @property
    def abstention_correct(self) -> bool:
        return self.abstained == self.should_abstain


@dataclass
class QuestionsReport:
    k: int
    results: list[QuestionResult] = field(default_factory=list)

    def summary(self) -> dict:
        def avg(values):
            kept = [v for v in values if v is not None]
            return round(mean(kept), 4) if kept else None

        return {
            "questions": len(self.results),
            f"search_recall@{self.k}": avg(r.search_recall for r in self.results),
            "cited_gold_share": avg(r.cited_recall for r in self.results),
            "citations_gold_share": avg(r.cited_precision for r in self.results),
            "abstention_accuracy": avg(float(r.abstention_correct) for r in self.results),
            "abstained_when_should": sum(r.abstained and r.should_abstain for r in self.results),
            "should_abstain": sum(r.should_abstain for r in self.results),
            "abstained_wrongly": sum(r.abstained and not r.should_abstain for r in self.results),
        }

    def to_dict(self) -> dict:
        return {
            "summary": self.summary(),
            "questions": [
                {
                    "id": r.qid,
                    "question": r.question,
                    "search_recall": r.search_recall,
                    "cited_recall": r.cited_recall,
                    "cited_precision": r.cited_precision,
                    "abstained": r.abstained,
                    "should_abstain": r.should_abstain,
                }
                for r in self.results
            ],
        }


def load_questions(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise InputError(f"{path}: cannot read the questions file ({error.strerror})") from None
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            questions.append(
                {
                    "id": str(record.get("id", number)),
                    "q": record["q"],
                    "gold": list(record.get("gold", [])),
                    "abstain": bool(record.get("abstain", False)),
                }
            )
        except (ValueError, KeyError, TypeError):
            raise InputError(f"{path}:{number}: expected a JSON object with a 'q' field") from None
    return questions


def evaluate_questions(assistant, path: Path, k: int = 10) -> QuestionsReport:
    """Search recall@k, cited-gold shares and abstention accuracy of `assistant`."""
    report = QuestionsReport(k)
    for question in load_questions(path):
        ranking = assistant.search(question["q"], k=k)
        answer = assistant.ask(question["q"])
        report.results.append(
            QuestionResult(
                qid=question["id"],
                question=question["q"],
                gold={paper_id_for(title) for title in question["gold"]},
                should_abstain=question["abstain"],
                retrieved=[hit.paper.paper_id for hit in ranking.hits],
                cited=[c.paper.paper_id for c in answer.citations],
                abstained=answer.abstained,
            )
        )
    return report
