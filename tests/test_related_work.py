"""Related-work drafts: themes, citations, LaTeX with matching BibTeX, abstention."""

from __future__ import annotations

import json
import re
from pathlib import Path

import bibtexparser

from assistant.answer.model import CANNOT_ANSWER
from assistant.corpus.contribution import BENCHMARK, METHOD, contribution
from assistant.related_work import latex_escape
from assistant.writing.phrases import topic_heading

from .conftest import run_cli
from .fake_openai import FakeOpenAIServer, Reply

TOPIC = "refusal behaviour of aligned language models"


GOLD_TOPICS = [
    json.loads(line)
    for line in (Path(__file__).parents[1] / "eval" / "related_work_topics.jsonl")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip()
]


def test_offline_drafts_against_exhaustive_gold_lists(seeded):
    """Every topic of eval/related_work_topics.jsonl: citations checked against its gold
    and acceptable papers, themes against the citations. The floors are what the relevance
    decision reaches today (see BENCHMARKS.md), so that a change that loses papers fails."""
    coverage, on_topic = [], []
    for topic in GOLD_TOPICS:
        draft = seeded.related_work(topic["topic"])
        assert not draft.abstained and draft.mode == "extractive"
        cited = [c.paper.title for c in draft.citations]
        gold, fitting = set(topic["gold"]), set(topic["gold"]) | set(topic["acceptable"])
        coverage.append(len(gold & set(cited)) / len(gold))
        on_topic.append(sum(t in fitting for t in cited) / len(cited))
        in_themes = [p.paper.title for theme in draft.themes for p in theme.papers]
        assert sorted(in_themes) == sorted(cited)  # each cited paper in exactly one theme
        heading = topic_heading(topic["topic"])
        for theme in draft.themes:
            assert not theme.name.lower().startswith("theme ")
            if len(draft.themes) == 1 and heading:  # one theme: headed by the topic itself
                assert theme.name.lower() == heading.lower()
            else:  # a noun phrase, not two words glued together
                assert " and " not in theme.name
            assert f"**{theme.name}.** " in draft.text
        numbers = {int(n) for n in re.findall(r"\[(\d+)\]", draft.text)}
        assert numbers == {c.n for c in draft.citations}
        for paragraph in draft.text.split("\n\n"):
            assert not re.search(r"\b(?:Similarly|Likewise|Along the same lines),", paragraph)
            assert "reports that" not in paragraph
    assert sum(coverage) / len(coverage) >= 0.9, coverage
    assert sum(on_topic) / len(on_topic) >= 0.9, on_topic


def test_latex_escapes_what_pdflatex_would_misprint():
    text = 'rates (43% vs. < 1%) of GPT\u20122 for "alignment"'
    assert latex_escape(text) == r"rates (43\% vs. \textless{} 1\%) of GPT-2 for ``alignment''"
    nested = "\"composer of 'Abyssal Melodies'\" in the models' outputs"
    assert latex_escape(nested) == r"``composer of `Abyssal Melodies'\,'' in the models' outputs"


def test_latex_and_bibtex_of_a_draft_match(seeded):
    draft = seeded.related_work(TOPIC)
    latex = draft.to_latex()
    cited_keys = {k for group in re.findall(r"\\cite\{([^}]+)\}", latex) for k in group.split(",")}
    library = bibtexparser.parse_string(draft.to_bibtex())
    assert not library.failed_blocks
    assert cited_keys == {entry.key for entry in library.entries}
    assert "\\paragraph{" in latex and "[1]" not in latex


def test_words_are_honoured_within_15_percent(seeded):
    full = seeded.related_work(TOPIC, words=250)
    assert 0.85 * 250 <= len(full.text.split()) <= 1.15 * 250
    short = seeded.related_work(TOPIC, words=80)
    assert len(short.text.split()) <= 1.15 * 80
    assert all(theme.papers for theme in short.themes)
    assert len(short.citations) < len(full.citations)
    assert any("left out" in w and "--words" in w for w in short.warnings)
    capped = seeded.related_work(TOPIC, max_papers=2)
    assert len(capped.citations) == 2


