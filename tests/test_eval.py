"""`assistant eval`: a BEIR folder and a questions file, measured through the real CLI; the
relevance decision's fitting script run on a few questions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.answer.relevance import FEATURES, POOL_FEATURES, RelevanceModel
from assistant.corpus import read_corpus
from assistant.errors import InputError
from assistant.evaluation import evaluate_questions, load_questions, stated_count

from .conftest import SEEDS, assert_one_line_error, run_cli

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = REPO / "eval" / "questions.jsonl"
BEIR_SAMPLE = REPO / "eval" / "beir-sample"


def some_questions(tmp_path: Path) -> Path:
    """Two list questions, a specific one and two off-corpus ones from the repo's set."""
    chosen, kinds = [], {"list": 2, "specific": 1, "offcorpus": 2}
    for line in QUESTIONS.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if kinds.get(record["type"], 0) > 0:
            kinds[record["type"]] -= 1
            chosen.append(line)
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(chosen) + "\n", encoding="utf-8")
    return path


def test_the_repo_questions_are_well_formed():
    questions = load_questions(QUESTIONS)
    assert len(questions) >= 100
    assert len({q["id"] for q in questions}) == len(questions)
    off = [q for q in questions if q["abstain"]]
    assert len(off) >= 8 and all(not q["gold"] for q in off)
    seed_titles = {paper.title for paper in read_corpus([SEEDS]).papers}
    for q in questions:
        assert set(q["gold"]) | set(q["acceptable"]) <= seed_titles, q["id"]
    assert {q["type"] for q in questions} >= {"list", "specific", "comparison", "offcorpus"}


def test_questions_report_measures_answers(seeded, tmp_path: Path):
    report = evaluate_questions(seeded, some_questions(tmp_path))
    summary = report.summary()
    assert summary["questions"] == 5
    assert summary["off_corpus_abstained"].endswith("of 2")
    assert summary["on_corpus_abstained"].endswith("of 3")
    for result in report.results:
        if result.stated is not None:
            assert result.count_matches, result.question
    on = [r for r in report.results if not r.should_abstain]
    assert all(0.0 <= r.cited_recall <= 1.0 and 0.0 <= r.cited_precision <= 1.0 for r in on)
    assert {"cited_recall", "cited_precision", "list_completeness"} <= set(summary)


def test_a_malformed_questions_file_names_its_line(tmp_path: Path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"q": "fine"}\n{"no question": 1}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:2:"):
        load_questions(path)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "a", "q": "over-refusal", "gold": "notalist"}', "gold must be a list of titles"),
        ('{"q": "over-refusal", "acceptable": [1]}', "acceptable must be a list of titles"),
        ('{"q": "over-refusal", "answer_contains": "52%"}', "answer_contains must be a list"),
        ('{"q": "over-refusal", "abstain": "no"}', "abstain must be true or false"),
        ('{"id": "a", "q": ""}', "the question ('q') is empty"),
        ('{"id": "a", "q": 123}', "the question ('q') must be text"),
        ("[1, 2]", "expected a JSON object with a 'q' field"),
    ],
)
def test_a_bad_question_is_an_error_naming_its_line(tmp_path: Path, line: str, message: str):
    path = tmp_path / "bad.jsonl"
    path.write_text(f'{{"q": "fine", "gold": []}}\n\n{line}\n', encoding="utf-8")
    result = run_cli("eval", str(path), data_dir=tmp_path / "data")
    assert_one_line_error(result, f"bad.jsonl:3: {message}")


def test_gold_titles_that_name_no_indexed_paper_are_warned_about(seeded_dir: Path, tmp_path: Path):
    seed_title = "Role-Play with Large Language Models"
    path = tmp_path / "questions.jsonl"
    question = {"id": "g1", "q": "role-play", "gold": [seed_title, "A Paper Nobody Wrote"]}
    path.write_text(json.dumps(question) + "\n", encoding="utf-8")
    result = run_cli("eval", str(path), "--json", data_dir=seeded_dir)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: question g1 (line 1): no indexed paper is titled 'A Paper Nobody Wrote'"
    ]
    (scored,) = json.loads(result.stdout)["questions"]
    assert "fact_sentence_quoted" in scored and scored["search_recall"] == 0.5


def test_a_question_the_assistant_refuses_names_its_line(seeded, tmp_path: Path):
    path = tmp_path / "long.jsonl"
    path.write_text('{"q": "fine"}\n' + json.dumps({"q": "why " * 600}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"long.jsonl:2: .*limit is 2,000"):
        evaluate_questions(seeded, path)


def test_an_off_corpus_question_is_one_to_abstain_on_unless_it_says_otherwise(tmp_path: Path):
    path = tmp_path / "q.jsonl"
    lines = [
        '{"q": "sourdough starters", "type": "offcorpus"}',
        '{"q": "over-refusal", "type": "offcorpus", "abstain": false}',
        '{"q": "over-refusal", "type": "list"}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [q["abstain"] for q in load_questions(path)] == [True, False, False]


def test_stated_count_reads_the_lead():
    assert stated_count("7 papers in the collection study X:\n\n- a") == 7
    assert stated_count("One paper in the collection studies X:") == 1
    assert stated_count("*A*: a sentence [1].") is None


def test_eval_of_a_beir_folder_through_the_cli(tmp_path: Path):
    result = run_cli("eval", str(BEIR_SAMPLE), "--json", data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert (payload["queries"], payload["corpus"]) == (30, 200)
    for mode in ("bm25", "dense", "hybrid"):
        assert set(payload[mode]) == {"ndcg@10", "recall@10", "recall@100", "mrr@10"}
    assert payload["hybrid"]["ndcg@10"] >= max(payload["bm25"]["ndcg@10"], 0.5)


def test_the_shipped_decision_loads_and_the_fit_script_writes_one(tmp_path: Path):
    model = RelevanceModel.load()
    assert model.paper.features == FEATURES and model.coverage.features == POOL_FEATURES
    out = tmp_path / "model.json"
    script = REPO / "eval" / "fit_relevance.py"
    questions = some_questions(tmp_path)
    subprocess.run(
        [sys.executable, str(script), "--scifact", str(tmp_path / "none"),
         "--questions", str(questions), "--data-dir", str(tmp_path / "data"), "--out", str(out)],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    fitted = RelevanceModel.load(out)
    assert 0.0 < fitted.paper.threshold < 1.0
