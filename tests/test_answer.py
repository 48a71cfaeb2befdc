"""Extractive answers: cited prose, exact citation lists, abstention."""

from __future__ import annotations

import re

from assistant.answer.model import CANNOT_ANSWER
from assistant.answer.sentences import cite, split_sentences, third_person


def markers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\[(\d+)\]", text)]


def test_a_covered_question_gets_cited_prose_and_references(seeded):
    answer = seeded.ask("Which papers study reward models for RLHF?")
    assert not answer.abstained
    assert answer.mode == "extractive"
    cited = markers(answer.text)
    assert cited, answer.text
    assert (
        sorted(set(cited))
        == [c.n for c in answer.citations]
        == list(range(1, len(answer.citations) + 1))
    )
    assert len(cited) == len(set(cited))  # each [n] once
    titles = [c.paper.title for c in answer.citations]
    assert "Sequence to Sequence Reward Modeling: Improving RLHF by Language Feedback" in titles
    for paragraph in answer.text.split("\n\n")[1:]:
        assert re.search(r"\[\d+\][.!?]?[\"”’)]*$", paragraph), paragraph
    payload = answer.to_dict()
    assert set(payload) >= {"question", "answer", "mode", "abstained", "citations", "warnings"}
    assert set(payload["citations"][0]) == {"n", "paper_id", "title", "year", "url"}
    assert "**References**" in answer.to_markdown()


def test_a_single_focused_question_cites_only_the_relevant_paper(seeded):
    answer = seeded.ask("creative problem solving and the Einstellung effect")
    assert [c.paper.title for c in answer.citations] == [
        "Large Language Models are Fixated by Red Herrings: Exploring Creative Problem Solving "
        "and Einstellung Effect using the Only Connect Wall Dataset"
    ]


def test_an_uncovered_question_abstains_and_cites_nothing(seeded):
    for question in (
        "What is the capital of Australia?",
        "Which papers study graph neural networks for molecule generation?",
    ):
        answer = seeded.ask(question)
        assert answer.abstained
        assert answer.citations == []
        assert answer.text == CANNOT_ANSWER
        assert markers(answer.text) == []


def test_sentence_helpers():
    text = "We use X (i.e., a thing) et al. agree. In this paper, we show 3.5% gains! Done."
    assert split_sentences(text) == [
        "We use X (i.e., a thing) et al. agree.",
        "In this paper, we show 3.5% gains!",
        "Done.",
    ]
    assert third_person("In this work, we find that our model wins.") == (
        "The authors find that their model wins."
    )
    assert cite("It works.", "[2]") == "It works [2]."