def test_an_uncovered_topic_gets_a_plain_statement(seeded):
    draft = seeded.related_work("graph neural networks for molecule generation")
    cannot = CANNOT_ANSWER.replace("question", "topic")  # a topic, not a question
    assert draft.abstained and draft.text.startswith(cannot) and draft.citations == []


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


def _llm(seeded_dir, server, **settings):
    from assistant.app import Assistant
    from assistant.config import Settings

    return Assistant(
        Settings(data_dir=seeded_dir, openai_base_url=server.base_url, llm_model="m", **settings)
    )


def test_llm_writes_one_checked_paragraph_per_theme_of_the_outline(seeded, seeded_dir):
    topic = TOPIC  # a topic the seeds split into several themes
    outline = seeded.related_work(topic, words=2000, llm=False).themes
    assert len(outline) >= 2  # the test is about stitching paragraphs together
    server = FakeOpenAIServer()
    with server as fake:
        fake.script(Reply("**A heading the model added**\nWork A studies refusals [2]. "
                            "Work B invents [77]. Work C agrees [1, 2]."))  # fmt: skip
        draft = _llm(seeded_dir, server).related_work(topic, words=2000)
        requests = fake.chat_requests()
    assert draft.mode == "llm"
    assert len(requests) == len(outline)  # the outline first, then one call per theme
    for request, theme in zip(requests, outline, strict=True):
        user = request.body["messages"][-1]["content"]
        assert f"Theme of this paragraph: {theme.name}" in user
        for paper in theme.papers:
            assert paper.paper.title in user
    paragraphs = draft.text.split("\n\n")
    assert [p.split(".**")[0] for p in paragraphs] == [f"**{t.name}" for t in outline]
    assert "heading the model added" not in draft.text and "[77]" not in draft.text
    assert any("[77]" in w for w in draft.warnings)
    # numbers run across the paragraphs in order of first use: [2] then [1] of each theme
    assert paragraphs[0].endswith("refusals [1]. Work B invents. Work C agrees [1, 2].")
    assert paragraphs[1].endswith("refusals [3]. Work B invents. Work C agrees [3, 4].")
    assert [c.n for c in draft.citations] == list(range(1, 2 * len(outline) + 1))
    assert draft.citations[0].paper == outline[0].papers[1].paper
    uncited = sum(len(t.papers) for t in outline) - 2 * len(outline)
    left = [w for w in draft.warnings if f"leaves {uncited} relevant" in w]
    assert bool(left) == (uncited > 0)
    assert not left or outline[0].papers[-1].paper.title in left[0]  # named
    assert any(w.endswith("of the 2000 words asked for (--words)") for w in draft.warnings)
    assert "\\cite{" in draft.to_latex()


def test_an_llm_theme_the_model_declines_is_left_out_though_it_cites(seeded_dir):
    server = FakeOpenAIServer()
    with server as fake:
        fake.script(Reply(f"{CANNOT_ANSWER} But see [1]."))
        draft = _llm(seeded_dir, server).related_work(TOPIC)
    assert draft.abstained and draft.citations == []
    assert any("yet pointed at 1 of them (not cited): " in w for w in draft.warnings)


def test_llm_draft_support_check(seeded, seeded_dir, tmp_path):
    topic = GOLD_TOPICS[0]["topic"]
    old_prompt = tmp_path / "prompts" / "related_work_user.txt"  # the template before themes
    old_prompt.parent.mkdir()
    old_prompt.write_text("{evidence} {topic} {words}", encoding="utf-8")
    themes = len(seeded.related_work(topic, words=2000, llm=False).themes)
    paragraph = Reply("Refusal is studied [1]. Quantum chromodynamics explains spin [2].")
    verdicts = Reply('[{"n": 1, "supported": true, "reason": "stated"}, '
                     '{"n": 2, "supported": true, "reason": "stated"}]')  # fmt: skip
    server = FakeOpenAIServer()
    with server as fake:
        fake.script(*[paragraph] * themes, verdicts)
        draft = _llm(seeded_dir, server, verify=True, prompts_dir=old_prompt.parent).related_work(
            topic, words=2000
        )
    payload = draft.to_dict()
    assert len(payload["support"]) == 2 * themes
    assert payload["support"][1]["supported"] is False  # the term guard overrules the model
    assert "spin [2]. *(not supported" in draft.text
    assert any("not supported" in w for w in draft.warnings)
    assert any("related_work_user.txt is no longer read" in w for w in draft.warnings)


