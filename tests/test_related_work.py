"""Related-work drafts: themes, citations, LaTeX with matching BibTeX, abstention."""

from __future__ import annotations

import json
import re
from pathlib import Path

import bibtexparser

from assistant.answer.model import CANNOT_ANSWER

from .conftest import run_cli
from .fake_openai import FakeOpenAIServer, Reply

TOPIC = "refusal behaviour of aligned language models"
ON_TOPIC = re.compile(r"refus|jailbr|safe|harm|align", re.IGNORECASE)


def test_offline_draft_meets_the_acceptance_bar(seeded, tmp_path: Path):
    draft = seeded.related_work(TOPIC)
    assert not draft.abstained and draft.mode == "extractive"
    assert len(draft.citations) >= 4
    assert len(draft.themes) >= 1
    on_topic = [
        c for c in draft.citations if ON_TOPIC.search(c.paper.title + " " + c.paper.abstract)
    ]
    assert len(on_topic) >= 0.8 * len(draft.citations), [c.paper.title for c in draft.citations]
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", draft.text)}
    assert numbers == {c.n for c in draft.citations}
    assert draft.text.count("**") == 2 * len(draft.themes)  # one bold theme name each
    latex = draft.to_latex()
    cited_keys = {k for group in re.findall(r"\\cite\{([^}]+)\}", latex) for k in group.split(",")}
    library = bibtexparser.parse_string(draft.to_bibtex())
    assert not library.failed_blocks
    assert cited_keys == {entry.key for entry in library.entries}
    assert "\\paragraph{" in latex and "[1]" not in latex


def test_words_bound_the_length(seeded):
    short = seeded.related_work(TOPIC, words=80)
    assert len(short.text.split()) <= 80 or len(short.citations) == 1
    assert all(theme.papers for theme in short.themes)
    assert len(short.citations) < len(seeded.related_work(TOPIC).citations)


def test_an_uncovered_topic_gets_a_plain_statement(seeded):
    draft = seeded.related_work("graph neural networks for molecule generation")
    assert draft.abstained and draft.text.startswith(CANNOT_ANSWER) and draft.citations == []


def test_cli_writes_latex_and_a_matching_bib(seeded_dir: Path, tmp_path: Path):
    bib = tmp_path / "refs.bib"
    result = run_cli(
        "related-work", TOPIC, "--format", "latex", "--bib", str(bib), data_dir=seeded_dir
    )
    assert result.returncode == 0, result.stderr
    cited = {
        k for group in re.findall(r"\\cite\{([^}]+)\}", result.stdout) for k in group.split(",")
    }
    entries = bibtexparser.parse_string(bib.read_text(encoding="utf-8")).entries
    assert cited and cited == {e.key for e in entries}
    for entry in entries:
        assert {"title", "abstract"} <= set(entry.fields_dict)
    markdown = run_cli("related-work", TOPIC, "--json", data_dir=seeded_dir)
    payload = json.loads(markdown.stdout)
    assert payload["format"] == "markdown" and len(payload["themes"]) >= 1
    assert all(c["key"] for c in payload["citations"])


def test_llm_draft_has_its_citations_checked(seeded_dir):
    from assistant.app import Assistant
    from assistant.config import Settings

    server = FakeOpenAIServer()
    with server as fake:
        fake.script(Reply("**Refusal.** Work A studies refusals [2]. Work B invents [77]. "
                          "Work C agrees [1, 2]."))  # fmt: skip
        draft = Assistant(
            Settings(data_dir=seeded_dir, openai_base_url=server.base_url, llm_model="m")
        ).related_work(TOPIC)
        system = fake.chat_requests()[0].body["messages"][0]["content"]
    assert draft.mode == "llm" and "themes" in system
    assert (
        draft.text
        == "**Refusal.** Work A studies refusals [1]. Work B invents. Work C agrees [1, 2]."
    )
    assert [c.n for c in draft.citations] == [1, 2]
    assert any("[77]" in w for w in draft.warnings)
    assert "\\cite{" in draft.to_latex()


def test_themes_have_two_papers_or_more_even_with_an_outlier():
    import numpy as np

    from assistant.corpus.paper import Paper
    from assistant.related_work import ScoredPaper, cluster
    from assistant.retrieval import PaperHit

    rng = np.random.default_rng(2)  # a seed where the silhouette alone isolates the outlier
    centres = rng.normal(size=(3, 16))
    points = [centres[i // 2] + 0.05 * rng.normal(size=16) for i in range(6)]
    points.append(rng.normal(size=16))  # close to no one
    papers, vectors = [], {}
    for i, point in enumerate(points):
        paper = Paper(title=f"Paper {i}", abstract="An abstract.", source="test")
        papers.append(ScoredPaper(PaperHit(paper, 1.0), relevance=1.0 - i / 10, sentences=[]))
        vectors[paper.paper_id] = point / np.linalg.norm(point)
    groups = cluster(papers, vectors)
    assert len(groups) >= 2
    assert min(len(group) for group in groups) >= 2
    assert sorted(p.hit.paper.title for group in groups for p in group) == sorted(
        p.hit.paper.title for p in papers
    )
