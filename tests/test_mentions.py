"""Whether an abstract mentions what a follow-up asks about: word forms and acronyms."""

from __future__ import annotations

from assistant.answer.mentions import (
    acronym_definitions,
    defined_once,
    mentions,
    papers_mentioning,
    with_acronyms_defined,
    written_out,
)
from assistant.corpus.paper import Paper
from assistant.index.bm25 import stem, tokenize


def paper(title: str, abstract: str) -> Paper:
    return Paper(paper_id=stem(title), title=title, abstract=abstract, source="test")


def asked(text: str) -> dict[str, float]:
    """The terms of a property, the rarest (here: the first) weighing most."""
    terms = tokenize([text])[0]
    return {t: float(len(terms) - i) for i, t in enumerate(terms)}


def test_acronyms_are_read_with_linking_words_hyphens_and_plurals():
    found = acronym_definitions(
        [
            "Reinforcement Learning from Human Feedback (RLHF) aligns large language models "
            "(LLMs). Chain-of-Thought (CoT) prompting helps; the results (see Table 2) vary."
        ]
    )
    assert {k: (a.words, a.phrases) for k, a in found.items()} == {
        "rlhf": (("reinforc", "learn", "human", "feedback"), (2, 4)),
        "llm": (("larg", "languag", "model"), (3,)),
        "cot": (("chain", "thought"), (2,)),
    }


def test_an_acronym_defined_in_quotes_is_read_and_written_out_without_them():
    abstract = 'Our reward, ``Follow-up Likelihood as Reward" (FLR), matches reward models.'
    assert acronym_definitions([abstract])["flr"].words == ("follow", "likelihood", "reward")
    assert written_out(abstract) == {"FLR": "Follow-up Likelihood as Reward"}
    assert with_acronyms_defined("FLR improves alignment.", abstract) == (
        "Follow-up Likelihood as Reward (FLR) improves alignment."
    )
    # a word's own quote and the quotes around it are not tried every way: a long list of
    # ``quoted'' words is read at once (it took seconds)
    listed = ", ".join(f"``harm{i}''" for i in range(14))
    assert written_out(f"We cover categories such as {listed}, and more.") == {}


def test_a_term_is_mentioned_in_another_form_spelled_out_or_inside_a_longer_acronym():
    medical = paper("Small models for medical QA", "We answer clinical questions.")
    spelled = paper("Policy search", "We train agents with reinforcement learning.")
    longer = paper("Reward models", "Reinforcement learning from human feedback (RLHF) ...")
    only_longer = paper("Preference data", "Our RLHF pipeline uses preference data.")
    unrelated = paper("Protein structure", "We predict how proteins fold.")
    assert mentions(medical, asked("medicine"), {})
    # an acronym of the field is read written out where no paper defines it
    grasping = paper("Grasping", "We train grasping policies with reinforcement learning.")
    assert papers_mentioning([grasping, unrelated], asked("RL")) == [grasping]
    # ... not a unit its letters spell: "15.8 micrograms/ml" is no machine learning
    dose = paper("Paraquat", "Blood paraquat was 15.8 micrograms/ml.")
    assert papers_mentioning([dose], asked("machine learning")) == []
    assert not mentions(paper("T", "We split the tensor."), asked("tense"), {})
    # a short stem and its noun are one word ("fail" of "failure"), not any longer word
    failed = paper("Simple tasks", "State-of-the-art models fail on simple problems.")
    assert mentions(failed, asked("failures"), {})
    assert not mentions(paper("Weather", "The planet is warm."), asked("plan"), {})
    assert not mentions(unrelated, asked("medicine"), {})
    papers = [spelled, longer, only_longer, unrelated]
    # "RL" is defined nowhere: it is the first two words RLHF stands for
    assert papers_mentioning(papers, asked("RL")) == [spelled, longer, only_longer]
    assert papers_mentioning(papers, asked("RLs")) == [spelled, longer, only_longer]
    # asked spelled out, written as the acronym: the same papers
    assert papers_mentioning(papers, asked("reinforcement learning")) == [
        spelled,
        longer,
        only_longer,
    ]


def test_an_acronym_is_not_matched_by_scattered_words_or_the_start_of_a_noun_phrase():
    dpo = paper("DPO", "Direct Preference Optimization (DPO) fits preferences.")
    scattered = paper("Nash", "We directly optimize general preferences, an optimization game.")
    mlm = paper("MedS", "We train a medical language model (MLM) with MLM data.")
    assert papers_mentioning([dpo, scattered], asked("DPO")) == [dpo]
    assert papers_mentioning([mlm], asked("ML")) == []  # "medical language" is no phrase


def test_the_rarest_term_must_be_mentioned_and_most_of_the_rest():
    math = paper("Math reasoning", "We evaluate on math word problems.")
    benchmarks = paper("A benchmark", "We build a benchmark for dialogue.")
    weights = {stem("math"): 3.0, stem("benchmark"): 1.0}
    assert mentions(math, weights, {})
    assert not mentions(benchmarks, weights, {})
    assert not mentions(math, {}, {})


def test_a_quoted_sentence_spells_out_the_acronyms_its_abstract_defines():
    abstract = (
        "We propose using Follow-up Likelihood as Reward (FLR). Role-Playing Agents (RPAs) "
        "and large language models (LLMs) are studied."
    )
    assert with_acronyms_defined("FLR helps RPAs, and FLR-based tuning too.", abstract) == (
        "Follow-up Likelihood as Reward (FLR) helps Role-Playing Agents (RPAs), and FLR-based "
        "tuning too."
    )
    assert with_acronyms_defined("LLMs refuse.", abstract) == "LLMs refuse."  # known to all
    assert with_acronyms_defined("Using FLR (FLR) helps.", abstract) == "Using FLR (FLR) helps."


def test_a_draft_defines_each_acronym_once():
    text = "A finds that chain-of-thought (CoT) hurts. B shows that Chain-of-Thought (CoT) helps."
    assert (
        defined_once(text) == "A finds that chain-of-thought (CoT) hurts. B shows that CoT helps."
    )
