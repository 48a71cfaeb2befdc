"""Related-work prose: sentences written around a paper's name, theme headings, BibTeX."""

from __future__ import annotations

import bibtexparser
import pytest

from assistant.bibtex import base_key, citation_keys, to_bibtex
from assistant.corpus.contribution import proposes_in, proposes_method
from assistant.corpus.paper import Paper
from assistant.writing.phrases import PaperPhrases, phrases_in, shared_phrases, topic_heading
from assistant.writing.prose import attributed, paper_name, within


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("We propose X, a benchmark of refusals.", "N [1] proposes X, a benchmark of refusals."),
        ("In this paper, we focus on our own data.", "N [1] focuses on its own data."),
        ("Moreover, we also study how we refuse.", "N [1] studies how the authors refuse."),
        ("We publicly release Y.", "N [1] publicly releases Y."),
        ("We show that X is practical, and hence argue that Y.",
         "N [1] shows that X is practical, and hence argues that Y."),
        ("We ask: Why do we need it?", "N [1] asks: Why do we need it?"),
        ("Our results show that models over-refuse.", "N [1] shows that models over-refuse."),
        ("Our analysis reveals a gap.", "N [1] reveals a gap."),
        ("This paper introduces DeRTa.", "N [1] introduces DeRTa."),
        ("We found that refusals drop.", "N [1] found that refusals drop."),
        ("Our experiments on GPT-4 show gains.", "According to N [1], its experiments on GPT-4 "
         "show gains."),
        ("Refusal training is brittle.", "According to N [1], refusal training is brittle."),
        ("Does refusal generalize?", "According to N [1], does refusal generalize?"),
        ("We propose X and evaluate it, and release code.",
         "N [1] proposes X and evaluates it, and releases code."),
        ("We find that models fail and show gaps.", "N [1] finds that models fail and show gaps."),
        ("We publicly release X and call on others.", "N [1] publicly releases X and calls on "
         "others."),
        ("We argue that X fails and propose Y.", "N [1] argues that X fails and proposes Y."),
        ("We apply X to Y.", "N [1] applies X to Y."),
        ("We study the case of COVID-19 and perform experiments.", "N [1] studies the case of "
         "COVID-19 and performs experiments."),
        ("We propose a way to detect and improve calibration.", "N [1] proposes a way to detect "
         "and improve calibration."),
        ("We proceed to delve into X, and discuss Y.", "N [1] proceeds to delve into X, and "
         "discusses Y."),
        ("We embed X.", "N [1] embeds X."),
        ("In addition to presenting the OCW dataset, we also report results on it.",
         "N [1], in addition to presenting the OCW dataset, reports results on it."),
        ("Building on our prior work, we propose X.", "N [1], building on its prior work, "
         "proposes X."),
        ("A definitive evaluation is missing.", "According to N [1], a definitive evaluation "
         "is missing."),
        ("While OpenAI's o1 thinks slowly, small models lag.", "According to N [1], while "
         "OpenAI's o1 thinks slowly, small models lag."),
        ("Large Language Models (LLMs) lag.", "According to N [1], Large Language Models "
         "(LLMs) lag."),
        ("IT teams deploy agents.", "According to N [1], IT teams deploy agents."),
        ("Will Smith appears.", "According to N [1], Will Smith appears."),
        ("To mitigate X, we propose Y.", "N [1], to mitigate X, proposes Y."),
        ("We propose N, the first benchmark of X.", "N [1] is a benchmark of X."),
        ("We present N, an interactive system.", "N [1] is an interactive system."),
        ("We propose M, the first benchmark of X.", "N [1] proposes M, a benchmark of X."),
        ("We evaluate N, the first test of X.", "N [1] evaluates N, the first test of X."),
    ],
)  # fmt: skip
def test_sentences_are_written_around_the_papers_name(sentence, expected):
    assert attributed(sentence, "N [1]") == expected


def test_a_second_sentence_keeps_its_opening_phrase_before_it():
    assert attributed("To mitigate X, we propose Y.", "It") == "To mitigate X, it proposes Y."


@pytest.mark.parametrize(
    ("sentence", "builds"),
    [
        ("We propose RMCBench, the first benchmark comprising 473 prompts.", False),
        ("We present an open-source benchmark and evaluation framework for X.", False),
        ("To this end, we introduce BrowserART, a comprehensive test suite designed for X.",
         False),
        ("In this work, we introduce new, larger datasets for negation.", False),
        ("We present a demonstration of a model engaging in alignment faking.", False),
        ("We also propose a new confusion matrix, the AUCM, which serves as a basis.", False),
        ("We propose to address this by analysing a large dataset (PCT).", False),
        ("It is imperative that we develop effective ways to describe agents.", False),
        ("We propose Automatic Curriculum Expert Iteration (Auto-CEI) to enhance reasoning.",
         True),
        ("We introduce a novel pre-detection self-evaluation technique, SELF-FAMILIARITY.",
         True),
        ("Therefore, we introduce a lightweight representation editing approach.", True),
        ("We argue that not all tokens matter and propose a flexible objective, SparsePO.", True),
        ("We propose to first decompose joint action spaces by clustering actions.", True),
        ("In this paper, we propose response generation for misinformation (RARG).", True),
    ],
)  # fmt: skip
def test_a_sentence_that_proposes_a_method_is_told_from_one_that_measures(sentence, builds):
    assert proposes_in(sentence) is builds


