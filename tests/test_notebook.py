"""The notebook helper: rich display, BibTeX, and the example notebook executed headlessly."""

from __future__ import annotations

import re
from pathlib import Path

import bibtexparser
import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "quickstart.ipynb"


def test_answers_and_rankings_display_richly(seeded):
    answer = seeded.ask("Which papers study reward models for RLHF?")
    html = answer._repr_html_()
    anchor = re.search(r'id="(ref-\w+)-1"', html).group(1)  # unique to this answer
    assert f'<a href="#{anchor}-1">1</a>' in html
    assert anchor not in seeded.ask("which papers study over-refusal?")._repr_html_()
    assert html.count("<li>") == len(answer.citations)  # one list item per cited paper
    assert "<em>Quoted from the abstracts" in html and "_Quoted" not in html
    assert answer._repr_markdown_() == answer.to_markdown() == str(answer)
    assert answer.sources and answer.sources[0].paper.title
    ranking = seeded.search("persuasion", k=3)
    assert str(ranking).splitlines()[1].startswith("  1. ") and "Paper(" not in str(ranking)
    table = ranking._repr_html_()
    assert table.count("<tr>") == 4 and "Teaching Models to Balance" in table
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install pandas"):
            ranking.to_dataframe()
    else:
        columns = list(ranking.to_dataframe().columns)
        assert columns == ["paper_id", "title", "score", "snippet", "year", "authors"]


def test_only_web_links_become_links():
    from assistant.answer.model import Citation
    from assistant.corpus.paper import Paper
    from assistant.notebook import answer_html

    def paper(url: str) -> Paper:
        return Paper(title="T", abstract="A", source="test", urls=[url], paper_id=url)

    shown = answer_html("X [1] [2].", [Citation(1, paper("javascript:alert(1)")),
                                        Citation(2, paper("https://example.org/p"))])  # fmt: skip
    assert 'href="javascript' not in shown and 'href="https://example.org/p"' in shown


def test_asking_of_papers_the_index_lacks_is_an_error(seeded):
    from assistant.errors import InputError

    with pytest.raises(InputError, match="no indexed paper has the id 'abc'"):
        seeded.ask("which of those use RL?", only=["abc"])


def test_answer_bibtex_parses(seeded):
    answer = seeded.ask("Which papers study reward models for RLHF?")
    library = bibtexparser.parse_string(answer.to_bibtex())
    assert not library.failed_blocks
    assert len(library.entries) == len(answer.citations)


def test_the_quickstart_notebook_runs_headlessly(seeded_dir, monkeypatch):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(seeded_dir))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    outputs = [cell.get("outputs", []) for cell in notebook.cells if cell.cell_type == "code"]
    assert not [o for cell in outputs for o in cell if o.get("output_type") == "error"]
    rich = [o["data"] for cell in outputs for o in cell if "data" in o]
    htmls = [d["text/html"] for d in rich if "text/html" in d]
    assert any("<table>" in h and "Teaching Models to Balance" in h for h in htmls)
    assert any(re.search(r'href="#ref-\w+-1"', h) for h in htmls)
    printed = "".join(o.get("text", "") for cell in outputs for o in cell)
    assert "@misc{" in printed and "\\cite{" in printed


def test_asking_for_the_llm_with_none_configured_says_so(seeded_dir, monkeypatch):
    """ask(llm=True) with no key and no endpoint tried the public OpenAI API, retrying,
    then failed to connect."""
    from assistant import Assistant
    from assistant.config import Settings
    from assistant.errors import InputError

    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    assistant = Assistant(Settings(data_dir=seeded_dir))
    with pytest.raises(InputError, match="no LLM is configured"):
        assistant.ask("which papers study over-refusal?", llm=True)
    assert not assistant.ask("which papers study over-refusal?", llm=False).abstained


def test_wrong_arguments_to_the_api_get_input_errors(seeded):
    """Raw TypeErrors (follow_up=5, describe(q, None), sentences="x"), an empty answer
    marked as not abstained (describe(q, [])), and to_dict("html") accepted."""
    from assistant.errors import InputError

    papers = seeded.papers()[:2]
    calls = {
        "follow-up must be text": lambda: seeded.ask("which papers study RL?", follow_up=5),
        "non-empty list of Paper": lambda: seeded.describe("more?", None),
        "non-empty list": lambda: seeded.describe("more?", []),
        "sentences must be a whole number": lambda: seeded.describe("x", papers, sentences="x"),
        "sentences must be at least 1": lambda: seeded.describe("x", papers, sentences=0),
        "fmt must be": lambda: seeded.related_work("jailbreaks").to_dict("html"),
    }
    for message, call in calls.items():
        with pytest.raises(InputError, match=message):
            call()