def test_themes_have_two_papers_or_more_even_with_an_outlier():
    import numpy as np

    from assistant.corpus.paper import Paper
    from assistant.related_work import ScoredPaper
    from assistant.retrieval import PaperHit
    from assistant.writing.themes import cluster

    rng = np.random.default_rng(2)  # a seed where the silhouette alone isolates the outlier
    centres = rng.normal(size=(3, 16))
    points = [centres[i // 2] + 0.05 * rng.normal(size=16) for i in range(6)]
    points.append(rng.normal(size=16))  # close to no one
    papers, vectors = [], {}
    for i, point in enumerate(points):
        paper = Paper(title=f"Paper {i}", abstract="An abstract.", source="test")
        papers.append(ScoredPaper(PaperHit(paper, 1.0), relevance=1.0 - i / 10, sentences=[]))
        vectors[paper.paper_id] = point / np.linalg.norm(point)
    groups = cluster(papers, vectors, key=lambda p: p.paper.paper_id)
    assert len(groups) >= 2
    assert min(len(group) for group in groups) >= 2
    assert sorted(p.hit.paper.title for group in groups for p in group) == sorted(
        p.hit.paper.title for p in papers
    )


def test_a_group_whose_papers_share_no_phrase_is_no_theme(seeded):
    from assistant.writing.themes import name_themes

    texts = {
        "a1": ("Refusal training for chat models", "We study refusal training."),
        "a2": ("Refusal training generalises", "Refusal training fails on tenses."),
        "b1": ("Mixture of tunable experts", "Switching off experts changes behaviour."),
        "b2": ("Likelihood displacement", "Preference optimisation shifts probability mass."),
        "c1": ("Reward models from feedback", "Reward models score responses."),
    }
    groups = [["a1", "a2"], ["b1", "b2"], ["c1"]]
    themes = name_themes(groups, seeded.engine.bm25, texts.__getitem__, "refusal")
    assert len(themes) == 1 and sorted(themes[0].papers) == sorted(texts)
    assert themes[0].name == "Refusal"  # one theme: headed by the topic


def test_piped_warnings_are_one_line_each(seeded_dir: Path):
    result = run_cli(
        "related-work", "tool use", "--words", "100", data_dir=seeded_dir, env={"COLUMNS": "60"}
    )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 0 and lines, result.stderr
    assert all(line.startswith("warning: ") for line in lines), result.stderr
    assert any(len(line) > 60 for line in lines)  # not wrapped at the terminal's width


def test_short_drafts_explain_themselves_without_contradiction(seeded):
    for topic in ("tool use", "in-context learning", "jailbreak attacks", "hallucination"):
        draft = seeded.related_work(topic, words=100)
        left_out = any("left out" in w for w in draft.warnings)
        too_short = any("words asked for" in w for w in draft.warnings)
        assert not (left_out and too_short), (topic, draft.warnings)
    capped = seeded.related_work("hallucination", max_papers=1)
    assert any(w.startswith("--max-papers keeps 1 of the") for w in capped.warnings)
    filtered = seeded.related_work("hallucination", since=2100)
    assert filtered.abstained and filtered.citations == []
    assert filtered.text == "No paper among the 0 that pass the filter is about hallucination."


def test_topic_errors_and_usage_errors_are_one_line(seeded_dir: Path, tmp_path: Path):
    for args, expected in (
        (["related-work", ""], "error: the topic is empty; name one"),
        (["related-work", "hallucination", "--bib", ""], "error: --bib needs a file name"),
        (
            ["related-work", "hallucination", "--bib", str(tmp_path / "no" / "refs.bib")],
            f"error: cannot write {tmp_path / 'no' / 'refs.bib'}: no folder {tmp_path / 'no'}",
        ),
        (["related-work", "x", "--format", "bogus"], "error: Invalid value for '--format'"),
        (["related-work"], "error: Missing argument 'TOPIC'"),
        (["search", "x", "-k", "zero"], "error: Invalid value for '-k'"),
        (["search", "x", "--chroma-url", "http://127.0.0.1:0"], "error: Invalid value for"),
    ):
        result = run_cli(*args, data_dir=seeded_dir)
        assert result.returncode != 0 and result.stdout == "", args
        assert result.stderr.startswith(expected) and result.stderr.count("\n") == 1, result.stderr
    latex = run_cli("related-work", "protein folding", "--format", "latex", data_dir=seeded_dir)
    assert latex.returncode == 0 and latex.stdout.strip()
    assert all(line.startswith("%") for line in latex.stdout.splitlines())  # comments only


def test_a_bib_file_that_cannot_be_written_loses_no_draft(seeded_dir: Path, tmp_path: Path):
    """The draft (an LLM's, perhaps, paid for) is printed before the .bib file is written:
    a write that fails is an error after it, not instead of it."""
    result = run_cli("related-work", "hallucination", "--bib", "/dev/full", "--force",
                     data_dir=seeded_dir)  # fmt: skip
    assert result.returncode != 0 and "**References**" in result.stdout
    assert result.stderr.strip().splitlines()[-1].startswith("error: cannot write /dev/full")


def test_a_draft_covers_the_parts_of_its_topic_the_collection_has(seeded):
    """ "deception and dishonesty of AI systems": no abstract says "dishonesty", and the
    word the collection lacks led the draft to papers on AI systems, none on deception."""
    draft = seeded.related_work("deception and dishonesty of AI systems", words=120)
    assert not draft.abstained
    assert any('mentions "dishonesty": the draft covers the rest' in w for w in draft.warnings)
    deceptive = re.compile(r"\bdecepti|\bdeceiv", re.IGNORECASE)
    assert any(deceptive.search(c.paper.title + c.paper.abstract) for c in draft.citations)
    # an answer keeps the word: an unknown item is what marks a question off the collection
    assert seeded.ask("Compare pipeline, tensor and data parallelism").abstained


def test_a_draft_holds_its_head_concept_in_any_form_of_the_word(seeded):
    """ "failures of LLMs on ...": a paper whose models "fail" holds the head "failures"
    (Alice in Wonderland, judged on topic, was left out for lacking the noun)."""
    draft = seeded.related_work("failures of large language models on simple reasoning tasks")
    assert any(c.paper.title.startswith("Alice in Wonderland") for c in draft.citations)


def test_a_draft_on_a_compound_cites_the_papers_that_use_it(seeded):
    """ "multi-agent reinforcement learning": papers on language-model agents or on RL alone
    (Recursive Introspection, Iterative Nash Policy Optimization) are not on it."""
    draft = seeded.related_work("multi-agent reinforcement learning", words=150)
    compound = re.compile(r"\bmulti-?agent", re.IGNORECASE)
    assert len(draft.citations) >= 2
    assert all(compound.search(c.paper.title + " " + c.paper.abstract) for c in draft.citations)
    # a topic that names alternatives keeps the papers of each ("personas" lack "role-play")
    draft = seeded.related_work("role-play and personas in large language models", words=150)
    assert any("persona" in c.paper.title.lower() for c in draft.citations)


def test_a_theme_opens_with_what_its_papers_contribute(seeded):
    """Each paper's kind is what its authors propose: MOSSBench introduces a benchmark,
    DeRTa proposes a method; Auto-CEI was "an analysis" when the kind came from the verb of
    the sentence quoted ("compares Auto-CEI with ...")."""
    draft = seeded.related_work("over-refusal: language models refusing harmless requests")
    opening = draft.text.split("\n\n")[0]
    kinds = {c.n: contribution(c.paper) for c in draft.citations}
    said = dict(re.findall(r"(introduces? a benchmark|introduce benchmarks|propose[s]? "
                           r"(?:a method|methods)|is an analysis|are analyses) (\[[\d, ]+\])",
                           opening))  # fmt: skip
    assert len(said) > 1, opening
    for does, numbers in said.items():
        wanted = METHOD if "method" in does else BENCHMARK if "bench" in does else None
        for n in map(int, numbers.strip("[]").split(", ")):
            assert (wanted in kinds[n]) if wanted else not kinds[n] & {METHOD, BENCHMARK}
    automatic = next(c.n for c in draft.citations if c.paper.title.startswith("Automatic"))
    assert METHOD in kinds[automatic]
    # a method is contrasted with what came before it only where its sentence proposes it
    for contrasted in re.findall(r"In contrast to (?:these|this) \w+, ([^.]*)", opening):
        assert re.search(r"\b(?:propos|introduc|develop|present)", contrasted), contrasted


def test_a_draft_is_written_on_the_topic_as_its_slips_were_read(seeded):
    """The warning read "halucination" as "hallucination", but the heading and the theme
    opener repeated the slip."""
    draft = seeded.related_work("halucination and abstention in large languge models", llm=False)
    assert any("halucination" in w for w in draft.warnings)
    assert "halucin" not in draft.text.lower() and "languge" not in draft.text
    assert "allucination" in draft.text


def test_a_draft_sentence_names_no_thing_its_abstract_said_before_it(seeded):
    """ "RISE ... an approach for fine-tuning LLMs to introduce this capability" named a
    capability only the abstract's earlier sentence had said; the paper says more alone."""
    draft = seeded.related_work("LLM self-improvement and self-correction", llm=False)
    assert "Recursive Introspection" in draft.text
    assert "this capability" not in draft.text


def test_a_title_s_own_stars_and_underscores_are_text_in_every_format(tmp_path: Path):
    """ "Beyond A*" and "Q*" made LaTeX of "\\emph{Beyond A}\\emph{~\\cite{beyond} trains ...
    imitating A} search"; a title "**Bold** [link](http://evil.example)" rendered as markup
    in the markdown."""
    from assistant.app import Assistant
    from assistant.config import Settings

    corpus = tmp_path / "stars.jsonl"
    records = [
        ("Beyond A*: Better Planning with Transformers",
         "We train transformers to solve multi-step reasoning and planning by imitating A* "
         "search dynamics, reducing search steps."),
        ("Q*: Improving Multi-step Reasoning for LLMs with Deliberative Planning",
         "We propose Q*, a framework for multi-step reasoning that guides decoding."),
        ("The __init__ of reasoning: **Bold** [link](http://evil.example)",
         "We study multi-step reasoning in language models with chain of thought prompting."),
    ]  # fmt: skip
    corpus.write_text(
        "\n".join(json.dumps({"title": t, "abstract": a}) for t, a in records) + "\n",
        encoding="utf-8",
    )
    assistant = Assistant(Settings(data_dir=tmp_path / "d"))
    assistant.index([corpus])
    draft = assistant.related_work("multi-step reasoning", llm=False)
    latex = draft.to_latex()
    assert "\\emph{Beyond A*}" in latex and "imitating A* search" in latex
    assert "Q*~\\cite{q} is a framework" in latex and "\\_\\_init\\_\\_" in latex
    assert "\\emph{" not in latex.split("imitating")[1].split("is a framework")[0]
    markdown = draft.to_markdown()
    assert "\\*\\*Bold\\*\\* \\[link\\](http://evil.example)" in markdown
    html = draft._repr_html_()
    assert "<em>Beyond A*</em>" in html and "**Bold** [link]" in html


def test_the_shipped_examples_agree_with_each_other():
    """examples/ was left with an empty .tex and a .bib of another draft: the README's
    command stopped at the existing .bib (it now passes --force)."""
    examples = Path(__file__).parents[1] / "examples"
    tex = (examples / "refusal-related-work.tex").read_text(encoding="utf-8")
    bib = (examples / "refusal-related-work.bib").read_text(encoding="utf-8")
    markdown = (examples / "refusal-related-work.md").read_text(encoding="utf-8")
    cited = {key for keys in re.findall(r"\\cite\{([^}]*)\}", tex) for key in keys.split(",")}
    entries = set(re.findall(r"^@\w+\{([^,]+),", bib, re.MULTILINE))
    assert cited and cited == entries
    assert markdown.count("\n- [") == len(entries)  # one reference line per paper