def test_a_paper_proposes_a_method_when_its_authors_build_one_and_it_is_no_survey():
    benchmark = "We propose MOSSBench, a benchmark of safe queries. We find models over-refuse."
    method = "We develop an evaluation benchmark. Then, we introduce an editing approach."
    assert not proposes_method(Paper(title="MOSSBench", abstract=benchmark, source="t"))
    assert proposes_method(Paper(title="Tell Me", abstract=method, source="t"))
    survey = Paper(title="Internal Consistency: A Survey", abstract=method, source="t")
    assert not proposes_method(survey)
    not_a_survey = Paper(title="Questioning the Survey Responses", abstract=method, source="t")
    assert proposes_method(not_a_survey)


def test_a_cut_does_not_end_inside_a_list_of_examples():
    sentence = (
        "N [1] indicates that even powerful models like GPT-4, Mixtral 8x22b encounter "
        "difficulties with abstention; however, strict prompting and CoT help."
    )
    assert within(sentence, 14) == (
        "N [1] indicates that even powerful models like GPT-4, Mixtral 8x22b encounter "
        "difficulties with abstention."
    )


def test_names_cuts_and_generic_subjects():
    assert paper_name(
        Paper(title="MOSSBench: Is Your Model Oversensitive?", abstract="a", source="t")
    ) == ("MOSSBench")
    assert paper_name(Paper(title="Refusal Tokens: A Simple Way", abstract="a", source="t")) == (
        "*Refusal Tokens*"
    )
    long = Paper(
        title="Alignment is not sufficient to prevent large models from harm",
        abstract="",
        source="t",
    )
    assert paper_name(long) == "One study"
    report = Paper(title="Technical Report: Models Deceive", abstract="", source="t")
    assert paper_name(report) == "*Technical Report: Models Deceive*"  # not "Technical Report"
    sentence = (
        "N [1] introduces a lightweight representation editing method, which shifts "
        "conflicting requests to the rejection region of the model."
    )
    assert within(sentence, 10) == "N [1] introduces a lightweight representation editing method."
    assert within(sentence, 40) == sentence
    # never only an opening phrase, half a dashed aside, or half a list
    for whole in (
        "In addition to presenting the novel OCW dataset, we also report results from our "
        "evaluation of many language models",
        "the widely used alignment techniques -- such as SFT, RLHF, and adversarial training -- "
        "can be brittle and do not always generalize",
        "We call on LLM developers, policymakers, and researchers to prioritize the safety of "
        "browser agents",
        # a question cut before its verb
        "We study an open question: does the desired safety refusal, typically enforced in "
        "chat contexts, generalize to agentic use cases?",
    ):
        assert within(whole, 12) == whole
    attributed_opening = (
        "According to one study [4], through a series of experiments, the authors first "
        "validated the desire for continuity in LLMs, and devised a simple technique"
    )
    assert within(attributed_opening, 12).startswith(
        "According to one study [4], through a series of experiments, the authors first"
    )
    # never a fragment: a subject cut from its verb, a subordinate clause without its main
    # one, an opening phrase alone, a head inside "that, the authors argue,"
    for whole in (
        "According to P [9], its best-aligned model, PsychoCounsel-Llama3-8B, achieves an "
        "impressive win rate of 87% against GPT-4o",
        "One study [3] finds that while the typical approach of finetuning on synthetic pairs "
        "offers modest performance gains, sampling more correct solutions doubles efficiency",
        "F [2] finds that its implicit PRM, when instantiated with the cross-entropy loss, is "
        "more data-efficient than the baselines",
        "According to M [5], starting with a seed dataset of around 8,000 instances spanning "
        "five domains, the authors prompt a base policy model to construct reasoning chains",
        "According to D [1], the authors propose two sets of conditions that, the authors "
        "argue, should be considered in any alignment process",
        "According to T [4], in order to balance positive and negative persuasion, the "
        "authors introduce Persuasion-Balanced Training",
    ):
        assert within(whole, 14) == whole, within(whole, 14)
    counted = (
        "I [2] introduces two variants: AIoT, where an LLM decides when to stop, and GIoT, "
        "which always forces a fixed number of iterations"
    )
    assert (
        within(counted, 8)
        == "I [2] introduces two variants: AIoT, where an LLM decides when to stop, and GIoT."
    )


