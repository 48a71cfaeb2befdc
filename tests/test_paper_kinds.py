"""Questions for a kind of paper (a benchmark, a survey) and what each paper contributes."""

from __future__ import annotations

import pytest

from assistant.answer.paper_kinds import asked_kind
from assistant.corpus.contribution import BENCHMARK, METHOD, SURVEY, contribution
from assistant.corpus.paper import Paper


@pytest.mark.parametrize(
    ("question", "kind", "topical"),
    [
        ("Which papers introduce a new benchmark or evaluation dataset?", BENCHMARK, False),
        ("Which papers introduce benchmarks for LLM safety?", BENCHMARK, True),
        ("papers that release a dataset of memes", BENCHMARK, True),
        ("Are there survey or overview papers in this collection?", SURVEY, False),
        ("Which papers are surveys?", SURVEY, False),
        ("Are there surveys on hallucination?", SURVEY, True),
        ("Which papers study survey responses of LLMs?", None, True),
        ("Which benchmarks evaluate models on theorem proving?", None, True),
        ("What dataset does CIVICS introduce?", None, True),
        ("Which papers are theoretical rather than empirical benchmark papers?", None, True),
        ("Which papers introduce a new large-scale multimodal dataset?", BENCHMARK, False),
        ("Which papers collect a new dataset?", BENCHMARK, False),
        ("What datasets are introduced for refusal?", BENCHMARK, True),
        ("Which surveys discuss hallucination?", SURVEY, True),
        ("Are there any surveys?", SURVEY, False),
        ("Which papers present benchmark results?", None, True),
        ("Which papers propose methods evaluated on the benchmark?", None, True),
        ("Which papers use LLMs to write peer reviews of scientific papers?", None, True),
        ("Which papers propose a dataset-free method for alignment?", None, True),
        ("Which papers introduce dataset augmentation?", None, True),
        ("Give me an overview of refusal research", None, True),
        ("Which papers run a survey of human participants?", None, True),
    ],
)
def test_the_kind_of_paper_a_question_asks_for(question, kind, topical):
    assert asked_kind(question) == (kind, topical)


def _paper(title: str, abstract: str) -> Paper:
    return Paper(title=title, abstract=abstract, source="t")


def test_what_a_paper_contributes_is_read_from_what_its_authors_propose():
    benchmark = _paper("X", "Models fail. We propose XBench, the first benchmark of refusals.")
    assert contribution(benchmark) == {BENCHMARK}
    both = _paper(
        "Y",
        "This paper bridges this gap by introducing a black-box evaluation approach and a "
        "new dataset, Abstain-QA. Then, we introduce a lightweight editing approach.",
    )
    assert contribution(both) == {BENCHMARK, METHOD}
    survey = _paper("Z", "This paper offers a comprehensive survey of iNLP. We classify it.")
    assert contribution(survey) == {SURVEY}
    titled = _paper("Internal Consistency in LLMs: A Survey", "We summarize a framework.")
    assert contribution(titled) == {SURVEY}
    assert contribution(_paper("Q", "We find that models over-refuse.")) == frozenset()
    # data made on the way, or named as the authors' own
    for made in (
        "We apply a critical thinking method, in order to develop a dataset of fallacies.",
        "We use this classifier to bootstrap a larger (n=10,000) dataset.",
        "Our datasets and code are available at http://x.org.",
    ):
        assert BENCHMARK in contribution(_paper("T", made)), made
    # what is not a contribution of that kind
    misreads = {
        "We present evidence that RLHF (RLHF) increases sycophancy.": frozenset(),
        "We build upon the HH-RLHF dataset to train X.": frozenset(),
        "Our survey of 500 participants shows a gap.": frozenset(),
        "Here we propose a new approach to refusal.": {METHOD},
        "We urge the community to rethink evaluation and to create better benchmarks.": (
            frozenset()
        ),
        "Our results on three datasets show a gap.": frozenset(),
        "We call on researchers to develop more robust benchmarks.": frozenset(),
        "Our method improves benchmark performance by 5%.": {METHOD},
    }
    for abstract, kinds in misreads.items():
        assert contribution(_paper("T", abstract)) == kinds, abstract
    for title in ("Review-Based Recommendation", "Survey Responses of LLMs Are Unstable"):
        assert SURVEY not in contribution(_paper(title, "We find X.")), title
    assert BENCHMARK not in contribution(_paper("Dataset Distillation for X", "We find X."))


def test_a_question_for_benchmarks_lists_the_papers_that_introduce_one(seeded):
    """ "benchmark" read as a topic word cited papers that evaluate on one (RODE, INPO) and
    missed MOSSBench and RMCBench."""
    answer = seeded.ask("Which papers introduce a new benchmark or evaluation dataset?")
    titles = {c.paper.title for c in answer.citations}
    assert not answer.abstained and answer.text.startswith(
        "_Only papers that introduce a benchmark or dataset:"
    )
    assert {t.split(":")[0] for t in titles} >= {"MOSSBench", "RMCBench", "CIVICS", "VISCO"}
    assert not any(t.startswith(("RODE", "Iterative Nash")) for t in titles)
    surveys = seeded.ask("Which papers are surveys?")
    assert any(c.paper.title.endswith("A Survey") for c in surveys.citations)
    assert not any("Survey Responses" in c.paper.title for c in surveys.citations)
    on_topic = seeded.ask("Which papers propose new benchmarks for multimodal models?")
    assert "MOSSBench" in {c.paper.title.split(":")[0] for c in on_topic.citations}
    # each paper is quoted where it introduces its benchmark
    assert "the authors introduce a novel dataset" in on_topic.text


def test_a_question_for_surveys_on_a_topic_is_about_the_topic(seeded):
    """ "Which surveys discuss hallucination?" was answered as a question of fact, citing
    papers of every kind; read as the topic, "surveys" led to "study surveys discuss
    hallucination" and to the papers on survey responses."""
    answer = seeded.ask("Which surveys discuss hallucination?")
    titles = [c.paper.title for c in answer.citations]
    assert titles == ["Internal Consistency and Self-Feedback in Large Language Models: A Survey"]
    assert "One paper in the collection discusses hallucination:" in answer.text


@pytest.mark.parametrize(
    "question", ["What work exists on jailbreaks?", "What papers on jailbreaks exist?"]
)
def test_a_question_that_asks_what_exists_lists_the_papers_on_its_topic(seeded, question):
    answer = seeded.ask(question)
    assert answer.citations
    assert f"{len(answer.citations)} papers in the collection study jailbreaks:" in answer.text
