"""Extractive answers: cited prose, exact citation lists, abstention."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from assistant.answer.abstain import NO_TOPIC, NOT_ENGLISH
from assistant.answer.decision import WEAK_COVERAGE, _named_papers, decide, method_name
from assistant.answer.evidence import Sentence, _window, shorten
from assistant.answer.extractive import MAX_PARAGRAPHS, QUOTED_NOTE, _distinct, list_lead
from assistant.answer.model import CANNOT_ANSWER
from assistant.answer.question import (
    analyse,
    check_question,
    topic_phrase,
    topic_sentence,
    with_slips_meant,
    without_writing_frame,
)
from assistant.answer.relevance import default_model
from assistant.answer.sentences import (
    abstract_sentences,
    cite,
    leans_back,
    named_items,
    role_bonus,
    setup_length,
    split_sentences,
    third_person,
    without_connective,
)
from assistant.errors import InputError
from assistant.evaluation import stated_count
from assistant.index.bm25 import tokenize

from .conftest import run_cli


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
    assert answer.text.startswith(f"{len(answer.citations)} papers in the collection study")
    lines = [line for line in answer.text.splitlines() if line.startswith("- ")]
    assert len(lines) == len(answer.citations)
    for line in lines:
        assert re.search(r"\[\d+\][.!?]?[\"”’)]*$", line), line
    assert QUOTED_NOTE in answer.text
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
        assert answer.text.startswith(CANNOT_ANSWER)
        assert "Closest papers (not cited)" in answer.text
        assert markers(answer.text) == []


def test_the_over_refusal_question_lists_the_over_refusal_papers(seeded):
    answer = seeded.ask("which papers study over-refusal?")
    titles = [c.paper.title for c in answer.citations]
    assert any(t.startswith("Beyond No") for t in titles), answer.text
    # MOSSBench says "oversensitive ... refusal": it holds the whole question, though it
    # ranks below papers on refusal in general
    assert any(t.startswith("MOSSBench") for t in titles), answer.text
    # every paper cited says "over-refusal" or refusing in excess, not refusal alone
    excess = re.compile(r"over-?refus|oversensitiv|excessive|overly", re.IGNORECASE)
    assert all(excess.search(f"{c.paper.title} {c.paper.abstract}") for c in answer.citations)
    assert answer.text.startswith(f"{len(titles)} papers in the collection study over-refusal:")
    assert stated_count(answer.text) == len(answer.citations)
    # asked at length, the papers that say "over-refusal" are cited however low they rank
    long = seeded.ask(
        "Which papers measure whether models wrongly refuse requests that are actually "
        "harmless (over-refusal / exaggerated safety)?"
    )
    assert any(c.paper.title.startswith("Beyond No") for c in long.citations), long.text


def _over_refusal_terms_in(seeded):
    """What of "which papers study over-refusal?" a text holds."""
    analysis = analyse("which papers study over-refusal?", seeded.engine.bm25)
    return lambda text: analysis.present_terms(tokenize([text])[0], text)


def test_a_compound_modifier_counts_only_inside_the_compound(seeded):
    present = _over_refusal_terms_in(seeded)
    assert present("they curb over-refusing of benign prompts") == {"over", "refus"}
    assert present("Over-Refusal benchmarks") == {"over", "refus"}
    assert present("training to prefer No over Never lowers refusal rates") == {"refus"}
    assert present("a user's desired preference over refusal rates") == {"refus"}
    chain = analyse("chain-of-thought prompting", seeded.engine.bm25)
    assert "chain" in chain.present_terms(["chain", "thought"], "a chain of thought")
    spaced = analyse("harmful-request handling", seeded.engine.bm25)
    assert "harm" in spaced.present_terms(["harm", "request"], "harmful requests")


def test_a_topic_that_glosses_its_compound_is_held_by_a_sentence_saying_the_gloss(seeded):
    topic = "over-refusal: language models refusing harmless requests"
    glossed = analyse(topic, seeded.engine.bm25)

    def present(text: str) -> set[str]:
        return glossed.present_terms(tokenize([text])[0], text)

    # the head ("refusal") with the word that narrows it ("harmless"), in one sentence
    assert {"over", "refus"} <= present("models refuse even when the queries are harmless.")
    assert "over" not in present("Models refuse harmful queries. Harmlessness is preserved.")
    assert "over" not in present("Models refuse requests in the past tense.")
    unglossed = analyse("over-refusal: a survey of benchmarks", seeded.engine.bm25)
    text = "models refuse even when the queries are harmless."
    assert "over" not in unglossed.present_terms(tokenize([text])[0], text)


def test_a_prefix_compound_is_matched_by_its_sense_and_paraphrased_for_search(seeded):
    present = _over_refusal_terms_in(seeded)
    assert present("models are oversensitive: refusal rates reach 76%") == {"over", "refus"}
    assert present("laziness, i.e. excessive refusals") == {"over", "refus"}
    assert present("the overall refusal rate fell") == {"refus"}
    analysis = analyse("which papers study over-refusal?", seeded.engine.bm25)
    assert analysis.search_text == "which papers study over-refusal? (excessive refusal)"
    plain = analyse("which papers study understanding of refusal overall?", seeded.engine.bm25)
    assert plain.search_text == plain.question


def test_question_words_are_read_as_the_corpus_writes_them(seeded):
    bm25 = seeded.engine.bm25
    assert "behavior" in analyse("the safety behaviour of models", bm25).terms
    assert "jailbreak" in analyse("which papers study _jailbreak_ attacks?", bm25).terms
    assert not analyse("which papers study **jailbreak** attacks?", bm25).missing


def test_conversational_words_are_not_concepts_the_collection_lacks(seeded):
    for question in (
        "anything neat on jailbreaks lately?",
        "I wonder which papers study role-play, thanks a bunch",
        "what does the literature say about hallucination, roughly?",
    ):
        answer = seeded.ask(question)
        assert not answer.abstained and answer.citations, question
    assert analyse("I wonder which papers study role-play", seeded.engine.bm25).kind == "list"


def test_chatter_around_the_sentence_that_asks_is_no_missing_concept(seeded):
    """A greeting, a self-introduction and thanks around the question: their words no
    abstract holds ("PhD", "grateful") do not make the question one the collection lacks,
    and the answer takes its form and its lead from the sentence that asks."""
    answer = seeded.ask(
        "Hello! I'm a PhD student and grateful for any help, sorry for the trouble. "
        "Which papers look at assigning personas to LLMs? Thanks so much in advance!"
    )
    assert not answer.abstained and answer.citations
    lead = answer.text.splitlines()[0]
    assert lead.endswith("papers in the collection look at assigning personas to LLMs:"), lead
    # a sentence that says what the asker works on gives the topic, asked or not
    for question, missing in (
        ("I work on watermarking. Which papers study it?", "watermarking"),
        ("I study Kubernetes autoscaling. Which papers could help me?", "Kubernetes"),
        ("My thesis is about jailbreaks in Swahili. Which papers are relevant?", "Swahili"),
    ):
        answer = seeded.ask(question)
        assert answer.abstained and f'"{missing}"' in answer.text, question
    # an abbreviation ends no sentence: the question is all of "... RLHF vs. DPO?"
    assert "DPO" in analyse("Which papers compare RLHF vs. DPO?", seeded.engine.bm25).topic


def test_a_topic_of_two_halves_cites_only_papers_on_both(seeded):
    """ "machine translation for low-resource languages" cited ten papers that say
    "languages" or "translation" alone."""
    for question in (
        "Which papers study machine translation for low-resource languages?",
        "speech recognition with transformers",
    ):
        assert seeded.ask(question).citations == [], question
    assert seeded.ask("refusal in multimodal models").citations  # both halves held
    # a verb holds no half: "taking" cut the role-play papers to the one that says "take"
    roles = seeded.ask("Which papers deal with language models taking on personas or role-play?")
    assert len(roles.citations) >= 3


def test_an_off_corpus_question_names_what_is_missing(seeded):
    answer = seeded.ask("Which papers study watermarking of LLM-generated text?")
    assert answer.abstained and answer.citations == []
    assert '"watermarking"' in answer.text


def test_questions_without_a_topic_or_not_in_english_get_a_plain_reply(seeded):
    for question in ("the and of is which", "what are the papers about it"):
        answer = seeded.ask(question)
        assert (answer.abstained, answer.text, answer.citations) == (True, NO_TOPIC, [])
    for question in (
        "quels articles étudient le sur-refus ?",
        "哪些论文研究过度拒绝？",
        "quels articles parmi ceux-ci utilisent RL ?",  # no accent, no listed stop word
        "welche Arbeiten untersuchen Jailbreaks?",
        "quais artigos estudam a recusa excessiva?",  # "a" is English too
    ):
        answer = seeded.ask(question)
        assert (answer.abstained, answer.text, answer.citations) == (True, NOT_ENGLISH, [])
    # "do" and "me" are Portuguese function words as well as English ones
    english = seeded.ask("Why do large language models hallucinate? Tell me the main findings.")
    assert english.citations
    # an option passed as the question ("assistant ask -- --help") is no topic
    for option in ("--help", "-h", "--json"):
        with pytest.raises(InputError, match="looks like an option"):
            seeded.ask(option)


def test_a_question_after_a_number_quotes_the_sentence_that_holds_it(seeded):
    answer = seeded.ask(
        "How many prompts does the benchmark for malicious code generation contain?"
    )
    assert "473" in answer.text.split("\n\n")[0], answer.text
    assert not answer.text.startswith(("To fill", "Moreover", "However"))


def test_a_what_is_question_quotes_the_sentence_that_defines_the_term(seeded):
    """ "What is DeRTa?" quoted its two components, "What is RISE?" that RISE scales well."""
    from assistant.answer.question import classify, defined_term

    assert classify("What does WACK stand for?") == ("specific", "definition")
    assert defined_term("What are process rewards?") == "process rewards"
    assert defined_term("What is the accuracy of RISE?") is None  # a number, not a term
    for question, definition in (
        ("What is DeRTa?", "Decoupled Refusal Training (DeRTa)"),
        ("what is PBT?", "Persuasion-Balanced Training (or PBT)"),
        ("What is RISE?", "RISE: Recursive IntroSpEction"),
    ):
        assert definition in seeded.ask(question).text.split("\n\n")[0], question
    # an acronym is held only in capitals: "a trend on the rise" (Bias Runs Deep) is not RISE
    rise = seeded.ask("What is RISE?")
    assert [c.paper.title.split(":")[0] for c in rise.citations] == ["Recursive Introspection"]
    assert analyse("WHICH PAPERS STUDY RISE?", seeded.engine.bm25).acronyms == ()
    # a word typed in capitals that the papers write otherwise still matches
    assert seeded.ask("Which papers use LORA?").citations


def test_a_question_that_asks_two_things_gets_the_sentence_for_each(seeded):
    """It quoted the refusal rate and dropped the 473 prompts."""
    from assistant.answer.question import asked_parts, classify

    assert asked_parts("How many prompts and how many languages are in it?") == [
        "How many prompts",
        "how many languages are in it?",
    ]
    assert asked_parts("How do DPO and RLHF differ?") == ["How do DPO and RLHF differ?"]
    assert classify("What is the average refusal rate in RMCBench?") == ("specific", "number")
    assert classify("What is the rate limiter?") == ("specific", "definition")
    for finding in ("What are the main findings?", "What are they?", "What are the risks?"):
        assert classify(finding)[1] != "definition", finding
    for question in (
        "What is the refusal rate in RMCBench, and how many prompts does it have?",
        "How many prompts are in RMCBench, and what is the average refusal rate?",
    ):
        answer = seeded.ask(question).text.split("\n\n")[0]
        assert "473 prompts" in answer and "28.71%" in answer, answer


def test_an_abstracts_own_bracketed_citations_are_never_quoted(seeded):
    """ "critique the entire reasoning [4]" in VISCO's abstract would read as the answer's
    citation of its paper [4]; "[Dong et al., 2024]" as a reference it does not list."""
    assert abstract_sentences("It helps [4], as shown [Dong et al., 2024; Li, 2023].") == (
        "It helps, as shown.",
    )
    for kept in ("Scores lie in [0, 1]; [CLS] pools them.", "Rated on a [1-7] scale by A[1]."):
        assert abstract_sentences(kept) == (kept,)
    answer = seeded.ask("Which papers study chain-of-thought reasoning?")
    numbers = {str(c.n) for c in answer.citations}
    visco = [line for line in answer.text.splitlines() if line.startswith("- *VISCO*")]
    assert visco and "reasoning, VISCO features" in visco[0]
    for marker in re.findall(r"\[([^\]]*)\]", answer.text.split("\n\n- [1]")[0]):
        assert all(n.strip() in numbers for n in marker.split(",")), marker


def test_sentence_helpers():
    text = (
        "We use X (i.e., a thing) as Smith et al. do. The U.S. data, e.g. in Fig. 2, "
        "show 3.5% gains! Done."
    )
    assert split_sentences(text) == (
        "We use X (i.e., a thing) as Smith et al. do.",
        "The U.S. data, e.g. in Fig. 2, show 3.5% gains!",
        "Done.",
    )
    assert without_connective("Moreover, we find X.") == "We find X."
    assert without_connective("To fill this gap, we propose Y.") == "We propose Y."
    purpose = "To address the challenge of aligning with many preferences, we propose Z."
    assert without_connective(purpose) == purpose  # only up to its comma, or not at all
    such_as = "To evaluate models such as GPT-4 on refusal, we introduce RBench."
    assert without_connective(such_as) == such_as
    pointing = "To quantitatively assess this vulnerability, we present MAD-Bench."
    assert without_connective(pointing) == "We present MAD-Bench."  # it quoted what it leans on
    assert without_connective("To explore this, the authors do X.").startswith("To explore")
    assert leans_back("This gap matters.") and not leans_back("Refusal matters.")
    assert leans_back("Despite its importance, little research exists.")
    assert leans_back("Both methods fail.")  # "Both ... and ..." coordinates
    assert not leans_back("Both theoretically and empirically, we show that X holds.")
    assert leans_back("The authors find that in both cases the model fails.")
    assert not leans_back("Despite the hype, little research exists.")
    assert not leans_back("We train on data such as dialogues.")  # "such as" points nowhere
    assert leans_back("We formulate this as an optimization problem.")
    # a definition needs what "this phenomenon" late in its sentence points at
    defining = "The work sheds light on the causes and implications of this odd phenomenon."
    assert leans_back(defining, late=True) and not leans_back(defining)
    # a quote starts where what it leans on starts: "the former" needs the questions
    from assistant.answer.evidence import quotable

    chain = ["We ask X and the reverse Y.", "GPT-4 gets the former 79% of the time.",
             "This shows a failure."]  # fmt: skip
    asked = "The authors ask X and the reverse Y."
    assert quotable(chain, 2, True) == " ".join([asked, *chain[1:]])
    assert quotable(chain, 1, True) == f"{asked} {chain[1]}"
    # the scene an abstract sets before its authors speak is no answer
    from assistant.answer.evidence import _context_penalty
    from assistant.answer.sentences import setup_length

    abstract = ["LLMs reason.", "CoT prompting has two paradigms.", "We propose Auto-CoT."]
    assert setup_length(abstract) == 2 and setup_length(["X holds.", "Y holds."]) == 1
    penalties = [_context_penalty(abstract, i, i, s, 2) for i, s in enumerate(abstract)]
    assert penalties[1] > penalties[2] == 0
    nuances = "We analyse the linguistic nuances of prompts for 21 LLMs and how these nuances act."
    assert not leans_back(nuances, late=True)
    # the first "we", "our" or "us" names the authors, later ones are pronouns
    assert third_person("Central to AI, we find that our model wins.") == (
        "Central to AI, the authors find that their model wins."
    )
    assert third_person("It allows us to draw on X.") == "It allows the authors to draw on X."
    assert third_person("In this work, we find that our model wins.") == (
        "The authors find that their model wins."
    )
    assert cite("It works.", "[2]") == "It works [2]."
    # a list after "through:" or "where" stays in its sentence
    assert split_sentences("We help through: (i) paraphrasing and (ii) pauses. It works.") == (
        "We help through: (i) paraphrasing and (ii) pauses.",
        "It works.",
    )
    assert without_connective("In addition, we report X.") == "We report X."
    assert without_connective("Surprisingly, we find X.") == "We find X."
    assert split_sentences("We call it the ``AUCM'' matrix.") == ('We call it the "AUCM" matrix.',)
    numbered = "It finds: (1). X holds. (2). Y holds. It fits (i) but not (ii). Z."
    assert split_sentences(numbered) == (
        "It finds: X holds.",
        "Y holds.",
        "It fits (i) but not (ii).",
        "Z.",
    )
    for background in (
        "Studies have revealed that LLMs feel.",
        "LLMs have become integral.",
        "Recent works have showcased X.",
        "For example, before Meta released Llama 2-Chat, they invested in safety training.",
    ):
        assert role_bonus(background) < 0 < role_bonus("We find that X improves Y.")
    assert role_bonus("Using one GPU, we successfully undo the safety training.") > 0
    for plain in (
        "In addition to X, we report Y.",
        "Further analysis shows X.",
        "Instead of X, Y.",
    ):
        assert without_connective(plain) == plain


def test_escape_sequences_in_a_question_never_reach_the_output(seeded_dir):
    question = "\x1b]0;pwned\x07which papers study jailbreaks?\x1b[2J\u202e"
    result = run_cli("ask", question, data_dir=seeded_dir)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "papers in the collection study jailbreaks:" in result.stdout


def test_a_question_about_the_collection_gets_its_size(seeded):
    for question in (
        "how many papers are there?",
        "list all papers",
        "How many papers do you have?",
        "How many papers are there in total in your index?",
        "How many papers does the collection hold altogether?",
    ):
        answer = seeded.ask(question)
        assert answer.text.startswith("The collection holds 87 papers.")
        assert answer.citations == []
    # ... but "how many papers study X?" asks for the papers on X, and their true count
    answer = seeded.ask("How many papers study over-refusal?")
    count = len(answer.citations)
    assert count >= 3 and answer.text.startswith(f"{count} papers in the collection study")


def test_a_bare_topic_asks_for_its_papers_with_or_without_a_question_mark():
    from assistant.answer.question import classify

    for topic in ("RLHF?", "jailbreak attacks", "over-refusal?"):
        assert classify(topic) == ("list", ""), topic
    for question in ("What is RLHF?", "In SAMI, what is the win rate?", "Is RLHF safe?"):
        assert classify(question)[0] == "specific", question


def test_a_question_that_asks_for_papers_in_any_sentence_gets_the_list():
    from assistant.answer.question import classify

    for question in (
        "Do LLMs hold stable values? Which papers try to measure this?",
        "For chat alignment (helpfulness, harmlessness), which papers avoid human labels?",
        "Which papers compare how LLMs behave in English versus other languages?",
        "When should a model abstain? Looking for papers on abstention.",
        "Are there survey or overview papers in this collection?",
        "Is there any work on humour in memes?",
        "What methods have been proposed to reduce hallucinations?",
    ):
        assert classify(question) == ("list", ""), question
    for question in (
        "What do different papers conclude about LLMs as survey respondents?",
        "How do the papers differ in how they reward reasoning steps?",
        "What method does the Refusal Tokens paper propose?",
        # "works" as a verb, a comparison before the papers, a named paper's methods, a
        # count asked beside the papers
        "Which works better, DPO or PPO, and how do they differ?",
        "DPO vs PPO: which works better for reasoning?",
        "Is there a difference in methods between DPO and RLHF?",
        "What are the two methods proposed in SAMI?",
        "Who has studied sycophancy, and how many models did they test?",
        "Who writes better code, GPT-4 or Claude?",
    ):
        assert classify(question)[0] != "list", question


def test_a_request_for_papers_gets_the_list_named_by_its_topic(seeded):
    bm25 = seeded.engine.bm25
    leads = {
        "Can you point me to papers about red teaming?": "study red teaming:",
        "Could you recommend some good papers on jailbreak attacks?": "study jailbreak attacks:",
        "Is there research on humor understanding?": "study humor understanding:",
        "Name some papers that use DPO.": "use DPO:",
        "Name three papers on jailbreaks.": "study jailbreaks:",
        "Suggest readings on reward models": "study reward models:",
        "What does the collection say about hallucination?": "study hallucination:",
        "Can you point me to papers about how LLMs handle time?": "study how LLMs handle time:",
        "Are there any good papers on jailbreaks?": "study jailbreaks:",
        "Hi there. Do any of the papers discuss the reversal curse?": (
            "discuss the reversal curse:"
        ),
        "WHICH PAPERS STUDY RED-TEAMING?": "study red-teaming:",
        "For chat alignment, which papers avoid human labels?": "avoid human labels:",
        "Do any papers discuss the reversal curse?": "discuss the reversal curse:",
        "Do any papers discuss whether chain-of-thought prompting hurts on simple tasks?": (
            "discuss whether chain-of-thought prompting hurts on simple tasks:"
        ),
        "How many papers mention DPO?": "mention DPO:",
        # a heading before the question, and a question that points back to it
        "jailbreaks: which papers show ways to get LLMs to produce harmful content?": (
            "on jailbreaks show ways to get LLMs to produce harmful content:"
        ),
        "over-refusal: which papers measure it?": "measure over-refusal:",
        "What work exists on jailbreaks?": "study jailbreaks:",
    }
    for question, lead in leads.items():
        analysis = analyse(question, bm25)
        assert analysis.kind == "list", question
        assert list_lead(question, analysis.topic, 3) == f"3 papers in the collection {lead}"
    # "mention" frames the question: it was taken for a topic word the collection lacks
    assert seeded.ask("How many papers mention DPO?").citations
    # "is there", "name" ask for papers only when papers follow them
    assert analyse("Is there evidence that RLHF causes sycophancy?", bm25).kind != "list"
    assert analyse("Can you name the dataset CIVICS uses?", bm25).kind != "list"
    for question in (
        "What are the main approaches to reducing hallucination?",
        "Who has worked on reward hacking?",
    ):
        assert analyse(question, bm25).kind == "list", question


def test_a_list_lead_takes_the_sentence_that_asks_and_its_own_words():
    cases = {
        # the sentence that says what the asker works on is not the topic
        "I'm writing a survey on preference optimization. Which papers in the collection "
        "propose alternatives to standard DPO?": "propose alternatives to standard DPO:",
        # the article the topic drops stays after the verb's particle
        "Which papers look at the right to be forgotten?": "look at the right to be forgotten:",
        # a name with digits is no shouted word
        "Which papers report that GPT-3.5 identifies as a political conservative?": (
            "report that GPT-3.5 identifies as a political conservative:"
        ),
    }
    for question, lead in cases.items():
        assert list_lead(question, topic_phrase(question), 2) == (
            f"2 papers in the collection {lead}"
        )


def test_a_quote_never_is_a_question_or_leans_on_a_sentence_it_does_not_give(seeded):
    assert role_bonus("Can negative emotions enhance their performance?") < role_bonus(
        "Negative emotions enhance their performance by 12.89%."
    )
    assert without_connective("Rather, models trend toward random answers.") == (
        "Models trend toward random answers."
    )
    # "Unlike previous works that feed these questions" leans on "To explore this
    # phenomenon", which leans on what came before: neither is the paper's line
    answer = seeded.ask("persona")
    line = next(x for x in answer.text.splitlines() if "Stable Value Orientations" in x)
    assert "this phenomenon" not in line and "these questions" not in line


def test_a_specific_question_many_papers_bear_on_is_answered_as_a_list(seeded):
    question = "Do language models know when not to answer?"
    answer = seeded.ask(question)
    count = len(answer.citations)
    assert count > MAX_PARAGRAPHS
    assert answer.text.startswith(f"{count} papers in the collection bear on the question")
    assert sum(line.startswith("- *") for line in answer.text.splitlines()) == count
    # a dash's apposition is no clause to quote alone ("-- namely, in-context learning")
    assert "Namely," not in answer.text


def test_a_list_whose_topic_is_a_clause_quotes_the_question(seeded):
    question = (
        "Do LLMs hold consistent moral or political values? Which papers try to measure this?"
    )
    assert list_lead(question, topic_phrase(question), 3) == (
        "3 papers in the collection bear on the question “Do LLMs hold consistent moral or "
        "political values?”:"
    )
    answer = seeded.ask(question)
    count = len(answer.citations)
    assert count >= 2 and answer.text.startswith(f"{count} papers in the collection bear on")
    lead = list_lead(
        "Looking for work on persuasion and sycophancy.", "persuasion and sycophancy", 2
    )
    assert lead == "2 papers in the collection study persuasion and sycophancy:"


def test_closed_class_words_are_no_key_terms(seeded):
    # rare in abstracts, so they passed for the question's key concept
    bm25 = seeded.engine.bm25
    analysis = analyse("Which papers use GPT-4 or another LLM as a judge?", bm25)
    assert "anoth" not in analysis.terms and "judg" in analysis.key_terms
    analysis = analyse("biases (gender, race, etc.) in LLMs across languages", bm25)
    assert not {"etc", "across"} & set(analysis.terms)
    # ... but not a content word that shares a stem with one ("several" / "severe")
    assert "sever" in analyse("severe hallucinations", bm25).terms


def test_the_verb_a_question_asks_for_papers_with_only_frames_it(seeded):
    # "discuss", rare in abstracts, weighed as a key term and made sycophancy look uncovered
    bm25 = seeded.engine.bm25
    study = analyse("Which papers study sycophancy?", bm25)
    for verb in ("discuss", "examine", "cover"):
        analysis = analyse(f"Which papers {verb} sycophancy?", bm25)
        assert analysis.key_terms == study.key_terms == ("sycoph",), verb
        assert seeded.ask(f"Which papers {verb} sycophancy?").citations, verb
    # a verb that names what the papers do stays
    assert "detect" in analyse("Which papers detect hallucinations?", bm25).terms


def test_the_topic_drops_the_framing_on_both_sides():
    assert topic_phrase("Tell me about reward models, please?") == "reward models"
    assert topic_phrase("what does the paper Persona Vectors show?") == "Persona Vectors"
    assert topic_phrase("Which papers evaluate vision-language models?") == "vision-language models"
    assert topic_phrase("Which papers are about the reversal curse?") == "the reversal curse"
    assert topic_phrase("off switch") == "off switch"  # nothing frames it
    assert topic_phrase("jailbreak attacks") == "jailbreak attacks"
    # a comparison's verb is framing too: "... close enough to DPO variants differ to cite"
    assert topic_phrase("How do DPO variants in the collection differ?") == "DPO variants"
    assert topic_phrase("What are the differences between RLHF and DPO?") == "RLHF and DPO"


def test_what_a_question_asks_of_its_topic_is_no_term_of_it(seeded):
    """ "drawbacks", in no abstract, made "What are the drawbacks of RLHF?" look off the
    collection's topics; "limitations" made DPO's papers look uncovered."""
    bm25 = seeded.engine.bm25
    assert analyse("What are the drawbacks of RLHF?", bm25).terms == ("rlhf",)
    assert analyse("What are the limitations of DPO?", bm25).terms == ("dpo",)
    assert seeded.ask("What are the drawbacks of RLHF?").citations
    # nor is the frame around it: "overview" is in no abstract either
    assert analyse("an overview of reward modeling", bm25).terms == ("reward", "model")
    assert analyse("state of the art in red teaming", bm25).terms == ("red", "team")
    assert seeded.ask("an overview of reward modeling").citations
    # a question about limitations as such keeps the word
    assert analyse("Which papers study limitations?", bm25).terms == ("limit",)


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("What are the pros and cons of refusal training?", ("refus", "train")),
        ("What are the main takeaways about DPO?", ("dpo",)),
        ("What would you recommend reading on DPO?", ("dpo",)),
        ("How do papers measure over-refusal?", ("over", "refus")),
        ("What causes over-refusal?", ("over", "refus")),
    ],
)
def test_how_a_question_is_put_is_no_term_of_its_topic(seeded, question, terms):
    """Each of these was abstained on: "pros", "takeaways", "recommend" are in no
    abstract, and "measure", "causes", "better" were weighed as the concept asked about."""
    assert analyse(question, seeded.engine.bm25).terms == terms


def test_a_question_on_causes_quotes_where_the_abstract_gives_them(seeded):
    """It quoted "sheds light on the causes and implications of this phenomenon", which
    names the causes without giving them."""
    analysis = analyse("What causes likelihood displacement?", seeded.engine.bm25)
    assert (analysis.kind, analysis.fact) == ("specific", "cause")
    answer = seeded.ask("What causes likelihood displacement?")
    assert "driven by preferences that induce similar embeddings" in answer.text
    assert analyse("What are the drawbacks of RLHF?", seeded.engine.bm25).fact == "limitation"


def test_a_lead_in_before_a_colon_is_no_topic(seeded):
    question = "Quick question from a newbie: which papers study chain-of-thought?"
    assert "newbi" not in analyse(question, seeded.engine.bm25).terms
    assert seeded.ask(question).citations


def test_a_comparison_no_paper_makes_is_answered_side_by_side(seeded):
    """No abstract compares DPO with RLHF: the papers on each, said to be so, rather than
    an abstention."""
    for question in ("How does DPO compare with RLHF?", "DPO vs RLHF"):
        answer = seeded.ask(question)
        assert answer.text.startswith(
            "No paper in the collection compares DPO with RLHF; the papers on each:"
        ), answer.text
        titles = " ".join(c.paper.title for c in answer.citations)
        assert "RLHF" in titles and "Preference" in titles
    # a side the collection lacks: still an abstention
    assert seeded.ask("How do protein folding and DPO compare?").abstained
    # "better than" states a result, not a comparison of two topics
    assert (
        analyse("Can models do better than chance at detecting deception?", seeded.engine.bm25).kind
        != "comparison"
    )


def test_a_comparison_is_about_what_it_compares_not_the_comparing(seeded):
    """ "compare" and "differ" weighed as key terms made "Compare DPO and RLHF" look less
    covered than "DPO and RLHF"."""
    bm25 = seeded.engine.bm25
    for question in ("Compare DPO and RLHF", "How does DPO differ from RLHF?"):
        analysis = analyse(question, bm25)
        assert analysis.kind == "comparison" and analysis.terms == ("dpo", "rlhf"), question
        assert analysis.topic == "DPO and RLHF"
    stated = analyse("Which papers show that LLM values differ from human values?", bm25)
    assert stated.kind == "list" and "differ from" in stated.topic
    # a question that only names the comparison keeps it as its topic
    only = analyse("What are the trade-offs?", bm25)
    assert only.kind == "comparison" and only.terms


def test_answering_never_imports_torch(seeded_dir):
    code = (
        "import sys\n"
        "from assistant import Assistant\n"
        f"Assistant(data_dir={str(seeded_dir)!r}).ask('which papers study jailbreaks?')\n"
        "heavy = {'torch', 'sentence_transformers', 'transformers'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


@pytest.mark.parametrize(
    ("pasted", "plain"),
    [
        ("which papers study **over-refusal**?", "which papers study over-refusal?"),
        ("papers on [jailbreaks](https://example.org/a_(b)) please", "papers on jailbreaks please"),
        ("which papers study <b>persona</b> _drift_", "which papers study persona drift"),
        ("see https://arxiv.org/abs/2405.20947 on refusal", "see on refusal"),
        ("A* search and snake_case names", "A* search and snake_case names"),
        ("which papers study over\u2011refusal?", "which papers study over-refusal?"),
        ("over\u2010refusal and self\u00adcorrection", "over-refusal and selfcorrection"),
    ],
)
def test_markup_in_a_question_is_read_as_its_plain_words(pasted: str, plain: str):
    assert check_question(pasted) == plain


def test_the_topic_is_taken_from_the_sentence_that_asks():
    assert topic_phrase("Which papers study over-refusal? See [3] too.") == "over-refusal"
    assert topic_phrase("What papers look at LLM values?") == "LLM values"
    assert topic_phrase("which papers study JAILBREAKS and RLHF?") == "jailbreaks and RLHF"


def test_a_paper_holding_every_term_of_the_question_is_cited(seeded):
    for question in ("which papers study over-refusal?", "jailbreak attacks"):
        decision = decide(seeded.engine, question)
        holders = {j.paper.paper_id for j in decision.judged if j.features["holds_all_terms"]}
        assert holders and decision.relevant
        assert holders <= {j.paper.paper_id for j in decision.relevant}


def test_a_draft_takes_every_paper_on_its_concept_only_when_the_kept_papers_agree(seeded):
    topic = "hallucination in language models: detecting and reducing it"
    assert analyse(topic, seeded.engine.bm25).action_terms == {"detect", "reduc"}
    draft = decide(seeded.engine, topic, survey=True)
    answer = decide(seeded.engine, topic)
    holders = [j for j in draft.judged if j.features["holds_key:hallucin"]]
    assert len(draft.relevant) > len(answer.relevant)
    assert {j.paper.paper_id for j in holders if j.probability >= 0.02} <= {
        j.paper.paper_id for j in draft.relevant
    }
    # "reward" and "RLHF": the kept papers do not all hold both, so no word alone decides
    split = decide(seeded.engine, "reward models for RLHF", survey=True)
    cut = default_model().survey_threshold
    assert all(j.probability >= cut or j.features["holds_all_terms"] for j in split.relevant)


def test_a_draft_on_alternatives_takes_the_papers_whose_title_names_one(seeded):
    bm25 = seeded.engine.bm25
    topic = "role-play and personas in large language models"
    assert analyse(topic, bm25).alternatives == (
        frozenset({"role", "play"}),
        frozenset({"persona"}),
    )
    # actions on one concept, or a setting that is no key term, are no alternatives
    assert analyse("circumventing or undoing the safety training of LLMs", bm25).alternatives == ()
    assert (
        analyse("hallucination in language models: detecting and reducing it", bm25).alternatives
        == ()
    )
    draft = decide(seeded.engine, topic, survey=True)
    cited = {j.paper.paper_id for j in draft.relevant}
    named = [
        j
        for j in draft.judged
        if j.probability >= 0.02
        and (
            j.features["title_holds_key:persona"]
            or (j.features["title_holds_key:role"] and j.features["title_holds_key:play"])
        )
    ]
    assert len(named) > 2 and {j.paper.paper_id for j in named} <= cited
    # an answer to the same words keeps to the fitted cut
    assert len(decide(seeded.engine, topic).relevant) < len(cited)


def test_a_question_whose_key_noun_no_abstract_holds_is_not_answered_from_its_setting(seeded):
    """ "membership inference attacks on LLM training data": the papers closest to it share
    "attacks" and "training data", not its concept; "eroded" is a verb's form, and the
    papers on safety training being undone answer the question it is in."""
    answer = seeded.ask("Which papers evaluate membership inference attacks on LLM training data?")
    assert answer.abstained and answer.citations == []
    assert 'No paper in the collection mentions "membership".' in answer.text
    answer = seeded.ask(
        "Which papers show that the safety of aligned models can be eroded by fine-tuning?"
    )
    assert not answer.abstained and answer.citations


def test_an_abstention_names_the_phrase_whose_words_the_papers_use_apart(seeded):
    answer = seeded.ask("What is speculative decoding and how much speedup does it give?")
    assert answer.abstained and 'No paper in the collection mentions "speedup".' in answer.text
    assert 'None of the papers closest to it mentions "speculative decoding".' in answer.text


def test_a_mistyped_word_is_read_as_the_corpus_word_and_the_answer_says_so(seeded):
    """ "halucination": no abstract holds it, nor does English; "hallucination", one edit
    away, is what was meant. The answer is the one to the word meant, with a note."""
    right = seeded.ask("Which papers study hallucination in LLMs?")
    wrong = seeded.ask("Which papers study halucination in LLMs?")
    assert not wrong.abstained and wrong.citations
    assert [c.paper.title for c in wrong.citations] == [c.paper.title for c in right.citations]
    assert wrong.text.startswith('_Read "halucination" as "hallucination"._\n\n')
    assert 'Read "halucination"' in seeded.search("halucination").note
    # an English word no abstract holds is meant as written, not read as its neighbour
    assert with_slips_meant("Which papers study retraining?", seeded.engine.bm25) == (
        "Which papers study retraining?",
        "",
    )
    # a British spelling is the same word, written as the papers do, without a note
    bm25 = seeded.engine.bm25
    assert with_slips_meant("papers on generalisation", bm25) == ("papers on generalization", "")
    # nor is a word whose neighbours share only a stem with corpus words ("quantiting":
    # "quantitative") read as one, nor a short word, nor a name
    for question in (
        "quantizing",
        "papers on parsin",
        "What does Halucinator-7B do?",
    ):
        assert with_slips_meant(question, seeded.engine.bm25) == (question, "")


def test_slips_inside_compounds_and_in_seven_letter_words_are_read(seeded):
    """ "chain-of-thougth promting" abstained on "thougth" (a hyphenated word was never
    read), "languge models" on "languge" (seven letters); "hallucinaton" was read as
    "hallucinator", a word of the same stem; "defences" got a note as if mistyped."""
    bm25 = seeded.engine.bm25
    assert with_slips_meant("chain-of-thougth promting", bm25) == (
        "chain-of-thought prompting",
        'Read "thougth" as "thought"; "promting" as "prompting".',
    )
    assert with_slips_meant("languge models", bm25)[0] == "language models"
    assert with_slips_meant("hallucinaton detection", bm25)[0] == "hallucination detection"
    assert with_slips_meant("jailbreak defences", bm25) == ("jailbreak defenses", "")
    # a term English lacks, one vowel off: the index knows only "multimod", its stem
    assert with_slips_meant("multimodel LLMs", bm25)[0] == "multimodal LLMs"
    answer = seeded.ask("multimodel LLMs / vision-language models -- list the papers")
    assert answer.text.splitlines()[2].endswith("study multimodal LLMs / vision-language models:")
    answer = seeded.ask("chain-of-thougth promting")
    assert not answer.abstained and answer.citations
    assert not seeded.related_work("chain-of-thougth promting").abstained


def test_the_review_of_the_slip_and_question_readers(seeded):
    """A reviewer's inputs: "shouldn't" was read "should't" (the negation flipped);
    "temporo-parietal" as "tempor-parietal"; "What work ..., and how many ...?" as a
    question after one paper; "X -- what works best?" as a list request; a question then
    "I need papers that cite it" as a list."""
    from assistant.answer.question import classify

    bm25 = seeded.engine.bm25
    for question in ("Which papers argue that models shouldn't refuse?", "temporo-parietal"):
        assert with_slips_meant(question, bm25) == (question, "")
    assert (
        classify("What work has been done on over-refusal, and how many benchmarks exist?")[0]
        == "list"
    )
    assert classify("Jailbreak defenses -- what works best against attacks?")[0] != "list"
    question = "What dataset does CIVICS use? I need papers that cite it too."
    assert without_writing_frame(question) == (question, False)


def test_a_long_lead_shows_its_topic_head_and_leaves_no_bracket_open(seeded):
    cases = {
        # what follows a dash elaborates: the lead shows the head, not "..., or …"
        "Which papers show language models being deceptive - lying to users, faking "
        "alignment, or misleading their overseers?": "show language models being deceptive:",
        # "etc.)" frames nothing, and took the bracket's end with it
        "papers on fighting online misinformation (fact-based rebuttals, fallacy detection, "
        "etc.)": "study fighting online misinformation:",
        # what the writer writes for is no heading ("on a survey section on ..."), what it
        # is on is ("For a survey section on over-refusal: ...?" led with "study cite:")
        "For a survey section on cognitive-science-inspired AI: which papers draw on "
        "theories from psychology or neuroscience?": (
            "on cognitive-science-inspired AI draw on theories from psychology or neuroscience:"
        ),
        "For a survey section on over-refusal: which papers should I cite?": "study over-refusal:",
        "For a blog post on sycophancy: which papers measure it?": "measure sycophancy:",
        # "relevant" says what the papers are to the asker, not what they are about
        "I'm looking at whose values LLMs encode -- moral, political and cultural values, "
        "and the philosophy of value alignment. Which papers are relevant?": (
            "study values LLMs encode:"
        ),
    }
    for question, lead in cases.items():
        topic = analyse(question, seeded.engine.bm25).topic  # as the answer reads it
        assert list_lead(question, topic, 2) == (f"2 papers in the collection {lead}")
    question = (
        "Which paper turns off specific mixture-of-experts experts in DeepSeek-R1 to change "
        "refusal behaviour, how many experts, and how big was the refusal reduction?"
    )
    assert list_lead(question, topic_phrase(question), 1).startswith(
        "One paper in the collection turns off specific mixture-of-experts experts"
    )


def test_a_writer_asking_what_to_cite_gets_the_list_on_their_topic(seeded):
    """ "I'm writing about X - what should I cite?": "cite" and "writing" are no concepts
    the collection lacks (it abstained, naming "cite"); the topic is what they write on."""
    right = seeded.ask("Which papers study red-teaming language models?")
    asked = seeded.ask("I'm writing about red-teaming language models - what should I cite?")
    assert not asked.abstained
    assert [c.paper.title for c in asked.citations] == [c.paper.title for c in right.citations]
    assert asked.text.splitlines()[0].endswith("study red-teaming language models:")
    assert without_writing_frame("What should I cite?") == ("What should I cite?", False)
    # not a question that only says "include" or "read" ...
    for question in (
        "Which features to include in a reward model?",
        "Which layer should I read the truth direction from?",
        "Is there any reason to include a KL penalty in RLHF?",
    ):
        assert without_writing_frame(question) == (question, False)
    # ... and the question mark stays with what is asked, so the sentences around it are
    # context ("PhD", "Toronto" are no missing concepts)
    answer = seeded.ask(
        "I'm a PhD student in Toronto. What should I read about why models hallucinate?"
    )
    assert not answer.abstained and answer.citations


def test_a_request_for_references_within_a_writers_question_asks_for_the_list(seeded):
    """ "I'm writing the related-work section of a paper on X. I need references on Y --
    what does my collection have?" was answered as a question of a fact, its key terms
    "write" and "section"."""
    question = (
        "I'm writing the related-work section of a paper on jailbreaks. I need references "
        "on attacks that get around an LLM's safety training -- what does my collection have?"
    )
    analysis = analyse(question, seeded.engine.bm25)
    assert analysis.kind == "list" and not {"write", "section", "refer"} & set(analysis.terms)
    answer = seeded.ask(question)
    assert answer.text.splitlines()[0].endswith("study jailbreaks:") and answer.citations
    assert without_writing_frame("Hello. I need papers on jailbreaks.") == (
        "Hello. jailbreaks.",
        True,
    )
    assert without_writing_frame("jailbreaks -- what does my collection have?") == (
        "jailbreaks.",
        True,
    )


def test_words_that_place_the_papers_or_share_a_stem_with_filler_are_topics_or_not(seeded):
    """ "in the collection" places the papers, it is no topic ("collection" was a key
    term); "generalization" shares its stem with the filler "generally" and is a topic
    (the question got "Ask about a topic")."""
    bm25 = seeded.engine.bm25
    assert analyse("Which papers in the collection study refusal?", bm25).terms == ("refus",)
    assert "collect" in analyse("papers on data collection for RLHF", bm25).terms
    answer = seeded.ask("Which papers study generalization?")
    assert not answer.abstained and answer.citations
    # ... while "recent", "quick" and "authors" stay filler
    assert analyse("What are the most recent papers on jailbreaks?", bm25).terms == ("jailbreak",)


def test_a_topic_cut_to_length_does_not_repeat_the_verb_in_the_lead(seeded):
    answer = seeded.ask(
        "Which papers steer or control model behaviour by intervening on internal "
        "activations, representations or experts?"
    )
    assert answer.text.splitlines()[0].split(" collection ")[1].startswith("steer or control")


def test_a_topic_that_several_titles_share_names_no_single_paper(seeded):
    """ "Compare how papers explain and try to fix the reversal curse": "The Reversal
    Curse" is one paper's short name, but two other titles hold it: the comparison cited
    that paper alone. (Nor is "try to" the join of a topic's two halves.)"""
    answer = seeded.ask("Compare how different papers explain and try to fix the reversal curse.")
    titles = [c.paper.title for c in answer.citations]
    assert len(titles) >= 2 and all("reversal curse" in t.lower() for t in titles), titles


def test_a_request_that_opens_with_papers_asks_for_the_list():
    from assistant.answer.question import classify

    assert classify("Papers showing that AI models can deceive their users or overseers")[0] == (
        "list"
    )
    assert classify("Research on jailbreaks")[0] == "list"
    # not a statement about papers, or a question on them
    assert classify("Studies using GPT-4 as a judge: how reliable are they?")[0] != "list"
    assert classify("Research on sycophancy suggests models agree with users.")[0] != "list"


def test_a_title_opening_that_other_papers_use_names_no_paper():
    """ "Large Language Models for Code Generation" opens with a name many abstracts use."""
    from types import SimpleNamespace

    def judged(title: str, abstract: str) -> SimpleNamespace:
        return SimpleNamespace(
            paper=SimpleNamespace(title=title, abstract=abstract), probability=0.5
        )

    code = judged("Large Language Models for Code Generation", "We study code.")
    other = judged("Refusal in Chat", "Large language models refuse requests.")
    question = "How do large language models write code?"
    assert _named_papers(question, [code, other]) == []
    assert _named_papers("How well does Large Language Models do?", [code]) == [code]


def test_a_question_that_opens_by_asking_an_amount_asks_a_number_whatever_it_compares():
    """ "How often did X comply in training, versus when it thought it wasn't?" was answered
    under "One paper in the collection bears on this comparison:"."""
    from assistant.answer.question import classify

    assert classify("How often did the model comply in training versus out of it?") == (
        "specific",
        "number",
    )
    assert classify("How much less data does it need compared with Math-Shepherd?")[0] == (
        "specific"
    )
    assert classify("How many papers compare DPO and PPO?")[0] == "comparison"
    assert classify("How well does RLHF compare to DPO?")[0] == "comparison"


def test_how_big_a_problem_names_no_concept(seeded):
    """ "big" matched BIG-bench, so the question's one key concept ("contamination", in no
    abstract) did not make it abstain."""
    answer = seeded.ask("How big a problem is benchmark data contamination for LLMs?")
    assert answer.abstained and 'mentions "contamination"' in answer.text


def test_a_list_line_quotes_a_result_over_a_background_sentence_nearly_as_close(seeded):
    """ACORM's line quoted "Real-world multi-agent tasks usually involve ...", its
    opening, where "the authors propose a novel framework ..." says what it does and
    scores nearly as well."""
    answer = seeded.ask("role-based multi-agent reinforcement learning on StarCraft")
    (line,) = [x for x in answer.text.splitlines() if x.startswith("- *Attention-Guided")]
    assert "the authors propose" in line and "Real-world multi-agent tasks" not in line


def test_a_question_after_one_paper_and_its_numbers_quotes_the_numbers(seeded):
    """ "Which paper turns off experts ..., how many experts, and how big was the refusal
    reduction?" was a list of one paper, whose line quoted a clause cut after "we dub
    fTRI --" as "They empirically identify ...": the numbers are in the next sentence."""
    from assistant.answer.evidence import shorten
    from assistant.answer.question import classify

    question = (
        "Which paper turns off specific mixture-of-experts experts in DeepSeek-R1 to change "
        "refusal behaviour, how many experts, and how big was the refusal reduction?"
    )
    assert classify(question) == ("specific", "number")
    assert classify("Which paper turns off experts in DeepSeek-R1?")[0] == "list"
    answer = seeded.ask(question)
    assert "top 10 most refusal-relevant experts" in answer.text and "52%" in answer.text
    sentence = third_person(
        "By analyzing the brain of DeepSeek-R1 using a technique we dub fTRI (inspired by "
        "fMRI and using prompts designed to elicit specific behavior) -- we empirically "
        "identify distinctive experts associated with behaviors like refusal responses."
    )
    assert shorten(sentence, ["expert", "refus"]).startswith("The authors empirically")


def test_blind5_question_forms(seeded):
    """From a fifth blind question set: a number asked "compared with" another is a
    fact, not a comparison of papers ("One paper ... bears on this comparison"); "apply"
    is no adverb ("2 papers ... study LLMs to healthcare"); "What X are in the collection,
    and ...?" echoed as "What X are, and ...?"; "the original Reversal Curse paper" names
    that paper though two other titles hold "Reversal Curse"."""
    from assistant.answer.question import classify

    number = "On GPT-4o, what attack success rate did it reach, compared with direct requests?"
    assert classify(number) == ("specific", "number")
    assert classify("How does DPO compare with PPO?")[0] == "comparison"
    question = "Which papers apply LLMs to healthcare, medicine or mental-health counselling?"
    assert list_lead(question, topic_phrase(question), 2).startswith(
        "2 papers in the collection apply LLMs to healthcare"
    )
    assert topic_sentence(
        "What approaches to X are in the collection, and how do they differ?"
    ) == ("What approaches to X are there, and how do they differ?")
    answer = seeded.ask(
        "Contrast the original Reversal Curse paper with the work on bilinear relational structure."
    )
    titles = [c.paper.title for c in answer.citations]
    assert any(t.startswith("The Reversal Curse: LLMs trained") for t in titles), titles


def test_a_list_line_quotes_what_the_paper_says_after_its_opening_scene(seeded):
    """RODE's line of the same question quoted its opening, "Role-based learning holds the
    promise of ...", which states no result and none came close: what the paper says
    after its scene ("The authors propose to first decompose joint action spaces ...")
    comes close enough. "The current work" is the authors speaking too."""
    answer = seeded.ask("role-based multi-agent reinforcement learning on StarCraft")
    (line,) = [x for x in answer.text.splitlines() if x.startswith("- *RODE*")]
    assert "holds the promise" not in line and "The authors" in line
    assert setup_length(["LLMs forget.", "The current work takes another approach."]) == 1


def test_an_irregular_participle_is_read_as_its_verb(seeded):
    """ "undone": no abstract holds it, but *LoRA Fine-tuning Efficiently Undoes Safety
    Training* holds its verb; the question is no concept the collection lacks."""
    answer = seeded.ask("Which papers show that safety training can be bypassed or undone?")
    assert not answer.abstained
    assert any(c.paper.title.startswith("LoRA Fine-tuning") for c in answer.citations)


def test_a_mistyped_question_word_is_read_as_the_word_meant(seeded):
    """ "wich paprs sutdy refusal?" asks what "which papers study refusal?" asks: a
    question word one edit off is no concept the collection lacks."""
    right = seeded.ask("Which papers study refusal?")
    wrong = seeded.ask("wich paprs sutdy refusal?")
    assert not wrong.abstained
    assert [c.paper.title for c in wrong.citations] == [c.paper.title for c in right.citations]
    assert wrong.text.splitlines()[0] == right.text.splitlines()[0]
    # an acronym, or a word that a substitution or an extra letter would make of a framing
    # word ("soft": "sort", "bits": "its"), is taken as typed
    bm25 = seeded.engine.bm25
    assert analyse("Which papers report BLEU?", bm25).missing == ("BLEU",)
    assert {"soft", "bits"} <= set(analyse("Which papers study soft bits?", bm25).missing)
    # ... as is one whose slip makes another stop word ("dose": "does"), or one after the
    # question's first topic word ("Bing" could be "being")
    assert "dose" in analyse("Which papers study dose effects?", bm25).missing
    assert "Bing" in analyse("Which papers evaluate Bing Chat?", bm25).missing


def test_a_how_many_question_quotes_the_count_of_what_it_counts(seeded):
    answer = seeded.ask(
        "Which benchmark does MOSSBench introduce and how many queries does it contain?"
    )
    first = answer.text.split("\n\n")[0]
    assert (
        first.startswith("*MOSSBench*")
        and "300 manually collected benign multimodal queries" in first
    )
    assert "gives no number" not in first
    # an abstract that gives no count of what is asked says so; one that may ("24 LVLMs"
    # for "how many models", "three common patterns", "two experimental set-ups") does not
    answer = seeded.ask("How many languages does CIVICS cover?")
    assert answer.text.split("\n\n")[0].endswith("(The abstract gives no number of languages.)")
    for question in (
        "How many models does VISCO evaluate?",
        "How many patterns of critique failure does VISCO identify?",
        "How many experimental setups does CIVICS use?",
        # a ratio, not a count: "by 8 times" answers it
        "How many times more efficient is RL on incorrect synthetic data for math reasoning?",
    ):
        assert "(The abstract gives no number" not in seeded.ask(question).text, question


def test_a_long_quote_is_cut_where_a_sentence_opens_never_inside_a_list():
    words = (
        "Models such as A, B, C, D, E, F, G, H, I, J, K and L were tested on refusal. " * 3
    ).split()
    window = _window(words, {"refus"})
    assert window.startswith("Models such as A") and window.endswith(" …")
    # ... and never inside a parenthesis: after its close, or before its opening
    opening = "Shifting mass to harmful responses lowers refusal in our tests".split()
    words = opening * 3 + "(e.g., the rate falls from 74.4% to 33.4% on Llama) here.".split()
    words += "Further words follow that say nothing more about it at all, ending here.".split()
    assert _window(words, {"refus"}).endswith("to 33.4% on Llama) …")
    words = opening * 3 + ["(e.g.,", *["word"] * 20, "end)"] + ["more"] * 20
    assert _window(words, {"refus"}).endswith("refusal in our tests …")


def test_a_long_quote_is_kept_whole_rather_than_cut_before_the_term_that_fits():
    words = (
        "To study how role-playing agents behave when faced with different kinds of conflicting "
        "requests, they develop an evaluation "
        "benchmark that includes contextual conflicts, parametric conflicts and plain "
        "requests to assess whether agents refuse to answer appropriately without "
        "over-refusing."
    ).split()
    assert 35 < len(words) <= 60
    assert _window(words, {"over", "refus"}) is None
    assert shorten(" ".join(words), ["over", "refus"]).endswith("without over-refusing.")


def test_an_answer_from_a_weak_match_says_so(seeded):
    weak = 0
    for question in (
        "machine translation quality of LLMs for low-resource languages",
        "which papers study over-refusal?",
    ):
        decision = decide(seeded.engine, question)
        answer = seeded.ask(question)
        warned = any(w.startswith("a weak match (coverage") for w in answer.warnings)
        assert warned == (bool(answer.citations) and decision.covered < WEAK_COVERAGE)
        weak += warned
    assert weak == 1  # the translation question, next to the collection's topics


def test_a_question_that_names_its_paper_is_answered_from_it(seeded):
    for question, name in (
        ("What method does the Refusal Tokens paper propose?", "Refusal Tokens:"),
        ("How many queries does MOSSBench contain?", "MOSSBench:"),
    ):
        answer = seeded.ask(question)
        assert [c.paper.title.split(":")[0] + ":" for c in answer.citations] == [name]
    # ... or by a coined name its abstract defines ("We introduce SAMI, a method"), never
    # by one it only uses; a question naming its papers is no weak match
    answer = seeded.ask("What win rate does SAMI achieve?")
    assert [c.paper.title.split(":")[0] for c in answer.citations] == [
        "Self-Supervised Alignment with Mutual Information"
    ]
    answer = seeded.ask("How do SAMI and INPO differ?")
    assert len(answer.citations) == 2 and not answer.warnings
    # ... or by one it names in apposition: "Our best-aligned model, PsychoCounsel-Llama3-8B,"
    answer = seeded.ask("What win rate does PsychoCounsel-Llama3-8B achieve against GPT-4o?")
    assert [c.paper.title for c in answer.citations] == [
        "Preference Learning Unlocks LLMs' Psycho-Counseling Skills"
    ]
    # ... or by the name its title opens with, before "for" (not by a question's opening
    # or an act: "Does Refusal Training", "Mitigating Gender Bias")
    answer = seeded.ask("How does zero-resource hallucination prevention work?")
    assert [c.paper.title for c in answer.citations] == [
        "Zero-Resource Hallucination Prevention for Large Language Models"
    ]
    assert method_name("Does Refusal Training in LLMs Generalize to the Past Tense?") is None
    assert method_name("Mitigating Gender Bias in Distilled Language Models via X") is None
    # a lower-case word is no coined name: "rode" does not name RODE
    judged = decide(seeded.engine, "who rode with the agents in StarCraft?").judged
    assert any(j.paper.title.startswith("RODE") for j in judged)
    assert _named_papers("who rode with the agents in StarCraft?", judged) == []


def test_a_list_lead_keeps_the_verb_the_question_asks_with():
    cases = {
        ("Which papers raise data privacy concerns?", 1): "One paper in the collection "
        "raises data privacy concerns:",
        ("Which papers introduce a new benchmark or evaluation dataset?", 6): "6 papers in the "
        "collection introduce a new benchmark or evaluation dataset:",
        ("Which papers study how LLMs handle time?", 3): "3 papers in the collection study "
        "how LLMs handle time:",
        ("Which paper studies jailbreaks?", 2): "2 papers in the collection study jailbreaks:",
        ("Which papers in the collection study jailbreaks?", 2): "2 papers in the collection "
        "study jailbreaks:",
        ("jailbreak attacks", 1): "One paper in the collection studies jailbreak attacks:",
        # a verb's particle stays, and a plural subject's verb is not cut ("focu")
        ("Which papers focus on reward models?", 9): "9 papers in the collection focus on "
        "reward models:",
        ("Which paper focuses on reward models?", 1): "One paper in the collection focuses on "
        "reward models:",
        ("Which papers deal with roles in multi-agent systems?", 4): "4 papers in the "
        "collection deal with roles in multi-agent systems:",
        ("Which papers look at assigning personas to LLMs?", 3): "3 papers in the collection "
        "look at assigning personas to LLMs:",
        ("Which paper uses reinforcement learning?", 2): "2 papers in the collection use "
        "reinforcement learning:",
    }
    for (question, count), lead in cases.items():
        assert list_lead(question, topic_phrase(question), count) == lead


def test_quotes_lose_what_leans_on_sentences_the_reader_has_not_seen():
    assert without_connective("We then show X.") == "We show X."
    assert without_connective("Moreover, we further propose Y.") == "We propose Y."
    assert without_connective("Our results also suggest Z.") == "Our results suggest Z."
    assert without_connective("We also.") == "We also." and without_connective("") == ""
    assert leans_back("GPT-4 wins 79% of the time, against 33% for the latter.")
    assert named_items("Specifically, case (2) may be mitigated, unlike setting (ii).") == [
        "(2)",
        "(ii)",
    ]
    # quotes of overlapping spans ("They use X" with its antecedent, "The authors use X"
    # as the antecedent of the next): each sentence is quoted once
    seven = Sentence("The data trains a classifier.", 0.8, 7, 7)
    eight = Sentence("The data trains a classifier. They use it.", 0.5, 8, 7)
    nine = Sentence("The authors use it. With it, they train more.", 0.7, 9, 8)
    assert [s.text for s in _distinct([seven, nine, eight])] == [seven.text, nine.text]


def test_an_answer_opens_on_the_finding_not_the_scene_setting(seeded):
    answer = seeded.ask("Does training on synthetic data help math reasoning?")
    quote = answer.text.split("\n\n")[0].split("*: ", 1)[1]
    assert quote.startswith("The authors find") and "is a promising approach" not in quote
    # "how" a thing was done, not an adverb the abstracts never use, is no concept
    question = "How can the safety training of an aligned model be removed cheaply?"
    assert analyse(question, seeded.engine.bm25).missing == ()
    assert not seeded.ask(question).abstained
    assert analyse("anomaly detection", seeded.engine.bm25).terms[0].startswith("anomal")


def test_citation_markers_typed_in_a_question_are_never_echoed(seeded):
    for question in ("over-refusal [99]", "which papers study [5] refusal?", "jailbreaks[1,2]"):
        answer = seeded.ask(question)
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
        assert cited == {c.n for c in answer.citations}, question
    draft = seeded.related_work("over-refusal [7]", words=120)
    assert "[7]" not in draft.text.split("\n")[0].split(":")[0]


def test_a_sentence_quoted_with_its_antecedent_is_not_quoted_twice():
    first = Sentence("They evaluate GPT-4 on celebrities.", 0.7, 8)
    with_antecedent = Sentence(f"{first.text} GPT-4 answers 79% of them.", 0.6, 9)
    other = Sentence("The curse is robust.", 0.3, 4)
    kept = _distinct([first, with_antecedent, other])
    assert [s.text for s in kept] == [with_antecedent.text, other.text]
    assert kept[0].score == first.score


def test_a_draft_cites_the_candidates_that_hold_its_head_concept(seeded):
    """ "over-refusal: ...": a paper on "excessive refusals" holds the head before the colon,
    in its sense, however the rest of the topic is worded."""
    topic = "over-refusal: language models refusing harmless requests"
    decision = decide(seeded.engine, topic, survey=True)
    excessive = [j for j in decision.judged if "excessive refusals" in j.paper.abstract]
    assert excessive and all(j in decision.relevant for j in excessive)


def test_a_question_for_benchmarks_used_quotes_where_the_paper_names_them(seeded):
    """The sentence that introduces INPO names it, and matches the question's words better
    than the one that reports its win rates "on AlpacaEval 2.0 and ... on Arena-Hard"."""
    for question in (
        "On which benchmarks was INPO evaluated?",
        "Which benchmarks does the Iterative Nash Policy Optimization paper report win rates on?",
    ):
        answer = seeded.ask(question)
        assert answer.text.startswith("*Iterative Nash Policy Optimization*:"), question
        assert "on AlpacaEval 2.0" in answer.text.split("\n\n")[0], question


def test_what_a_specific_question_asks_for_is_read_from_its_wording():
    from assistant.answer.evidence import _counts, counted_noun, fact_bonus
    from assistant.answer.question import QuestionAnalysis, classify

    assert classify("How accurate is the prompt classifier?") == ("specific", "number")
    assert classify("On which instruction-following benchmarks was RPO evaluated?") == (
        "specific",
        "named",
    )
    counted = counted_noun("What are the two components of Decoupled Refusal Training?")
    assert counted == "compon"
    assert _counts("DeRTa incorporates two novel components: (1) MLE and (2) RTO.", counted)
    assert not _counts("The components of DeRTa are described.", counted)
    # what "how many" counts is its first plural noun, whatever follows it ("GPT-3.5.")
    assert counted_noun("how many physicians rated the GPT-3.5 and GPT-4 answers") == "physician"
    assert counted_noun("How many people were surveyed?") == "peopl"
    assert counted_noun("How many bias categories does BBQ cover?") == "categori"
    # a measure asked for with words before it
    for question in ("What attack success rate does it reach?", "What refusal rate do they see?"):
        assert classify(question) == ("specific", "number"), question
    assert classify("What models does it use?")[1] != "number"
    # "Which LLMs ...?" asks for names, and "LLM" is none; "which scored highest?" asks for
    # the sentence with the superlative
    assert classify("Which LLMs were evaluated?")[1] == "named"
    named = QuestionAnalysis(
        "Which LLMs were evaluated?", "specific", "named", (), (), "", (), True
    )
    evaluated = "We evaluated three LLMs (GPT-4o, Claude-3.5 and Mistral-large)."
    assert fact_bonus(evaluated, named) > fact_bonus("We enable evaluation of LLM skills.", named)
    highest = QuestionAnalysis("which scored highest?", "specific", "finding", (), (), "", (), True)
    best = "Results vary, with Claude-3.5 achieving the highest score (8.69/10)."
    assert fact_bonus(best, highest) > fact_bonus("Results vary across models.", highest)
    relevant = QuestionAnalysis("Which are most relevant?", "list", "", (), (), "", (), True)
    assert fact_bonus(best, relevant) == 0.0  # "most relevant" asks for no superlative


def test_a_question_for_the_papers_that_lack_something_says_how_to_get_them(seeded):
    answer = seeded.ask("Which papers do not use reinforcement learning?")
    assert answer.abstained and answer.citations == []
    assert '"which papers mention reinforcement learning?"' in answer.text
    positive = seeded.ask("Which papers study refusal without fine-tuning?")  # not by absence
    assert positive.citations


def test_but_not_leaves_out_the_papers_that_mention_what_it_excludes(seeded):
    plain = seeded.ask("which papers study refusal?")
    answer = seeded.ask("which papers study refusal but not jailbreaks?")
    assert answer.text.split("\n")[0].endswith("refusal, but not jailbreaks:")
    assert answer.citations and len(answer.citations) < len(plain.citations)
    assert not any("jailbreak" in c.paper.abstract.lower() for c in answer.citations)
    for question in ("papers that don't use reinforcement learning",
                     "which papers are not about reinforcement learning?"):  # fmt: skip
        assert seeded.ask(question).citations == []


def test_a_request_that_opens_a_question_is_not_its_topic(seeded):
    asked = seeded.ask("which papers study reward models?")
    for request in ("give me papers on reward models", "summarize the papers on reward models"):
        answer = seeded.ask(request)
        assert answer.text.startswith(f"{len(asked.citations)} papers in the collection study "
                                      "reward models:"), answer.text[:80]  # fmt: skip
        assert {c.paper.paper_id for c in answer.citations} == {
            c.paper.paper_id for c in asked.citations
        }
    summarization = analyse("papers on summarization", seeded.engine.bm25)
    assert "summar" in summarization.terms  # the verb's stem stays a topic where it is one


def test_a_sentence_that_uses_an_acronym_holds_the_words_it_stands_for(seeded):
    """The abstract spells out "process reward model (PRM)" in its opening; the sentence
    that answers says "an implicit PRM can be obtained ...", and lost to the opening on
    the question's words."""
    answer = seeded.ask("How can one get a process reward model without step-level labels?")
    assert "an implicit PRM can be obtained at no additional cost" in answer.text


def test_a_topic_that_ends_in_a_verbs_noun_keeps_it():
    """ "protein design" led "2 papers in the collection study protein:"."""
    for topic in ("protein design", "tool use", "model evaluation"):
        assert topic_phrase(topic) == topic
    assert topic_phrase("Which papers does MOSSBench mention?") == "MOSSBench"
    assert topic_phrase("Which papers on hallucination exist?") == "hallucination"
    assert not topic_phrase("Which benchmarks does VISCO use?").endswith("use")


def test_a_comparison_line_says_what_its_paper_does_and_finds(seeded):
    """A comparison quoted each paper's two best-matching sentences: for *Unintentional
    Unalignment* its opening scene ("DPO and its variants are increasingly used ...") and
    prior work's observation, not what the paper shows."""
    answer = seeded.ask(
        "Compare the papers that change how direct preference optimization (DPO) is trained",
        llm=False,
    )
    line = next(line for line in answer.text.splitlines() if "Unintentional Unalignment" in line)
    assert "increasingly used" not in line and "prior work has observed" not in line
    assert "The authors demonstrate that likelihood displacement" in line


def test_a_maker_the_collection_never_names_before_a_name_it_does_is_no_concept(seeded):
    """ "Which papers evaluate Anthropic's Claude models?" abstained: no paper says
    "Anthropic", while three evaluate Claude. A possessive that is the concept itself
    ("Goodhart's law") is still asked for."""
    answer = seeded.ask("Which papers evaluate Anthropic's Claude models?", llm=False)
    assert not answer.abstained and len(answer.citations) >= 2
    assert all("Claude" in c.paper.abstract for c in answer.citations)
    assert seeded.ask("Which papers study Goodhart's law?", llm=False).abstained
    assert seeded.ask("Which papers study Goodhart's Law?", llm=False).abstained