def test_bibtex_keys_are_informative_unique_and_kept_when_given():
    with_authors = Paper(title="MOSSBench: Is Your Model Oversensitive?", abstract="a",
                         source="t", authors=["Xirui Li", "Hengguang Zhou"], year=2024)  # fmt: skip
    assert base_key(with_authors) == "li2024mossbench"
    no_authors = Paper(
        title="Does Refusal Training in LLMs Generalize?", abstract="a", source="t", year=2024
    )
    assert base_key(no_authors) == "refusaltraining2024"
    long_words = Paper(title="Unintentional Unalignment: Likelihood", abstract="a", source="t")
    assert base_key(long_words) == "unintentional"  # never cut inside a word
    own = Paper(title="Mine", abstract="a", source="t", bibkey="smith2020mine")
    twin = Paper(
        title="MOSSBench: Another paper", abstract="b", source="t", authors=["Y. Li"], year=2024
    )
    keys = citation_keys([with_authors, twin, own])
    assert list(keys.values()) == ["li2024mossbench", "li2024mossbencha", "smith2020mine"]
    # a user's own key is never renamed for a generated one that comes first
    users = Paper(title="Theirs", abstract="c", source="t", bibkey="li2024mossbench")
    keys = citation_keys([with_authors, users])
    assert list(keys.values()) == ["li2024mossbencha", "li2024mossbench"]
    # papers with the same key each add a word of their own, whatever the order of citing
    tactile = Paper(title="Learning Grasping with Tactile Feedback", abstract="x", source="t",
                    authors=["Chen, Li"], year=2023)  # fmt: skip
    video = Paper(title="Learning Grasping from Human Video", abstract="x", source="t",
                  authors=["Li Chen"], year=2023)  # fmt: skip
    for order in ([tactile, video], [video, tactile]):
        keys = citation_keys(order)
        assert keys[tactile.paper_id] == "chen2023learningtactile"
        assert keys[video.paper_id] == "chen2023learninghuman"


def test_bibtex_escapes_what_latex_would_choke_on():
    paper = Paper(
        title="Scores ^ 2 & 50% of $ costs_total #1 ~ C:\\x", abstract="x^2 {unbalanced", source="t"
    )
    text = to_bibtex([paper])
    assert text.endswith("}\n")
    assert r"C:\textbackslash{}x" in text  # a backslash was dropped
    entry = bibtexparser.parse_string(text).entries[0]
    assert r"\^{}" in entry["title"] and r"\&" in entry["title"] and r"\%" in entry["title"]
    assert r"\$" in entry["title"] and r"\_" in entry["title"] and r"\#" in entry["title"]
    assert entry["abstract"].count("{") == entry["abstract"].count("}")


def test_heading_phrases_are_noun_phrases_written_as_in_prose():
    found = phrases_in("CIVICS: Building a Dataset for Examining Culturally-Informed Values")
    assert "culturally-informed values" in found
    assert not any(p.startswith(("building", "examining")) for p in found)
    assert not any(p.endswith("jailbroken") for p in phrases_in("LLMs Are Easily Jailbroken"))
    assert not any("efficiently" in p for p in phrases_in("LoRA Fine-tuning Efficiently Undoes"))
    assert not any(p.endswith("worse") for p in phrases_in("Thinking Makes Humans Worse"))
    assert topic_heading("over-refusal: models refusing harmless requests") == "over-refusal"
    assert topic_heading("the reversal curse") == "the reversal curse"
    for question in ("Can alignment training be undone?", "how do LLMs handle questions"):
        assert topic_heading(question) is None


def test_a_single_word_heads_a_theme_only_where_the_papers_use_it_as_a_noun(seeded):
    """ "Three papers study sufficient.": "Necessary and Sufficient Conditions" and "is
    sufficient to" never use "sufficient" as a noun; "multimodal" only modifies."""
    papers = [
        PaperPhrases.of("Sufficient Conditions", "Multimodal models show the refusal."),
        PaperPhrases.of("Refusal Is Not Sufficient", "It is sufficient to cut multimodal inputs."),
    ]
    shared = shared_phrases(papers, [], seeded.engine.bm25, n=5, minimum=1)
    assert "refusal" in shared
    assert "sufficient" not in {s.lower() for s in shared}
    assert "multimodal" not in {s.lower() for s in shared}


def test_shared_phrases_spell_hyphenated_words_once_and_in_lower_case(seeded):
    papers = [
        PaperPhrases.of("Role-Play with Language Models", "We study red-teaming of agents."),
        PaperPhrases.of("Role-Play at Scale", "Red teaming finds faults in agents."),
    ]
    shared = shared_phrases(papers, [], seeded.engine.bm25, n=5)
    assert "role-play" in shared and "Role-Play" not in shared
    assert not ({"red-teaming", "red teaming"} <= set(shared))  # one spelling of one phrase


