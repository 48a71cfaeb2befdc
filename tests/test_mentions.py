"""Whether an abstract mentions what a follow-up asks about: word forms and acronyms."""

from __future__ import annotations

from assistant.answer.mentions import acronym_definitions, mentions, papers_mentioning
from assistant.corpus.paper import Paper
from assistant.index.bm25 import stem


def paper(title: str, abstract: str) -> Paper:
    return Paper(paper_id=stem(title), title=title, abstract=abstract, source="test")


def test_acronyms_are_read_with_linking_words_hyphens_and_plurals():
    found = acronym_definitions(
        [
            "Reinforcement Learning from Human Feedback (RLHF) aligns large language models "
            "(LLMs). Chain-of-Thought (CoT) prompting helps; the results (see Table 2) vary."
        ]
    )
    assert found == {
        "rlhf": ("reinforc", "learn", "human", "feedback"),
        "llm": ("larg", "languag", "model"),
        "cot": ("chain", "thought"),
    }


def test_a_term_is_mentioned_in_another_form_spelled_out_or_inside_a_longer_acronym():
    medical = paper("Small models for medical QA", "We answer clinical questions.")
    spelled = paper("Policy search", "We train agents with reinforcement learning.")
    longer = paper("Reward models", "Reinforcement learning from human feedback (RLHF) ...")
    only_longer = paper("Preference data", "Our RLHF pipeline uses (RLHF) data.")
    unrelated = paper("Protein structure", "We predict how proteins fold.")
    assert mentions(medical, {stem("medicine"): 1.0}, {})
    assert not mentions(unrelated, {stem("medicine"): 1.0}, {})
    rl = {"rl": 1.0}
    definitions = acronym_definitions([spelled.abstract, longer.abstract])
    assert mentions(spelled, rl, {"rl": ("reinforc", "learn")})
    assert mentions(longer, rl, definitions)
    assert mentions(only_longer, rl, definitions)
    assert not mentions(unrelated, rl, definitions)
    chosen = papers_mentioning([spelled, longer, unrelated], rl)
    assert chosen == [spelled, longer]  # "RL": the first two words RLHF stands for


def test_the_rarest_term_must_be_mentioned_and_most_of_the_rest():
    math = paper("Math reasoning", "We evaluate on math word problems.")
    benchmarks = paper("A benchmark", "We build a benchmark for dialogue.")
    weights = {stem("math"): 3.0, stem("benchmark"): 1.0}
    assert mentions(math, weights, {})
    assert not mentions(benchmarks, weights, {})
    assert not mentions(math, {}, {})
