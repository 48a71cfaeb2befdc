"""Conversations: follow-ups offline and with an LLM, and the real `assistant chat` in a pty."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pexpect
import pytest

from assistant.answer.extractive import short_title
from assistant.app import Assistant
from assistant.config import Settings
from assistant.errors import InputError

from .conftest import in_terminal, run_cli
from .fake_openai import FakeOpenAIServer, Reply

REFUSAL = "which papers study over-refusal?"


def test_offline_follow_ups_resolve_references_and_those(seeded):
    conversation = seeded.chat()
    first = conversation.ask(REFUSAL)
    assert len(first.citations) >= 2
    cited_first = {c.paper.paper_id for c in first.citations}
    narrowed = conversation.ask("which of those build an evaluation benchmark?")
    assert narrowed.citations
    assert {c.paper.paper_id for c in narrowed.citations} <= cited_first
    assert len(narrowed.citations) < len(first.citations)
    second_title = first.citations[1].paper.title
    conversation.turns.pop()  # back to the first answer
    more = conversation.ask("tell me more about [2]")
    assert [c.paper.title for c in more.citations] == [second_title]
    assert more.text.count("[1]") == 1
    assert conversation.paper(1).title == second_title
    conversation.reset()
    assert conversation.turns == [] and conversation.last is None


def test_a_follow_up_none_of_the_papers_answers_says_so(seeded):
    conversation = seeded.chat()
    first = conversation.ask("which papers study jailbreaks?")
    answer = conversation.ask("which of those study protein folding?")
    count = len(first.citations)
    assert answer.citations == []
    assert answer.text == f"None of the {count} papers above mentions protein folding."


def test_a_follow_up_cites_exactly_the_papers_whose_abstract_mentions_it(seeded):
    """ "which of those use RL?" chooses among the last answer's papers by what their
    abstracts say: RL written out, as the acronym, or inside a longer one (RLHF)."""
    conversation = seeded.chat()
    first = conversation.ask("which papers study reward models for RLHF?")
    answer = conversation.ask("which of those use RL?")
    says_rl = re.compile(r"\bRL|reinforcement learning", re.IGNORECASE)
    expected = {
        c.paper.title
        for c in first.citations
        if says_rl.search(f"{c.paper.title} {c.paper.abstract}")
    }
    assert 0 < len(expected) < len(first.citations)  # the question filters: some, not all
    assert {c.paper.title for c in answer.citations} == expected
    count = f"{len(expected)} of the {len(first.citations)} papers above"
    assert answer.text.startswith(f"{count} mention RL:")
    # listed one line each, quoting where each paper mentions RL (it quoted the LoRA
    # paper's budget, in paragraphs)
    lines = [line for line in answer.text.splitlines() if line.startswith("- ")]
    assert len(lines) == len(expected)
    assert all(says_rl.search(line) for line in lines), lines


def test_a_follow_up_on_a_named_reference_the_abstract_lacks_says_so(seeded):
    conversation = seeded.chat()
    first = conversation.ask(REFUSAL)
    answer = conversation.ask("what does [1] say about protein folding?")
    assert answer.citations == []  # so the text names the paper rather than citing "[1]"
    name = short_title(first.citations[0].paper.title)
    assert answer.text == f"The abstract of *{name}* does not mention protein folding."
    pointed = conversation.ask("which of those study protein folding (see [1])?")
    assert pointed.text == answer.text


def test_follow_ups_that_refer_to_nothing_or_ask_nothing_say_so(seeded):
    conversation = seeded.chat()
    with pytest.raises(InputError, match=r"\[2\] refers to no paper"):
        conversation.ask("tell me more about [2]")
    first = conversation.ask(REFUSAL)
    count = len(first.citations)
    with pytest.raises(InputError, match=rf"\[99\] is not a reference .* it has {count}"):
        conversation.ask("what does [99] find?")
    for vague_question in ("which of those?", "which of those use it?"):
        vague = conversation.ask(vague_question)
        assert vague.citations == [] and vague.text.startswith(
            f"Ask what you want to know about the {count} papers above"
        )
    assert len(conversation.turns) == 3  # the refused questions left no turn
    both = conversation.ask("compare [1] and [2]")  # no property: both papers, described
    assert [c.paper for c in both.citations] == [c.paper for c in first.citations[:2]]


def test_a_new_question_with_a_pronoun_searches_the_whole_collection(seeded):
    conversation = seeded.chat()
    first = conversation.ask("which papers study jailbreaks?")
    answer = conversation.ask("how do language models detect their own hallucinations?")
    cited = {c.paper.paper_id for c in answer.citations}
    assert cited and not cited <= {c.paper.paper_id for c in first.citations}
    assert not answer.text.startswith("None of")


def test_a_negated_follow_up_cites_the_papers_without_the_property(seeded):
    conversation = seeded.chat()
    first = conversation.ask("which papers study reward models for RLHF?")
    says_rl = re.compile(r"\bRL|reinforcement learning", re.IGNORECASE)
    without = {
        c.paper.title
        for c in first.citations
        if not says_rl.search(f"{c.paper.title} {c.paper.abstract}")
    }
    assert 0 < len(without) < len(first.citations)
    answer = conversation.ask("which of those don't use RL?")
    assert {c.paper.title for c in answer.citations} == without
    total = len(first.citations)
    verb = "does not" if len(without) == 1 else "do not"
    assert answer.text.startswith(f"{len(without)} of the {total} papers above {verb} mention RL:")


def test_follow_ups_by_place_year_or_overview(seeded):
    conversation = seeded.chat()
    first = conversation.ask("which papers study the reversal curse?")
    second = conversation.ask("tell me more about the second one")
    assert [c.paper for c in second.citations] == [first.citations[1].paper]
    conversation.turns.pop()
    year = next(c.paper.year for c in first.citations if c.paper.year)
    dated = conversation.ask(f"which of those are from {year}?")
    expected = [c.paper for c in first.citations if c.paper.year == year]
    assert [c.paper for c in dated.citations] == expected
    assert f"above {'is' if len(expected) == 1 else 'are'} from {year}:" in dated.text
    conversation.turns.pop()
    overview = conversation.ask("what does [1] find?")
    assert [c.paper for c in overview.citations] == [first.citations[0].paper]


def test_those_after_an_answer_that_cited_nothing_refers_to_nothing(seeded):
    conversation = seeded.chat()
    conversation.ask("which papers study jailbreaks?")
    off = conversation.ask("what is the capital of France?")
    assert off.abstained and conversation.last is None
    with pytest.raises(InputError, match="refers to no papers"):
        conversation.ask("which of those use RL?")


def test_thanks_between_an_answer_and_its_follow_up_is_passed_over(seeded):
    """ "thanks!" wiped the last answer: "which of those ...?" then referred to nothing."""
    conversation = seeded.chat()
    first = conversation.ask("which papers study over-refusal?")
    thanks = conversation.ask("thanks!")
    assert conversation.last is first and thanks.text.startswith("Glad to help.")
    follow_up = conversation.ask("which of those introduce a benchmark?")
    cited = {c.paper.paper_id for c in follow_up.citations}
    assert cited and cited <= {c.paper.paper_id for c in first.citations}


def test_a_question_in_another_language_leaves_the_references_as_they_were(seeded):
    """ "welche davon verwenden RL?" got the English-only reply and wiped the last
    answer: "which of those use RL?" then referred to nothing."""
    conversation = seeded.chat()
    first = conversation.ask("which papers study over-refusal?")
    foreign = conversation.ask("welche davon verwenden RL?")
    assert foreign.abstained and conversation.last is first
    assert "papers above" in conversation.ask("which of those use RL?").text


def test_one_word_the_collection_never_uses_leaves_the_references_as_they_were(seeded):
    """ "danke" abstained as an unknown concept and wiped the last answer."""
    conversation = seeded.chat()
    first = conversation.ask("which papers study over-refusal?")
    for word in ("danke", "wow!"):
        assert conversation.ask(word).abstained and conversation.last is first
    assert "papers above" in conversation.ask("which of those use RL?").text


def test_a_conversation_can_stay_offline_with_an_llm_configured(seeded_dir):
    server = FakeOpenAIServer()
    with server as fake:
        settings = Settings(data_dir=seeded_dir, openai_base_url=server.base_url)
        conversation = Assistant(settings).chat(llm=False)
        first = conversation.ask(REFUSAL)
        follow_up = conversation.ask("which of those build an evaluation benchmark?")
        assert (first.mode, follow_up.mode) == ("extractive", "extractive")
        assert follow_up.rewritten is None and fake.requests == []


def test_llm_follow_ups_are_rewritten_into_standalone_questions(seeded_dir):
    server = FakeOpenAIServer()
    with server as fake:
        settings = Settings(
            data_dir=seeded_dir, openai_base_url=server.base_url, llm_model="test-model"
        )
        conversation = Assistant(settings).chat()
        fake.script(Reply("Refusal tokens calibrate refusals [1]; see also [2][3][4][5][6][7]."))
        conversation.ask(REFUSAL)
        first = conversation.last
        rewritten = "Which papers on over-refusal build an evaluation benchmark?"
        fake.script(Reply(rewritten), Reply("One paper builds a benchmark [1]."))
        answer = conversation.ask("which of those build a benchmark?")
        condense, final = fake.chat_requests()[1:]
        prompt = condense.body["messages"][-1]["content"]
        assert (
            "which of those build a benchmark?" in prompt and "Refusal tokens calibrate" in prompt
        )
        assert "[1] " in prompt  # the papers of the last answer are listed
        assert answer.rewritten == rewritten
        evidence = final.body["messages"][-1]["content"]
        assert rewritten in evidence
        # the evidence: the papers of the last answer whose abstract mentions a benchmark
        mentioning = [c.paper for c in first.citations if "benchmark" in c.paper.abstract.lower()]
        assert 0 < len(mentioning) < len(first.citations)
        for c in first.citations:
            assert (c.paper.title in evidence) == (c.paper in mentioning)
        assert answer.to_dict()["rewritten_question"] == answer.rewritten
        # none of the papers mentions it: said without asking the model to answer
        fake.script(Reply("Which papers on over-refusal study protein folding?"))
        none = conversation.ask("which of those study protein folding?")
        assert none.citations == [] and len(fake.chat_requests()) == 4
        assert len(answer.citations) == 1  # "those" is the last answer's one paper
        assert none.text == "The paper above does not mention protein folding."


def chat_env(data_dir: Path, extra_env: dict | None = None) -> dict:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir), "PROMPT_TOOLKIT_NO_CPR": "1"}
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        env.pop(name, None)
    env.update(extra_env or {})
    return env


def test_chat_in_a_terminal(seeded_dir: Path, tmp_path: Path):
    saved = tmp_path / "conversation.md"
    with in_terminal(["chat"], chat_env(seeded_dir)) as child:
        child.expect("Ctrl-D to leave")
        child.expect("ask>")
        child.sendline("/sources")
        child.expect("No answer has references yet.")
        child.expect("ask>")
        child.sendline(REFUSAL)
        child.expect("References")
        child.expect("ask>")
        cited = set(re.findall(r"\[(\d+)\] [A-Z]", child.before))
        child.sendline("which of those build an evaluation benchmark?")  # filters the answer
        child.expect("References")
        child.expect("ask>")
        narrowed = set(re.findall(r"\[(\d+)\] [A-Z]", child.before))
        assert narrowed and len(narrowed) < len(cited)
        child.sendline("which of those study protein folding?")
        child.expect(r"None of the \d+ papers above mentions protein folding")
        child.expect("ask>")
        child.sendline(REFUSAL)
        child.expect("References")
        child.expect("ask>")
        child.sendline("tell me more about [1]")
        child.expect("References")
        child.expect("ask>")
        child.sendline("/paper 1")
        child.expect("Refusal")  # the abstract of reference 1 of the last answer
        child.expect("ask>")
        child.sendline(f"/save {saved}")
        child.expect("Saved 5 questions")
        child.expect("ask>")
        child.sendline(f"/save {saved}")  # the file exists now: asked before overwriting
        child.expect(r"exists. Overwrite it\? \[y/N\]")
        child.sendline("n")
        child.expect("Not saved")
        child.expect("ask>")
        child.sendline(f"/save {saved}")
        child.expect(r"Overwrite it\?")
        child.sendline("y")
        child.expect("Saved 5 questions")
        child.expect("ask>")
        child.sendline("/sources")  # the last answer cited one paper: [1] and only [1]
        child.expect(r"\[1\] ")
        child.expect("ask>")
        assert "[2]" not in child.before
        child.sendline("/paper")
        child.expect("Usage: /paper N, with N from 1 to 1")
        child.expect("ask>")
        child.sendline("/paper 9")
        child.expect("Usage: /paper N")
        child.expect("ask>")
        child.sendline("/paper -1")  # a usage line, not the end of the chat
        child.expect("Usage: /paper N")
        child.expect("ask>")
        child.sendline("which papers study protein folding in yeast?")  # cites nothing
        child.expect("do not cover")
        child.expect("ask>")
        child.sendline("/sources")  # not "yet": an answer came, and it cites nothing
        child.expect("The last answer cites no papers.")
        child.expect("ask>")
        for unwritable in (tmp_path, tmp_path / ("x" * 300), "~no_such_user_xyz/a.md"):
            child.sendline(f"/save {unwritable}")  # said, and the chat goes on
            child.expect("Cannot write")
            child.expect("ask>")
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    assert child.exitstatus == 0
    text = saved.read_text(encoding="utf-8")
    assert text.count("## ") == 5 and "**References**" in text and "[1]" in text
    assert (seeded_dir / "chat_history").read_text(encoding="utf-8").count(REFUSAL) == 2


def test_ctrl_c_stops_a_long_answer_without_leaving(seeded_dir: Path):
    server = FakeOpenAIServer()
    never = threading.Event()
    with server as fake:
        fake.script(Reply(chunks=["Refusal is studied ", "STARTED here ", "never sent [1]."],
                          wait_for=never))  # fmt: skip
        env = chat_env(
            seeded_dir, {"OPENAI_BASE_URL": server.base_url, "ASSISTANT_LLM_MODEL": "test-model"}
        )
        with in_terminal(["chat"], env, on_exit=never.set) as child:
            child.expect("LLM answers")
            child.expect("ask>")
            child.sendline(REFUSAL)
            child.expect("STARTED")
            child.sendcontrol("c")
            child.expect("interrupted")
            child.expect("ask>")
            child.sendline("/quit")
            child.expect(pexpect.EOF)
    assert child.exitstatus == 0


def test_new_questions_that_only_look_like_follow_ups_search_the_collection(seeded):
    conversation = seeded.chat()
    first = conversation.ask(REFUSAL)
    cited = {c.paper.paper_id for c in first.citations}
    for question in (
        "which of the papers in the collection study jailbreak attacks?",
        "Is it possible to detect hallucinations in language models?",
        "which papers study the same problem as MOSSBench?",
        "What is the first paper to propose a jailbreak benchmark?",
    ):
        answer = conversation.ask(question)
        assert not answer.text.startswith(("None of", "The abstract of")), question
        assert {c.paper.paper_id for c in answer.citations} - cited, question
        conversation.turns.pop()
    for follow_up in ("which of those work without process labels?", "do they use RL?"):
        answer = conversation.ask(follow_up)
        assert "do not mention" not in answer.text and not answer.text.startswith("All")
        conversation.turns.pop()


def test_an_ordinal_with_nothing_above_refers_to_nothing(seeded):
    with pytest.raises(InputError, match="refers to no paper"):
        seeded.chat().ask("tell me more about the second one")


def test_a_year_or_author_follow_up_says_when_the_papers_lack_the_metadata(seeded):
    conversation = seeded.chat()
    conversation.ask(REFUSAL)  # the seeds record no author names
    answer = conversation.ask("which of them are by Smith?")
    assert answer.text == "No paper above records its author names." and not answer.citations


def test_a_follow_up_for_a_kind_of_paper_lists_those_of_that_kind(seeded):
    """ "which of those introduce a dataset?" matched the word: it cited a paper that
    trains "in a given dataset" and missed RMCBench."""
    from assistant.corpus.contribution import BENCHMARK, contribution

    conversation = seeded.chat()
    first = conversation.ask(REFUSAL)
    answer = conversation.ask("which of those introduce a dataset?")
    expected = [c.paper.title for c in first.citations if BENCHMARK in contribution(c.paper)]
    assert expected and [c.paper.title for c in answer.citations] == expected
    count = f"{len(expected)} of the {len(first.citations)} papers above"
    assert answer.text.startswith(f"{count} introduce a benchmark or dataset:")
    assert "To fill this gap" not in answer.text  # quoted without what it leans on
    none = conversation.ask("which of them are surveys?")
    assert none.citations == [] and none.text.endswith("papers above is a survey.")
    one = seeded.chat()
    one.ask(REFUSAL)
    single = one.ask("does [1] introduce a benchmark?")
    assert single.text.startswith("The paper above ")  # not "All 1 paper above"


def test_piped_chat_never_takes_a_question_for_a_yes(seeded_dir, tmp_path):
    saved = tmp_path / "kept.md"
    saved.write_text("mine\n", encoding="utf-8")
    questions = f"which papers study over-refusal?\n/save {saved}\nwhich of those use RL?\n/quit\n"
    result = run_cli("chat", "--no-llm", data_dir=seeded_dir, stdin=questions)
    assert result.returncode == 0, result.stderr
    assert "is left as it was" in result.stdout and saved.read_text() == "mine\n"
    assert "papers above" in result.stdout  # the follow-up was answered, not read as a yes


def test_typed_markup_and_a_papers_own_words_are_shown_as_written(seeded_dir):
    """An unknown command holding "[/]" ended the chat with a markup error, and /paper
    rendered the abstract as Markdown (its "[text](url)" became a hidden terminal link)."""
    lines = "which papers study over-refusal?\n/foo[/]\n/paper 1\n/sources\n/quit\n"
    result = run_cli("chat", "--no-llm", data_dir=seeded_dir, stdin=lines)
    assert result.returncode == 0, result.stderr
    assert "Unknown command /foo[/]; /help lists them." in result.stdout
    after = result.stdout.split("Unknown command")[1]
    assert "MOSSBench" in after and "**" not in after  # /paper and /sources still ran