def test_acronyms_are_read_in_either_order_and_spelled_out_as_prose():
    from assistant.answer.mentions import with_acronyms_defined, written_out

    abstract = (
        "Instruction following (IF) matters. We propose Persuasion-Balanced Training (or PBT) "
        "and Automatic Curriculum Expert Iteration (Auto-CEI). DRO (Directed Representation "
        "Optimization) helps."
    )
    assert written_out(abstract) == {
        "IF": "Instruction following",
        "PBT": "Persuasion-Balanced Training",
        "Auto-CEI": "Automatic Curriculum Expert Iteration",
        "DRO": "Directed Representation Optimization",
    }
    assert with_acronyms_defined("It evaluates DRO on IF tasks.", abstract) == (
        "It evaluates Directed Representation Optimization (DRO) on instruction following "
        "(IF) tasks."
    )


def test_draft_citations_are_numbered_in_reading_order(seeded):
    import re

    draft = seeded.related_work("What makes preference data useful for aligning LLMs?")
    sentences = re.sub(r"\*\*[^*]+\.\*\* [^.]*\.", "", draft.text)  # without openings
    order = [int(n) for n in re.findall(r"\[(\d+)\]", sentences)]
    assert order == sorted(order) and order[0] == 1
    assert [c.n for c in draft.citations] == list(range(1, len(draft.citations) + 1))


def test_a_hyphenated_verb_agrees_with_the_paper_as_subject():
    """ "fines-tune" read in drafts."""
    from assistant.writing.prose import attributed

    tuned = attributed("We fine-tune a protein model.", "X [1]")
    assert tuned == "X [1] fine-tunes a protein model."
    # a comma joins nouns as often as verbs: "two settings, train and test" stays
    listed = attributed("We measure accuracy in two settings, train and test.", "X [1]")
    assert ", train and test" in listed


def test_a_sentence_that_only_names_the_paper_gives_way_to_one_that_says_more(seeded):
    """ "*Self-Supervised Alignment with Mutual Information* [10] introduces SAMI." (cut to
    the budget) and "MOSSBench [2] proposes the Multimodal OverSenSitivity Benchmark
    (MOSSBench)." say nothing the name does not."""
    from assistant.writing.prose import _names_only, best_sentence

    assert _names_only(
        "MOSSBench [2] proposes the Multimodal OverSenSitivity Benchmark (MOSSBench).",
        "MOSSBench: Is Your Multimodal Language Model Oversensitive to Safe Queries?",
    )
    paper = next(p for p in seeded.papers() if p.title.startswith("Self-Supervised Alignment"))
    name = "*Self-Supervised Alignment with Mutual Information* [1]"
    written = best_sentence(paper, [2, 8], name, 20)
    assert written.position == 8 and "without using preference labels" in written.text


def test_a_paper_whose_own_sentences_only_name_it_is_quoted_for_what_it_finds(seeded):
    """ "MOSSBench [1] proposes the Multimodal OverSenSitivity Benchmark (MOSSBench)." was
    the draft's whole sentence on MOSSBench: its findings are attributed to it instead."""
    draft = seeded.related_work(
        "over-refusal and oversensitivity to benign prompts", words=150, llm=False
    )
    line = next(s for s in draft.text.split(". ") if "MOSSBench [" in s)
    assert "refusal rates" in line or "Oversensitivity is prevalent" in line


def test_prose_does_not_repeat_an_abstract_s_praise_of_its_own_work():
    """ "introduces a novel approach", "is the first benchmark to", "a simple yet effective
    method" read as the abstract's advertising in a related-work section."""
    from assistant.writing.prose import attributed

    assert attributed("We introduce a novel approach, DeRTa.", "X [1]") == (
        "X [1] introduces an approach, DeRTa."
    )
    assert attributed("VISCO is the first benchmark to analyze critiques.", "V [2]") == (
        "According to V [2], VISCO is a benchmark to analyze critiques."
    )
    assert "a simple method" in attributed("We propose a simple yet effective method.", "R [3]")
    # "the first" of anything else stays: "the first step", "the first to show"
    assert "the first to show" in attributed("We are the first to show it.", "Y [4]")


def test_praise_is_dropped_only_where_it_praises_a_contribution():
    """The reviewer's cases: "a novel and efficient method" read "an and efficient
    method", "generalize to novel tasks" lost its word, "a novel unified framework" read
    "an unified framework"."""
    from assistant.writing.prose import without_praise

    kept = ("a novel and efficient method", "generalize to novel tasks", "write a novel about X")
    assert [without_praise(t) for t in kept] == list(kept)
    assert without_praise("a novel unified framework") == "a unified framework"
    assert without_praise("A novel LLM-based framework") == "An LLM-based framework"
