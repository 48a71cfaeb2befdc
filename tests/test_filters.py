"""Year and author filters: from the question and from options, through the CLI and the
notebook API, on a BibTeX corpus with years and authors (the Chroma server case is in
test_chroma_server.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.app import Assistant
from assistant.config import Settings
from assistant.errors import InputError
from assistant.filters import PaperFilter, from_question

from .conftest import run_cli

BIB = """
@article{smith2019refusal,
  title = {Measuring Refusal of Harmful Requests in Chat Models},
  author = {Smith, Jane and Doe, John},
  year = {2019},
  abstract = {We measure how often chat models refuse harmful requests and find that refusal
              rates vary widely across prompts and model sizes.}
}
@article{lee2021refusal,
  title = {Over-Refusal: When Safety Training Rejects Benign Prompts},
  author = {Lee, Min and Garcia, Ana},
  year = {2021},
  abstract = {Safety training makes models refuse benign prompts. We build a benchmark of
              harmless prompts that look harmful and measure over-refusal in chat models.}
}
@article{smith2023reward,
  title = {Reward Models for Reinforcement Learning from Human Feedback},
  author = {Smith, Jane},
  year = {2023},
  abstract = {We train reward models on human preference data and study how reward model
              errors propagate into policies trained with reinforcement learning.}
}
@article{kim2024refusal,
  title = {Calibrating Refusal with Steering Vectors},
  author = {Kim, Soo and Smith, Paul},
  year = {2024},
  abstract = {We steer model activations to calibrate refusal of harmful requests without
              retraining, reducing over-refusal on benign prompts.}
}
@article{park2024reward,
  title = {Process Reward Models without Step Labels},
  author = {Park, Ji},
  year = {2024},
  abstract = {We obtain process reward models from outcome labels and use them to rank
              reasoning steps, improving math accuracy.}
}
@article{nodate,
  title = {Refusal Tokens for Controllable Safety},
  author = {Nguyen, An},
  abstract = {We add refusal tokens to the vocabulary so that users can control refusal rates
              per category at inference time.}
}
"""


@pytest.fixture(scope="module")
def bib_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bib")
    (folder / "refs.bib").write_text(BIB, encoding="utf-8")
    data = folder / "data"
    result = run_cli("index", str(folder / "refs.bib"), "--collection", "bibs", data_dir=data)
    assert result.returncode == 0, result.stderr
    return data


def test_filters_are_read_from_the_question():
    cases = {
        "papers from 2023 about role-play": (PaperFilter(2023, 2023), "papers about role-play"),
        "refusal since 2024": (PaperFilter(since=2024), "refusal"),
        "papers from 2023 or 2024 about refusal": (PaperFilter(2023, 2024), "papers about refusal"),
        "papers published in 2022 and 2023": (PaperFilter(2022, 2023), "papers"),
        "jailbreaks before 2020?": (PaperFilter(until=2019), "jailbreaks ?"),
        "reward models between 2019 and 2021": (PaperFilter(2019, 2021), "reward models"),
        "papers by Smith on refusal": (PaperFilter(author="Smith"), "papers on refusal"),
        "which papers study refusal?": (PaperFilter(), "which papers study refusal?"),
        "work published in 2022 on refusal": (PaperFilter(2022, 2022), "work on refusal"),
        # a year that is content, not a filter (a SciFact claim)
        "30 million cases of pneumonia in 2010.": (
            PaperFilter(),
            "30 million cases of pneumonia in 2010.",
        ),
    }
    for question, expected in cases.items():
        assert from_question(question) == expected, question
    with pytest.raises(InputError, match="after --until"):
        PaperFilter(since=2024, until=2020)


def test_search_with_options_through_the_cli(bib_dir: Path):
    result = run_cli("search", "refusal", "--since", "2021", "--json", "--collection", "bibs",
                     data_dir=bib_dir)  # fmt: skip
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    years = [r["year"] for r in payload["results"]]
    assert years and all(year >= 2021 for year in years)
    assert payload["note"] == ("Only papers from 2021 on: 4 of 6 (1 has no year and is left out).")
    by_smith = run_cli("search", "refusal", "--author", "smith", "--json", "--collection",
                       "bibs", data_dir=bib_dir)  # fmt: skip
    authors = [r["authors"] for r in json.loads(by_smith.stdout)["results"]]
    assert authors and all(any("Smith" in name for name in names) for names in authors)


def test_ask_reads_the_year_in_the_question(bib_dir: Path):
    result = run_cli("ask", "--json", "papers from 2021 about refusal", "--collection", "bibs",
                     data_dir=bib_dir)  # fmt: skip
    payload = json.loads(result.stdout)
    assert payload["answer"].startswith("_Only papers from 2021: 1 of 6")
    assert [c["year"] for c in payload["citations"]] == [2021]


def test_the_notebook_api_takes_the_same_filters(bib_dir: Path):
    assistant = Assistant(Settings(data_dir=bib_dir, collection="bibs"))
    answer = assistant.ask("which papers study refusal?", author="Smith", until=2020)
    assert [c.paper.title for c in answer.citations] == [
        "Measuring Refusal of Harmful Requests in Chat Models"
    ]
    nothing = assistant.ask("which papers study refusal?", since=2030)
    assert nothing.abstained and nothing.citations == []
    assert "Only papers from 2030 on: 0 of 6" in nothing.text
    # the filter left nothing, not the topic: it said "no paper is close enough to refusal"
    assert nothing.text.endswith(
        "No indexed paper passes this filter: widen it, or ask without it."
    )
    # a filter with no topic lists what it selects (it answered "Ask about a topic")
    listed = assistant.ask("Which papers were published in 2024?")
    assert not listed.abstained and "2 papers pass the filter:" in listed.text
    assert [c.paper.year for c in listed.citations] == [2024, 2024]
    # not for a follow-up or an exclusion: those ask about other papers
    excluded = assistant.ask("Which papers are from 2024 but not about reward models?")
    assert "Process Reward Models without Step Labels" not in {
        c.paper.title for c in excluded.citations
    }
    ranking = assistant.search("reward models", since=2024)
    assert [hit.paper.year for hit in ranking.hits] == [2024, 2024]
    assert ranking.hits[0].paper.title == "Process Reward Models without Step Labels"


def test_a_filter_no_paper_can_match_is_not_applied(seeded):
    """The seeds record no author names: 'papers by Smith' searches the words instead of
    returning nothing, and says why."""
    ranking = seeded.search("papers by Smith on over-refusal", k=3)
    assert len(ranking.hits) == 3
    assert ranking.note.startswith("No indexed paper records its author names")
    narrowed = seeded.search("over-refusal", k=3, author="Smith")  # asked for explicitly
    assert narrowed.hits == [] and "Only papers by an author named Smith" in narrowed.note


def test_a_question_may_bound_the_years_from_both_sides_but_not_past_each_other():
    assert from_question("papers about refusal since 2020 before 2024") == (
        PaperFilter(since=2020, until=2023),
        "papers about refusal",
    )
    with pytest.raises(InputError, match="no year is both"):
        from_question("papers about refusal since 2025 before 2020")


def test_year_options_replace_the_bounds_the_question_states():
    """ "papers from 2019" with --since 2024 failed: "--since 2024 is after --until 2019",
    though no --until was given."""
    stated, _ = from_question("papers from 2019 about refusal")
    assert stated.merged(PaperFilter(since=2024)) == PaperFilter(since=2024)
    stated, _ = from_question("papers about refusal since 2020")
    assert stated.merged(PaperFilter(until=2023)) == PaperFilter(since=2020, until=2023)


def test_a_filter_narrows_the_decision_on_the_whole_collection(seeded):
    """Judged among the few papers a filter admits, the best of a poor lot looked relevant:
    "red teaming since 2023" cited a paper on team composition in multi-agent RL."""
    everything = {c.paper.paper_id for c in seeded.ask("red teaming").citations}
    since = seeded.ask("red teaming", since=2023)
    assert everything and {c.paper.paper_id for c in since.citations} <= everything
    assert all(c.paper.year and c.paper.year >= 2023 for c in since.citations)
    if since.abstained:  # the filter holds nothing on it, not the collection
        assert "that pass the filter is about red teaming." in since.text


def test_a_filter_that_admits_papers_on_other_topics_says_so(seeded):
    """It said "no paper in the collection is close enough to refusal", which the
    collection's many refusal papers belie: none of those the filter admits is."""
    answer = seeded.ask("papers on refusal from 2024")
    assert answer.abstained and answer.citations == []
    assert answer.text.endswith("No paper among the 1 that pass the filter is about refusal.")


def test_an_empty_author_is_refused_not_ignored(seeded, seeded_dir: Path):
    with pytest.raises(InputError, match="the author is empty"):
        seeded.search("refusal", author=" ")
    result = run_cli("ask", "refusal", "--author", "", data_dir=seeded_dir)
    assert result.returncode != 0 and result.stdout == ""
    assert result.stderr.strip() == (
        "error: the author is empty; give (part of) an author's name, e.g. Smith"
    )


def test_an_author_is_found_written_surname_first():
    """BibTeX stores "Levine, Sergey": "papers by Sergey Levine" found 0 of 8."""
    from assistant.corpus.paper import Paper

    paper = Paper(title="T", abstract="A.", source="t", authors=["Levine, Sergey", "Kober, J."])
    for name in ("Sergey Levine", "Levine", "Sergey", "Kober"):
        assert PaperFilter(author=name).admits(paper), name
    assert not PaperFilter(author="Smith").admits(paper)
