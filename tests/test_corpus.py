"""Both seed readers against the real seed files, and reading edge cases."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from assistant.corpus import bundled_seeds, read_corpus
from assistant.corpus.latex import decode_latex
from assistant.corpus.paper import paper_id_for
from assistant.corpus.text import repair_text
from assistant.corpus.title_split import split_title
from assistant.errors import CorpusError

from .conftest import SEEDS, two_papers_under_one_title

LINES_FILE = "000_4c8b980445e5c41b.txt"
BLOCKS_FILE = "002_399e102c5546f8bd.txt"


@pytest.fixture(scope="module")
def seed_papers():
    load = read_corpus([SEEDS])
    return load


def by_title(load):
    return {p.title: p for p in load.papers}


def test_bundled_seeds_are_found_and_hold_87_distinct_papers(seed_papers):
    assert bundled_seeds().resolve() == SEEDS.resolve()
    assert len(seed_papers.papers) == 87
    assert len({p.paper_id for p in seed_papers.papers}) == 87
    assert seed_papers.problems == []
    counts = {LINES_FILE: 0, BLOCKS_FILE: 0}
    for paper in seed_papers.papers:
        counts[paper.source] += 1
    assert counts == {LINES_FILE: 16, BLOCKS_FILE: 71}


@pytest.mark.parametrize(
    "title",
    [
        "Mitigating Gender Bias in Distilled Language Models via Counterfactual Role Reversal",
        "Role-Play with Large Language Models",
        "Bilinear relational structure fixes reversal curse and enables consistent model editing",
        "Technical Report: Large Language Models can Strategically Deceive their Users when "
        "Put Under Pressure",
        "Dichotomy of Control: Separating What You Can Control from What You Cannot",
        "Is the Reversal Curse a Binding Problem? Uncovering Limitations of Transformers from a "
        "Basic Generalization Failure",
        'The Reversal Curse: LLMs trained on "A is B" fail to learn "B is A"',
        "ClarifyDelphi: Reinforced Clarification Questions with Defeasibility Rewards for Social "
        "and Moral Situations",
    ],
)
def test_one_line_format_titles_are_exact(seed_papers, title):
    paper = by_title(seed_papers)[title]
    assert paper.source == LINES_FILE
    assert not paper.abstract.startswith(title)


@pytest.mark.parametrize(
    "title",
    [
        "Sequence to Sequence Reward Modeling: Improving RLHF by Language Feedback",
        "MOSSBench: Is Your Multimodal Language Model Oversensitive to Safe Queries?",
        "LLM The Genius Paradox: A Linguistic and Math Expert's Struggle with Simple Word-based "
        "Counting Problems",
        '"Sorry, Come Again?" Prompting -- Enhancing Comprehension and Diminishing Hallucination '
        "with [PAUSE]-injected Optimal Paraphrasing",
        "Iterative Nash Policy Optimization: Aligning LLMs with General Preferences via "
        "No-Regret Learning",
    ],
)
def test_block_format_titles_are_exact(seed_papers, title):
    assert by_title(seed_papers)[title].source == BLOCKS_FILE


def test_abstracts_are_full_and_free_of_listing_chrome(seed_papers):
    raw = (SEEDS / BLOCKS_FILE).read_text(encoding="utf-8")
    for paper in seed_papers.papers:
        assert len(paper.abstract) > 400, paper.title
        assert not re.search(r"\d+ authors? ·", paper.abstract)
        assert not re.search(r"x20[0-6][0-9a-f]", paper.abstract)
        assert paper.title not in {"Subscribe", "new", "Mar 14"}
        assert "Get trending papers" not in paper.title + paper.abstract
        if paper.source == BLOCKS_FILE:  # verbatim, but for LaTeX written as text ("\\%")
            assert paper.abstract in decode_latex(" ".join(raw.split()))
    titles = by_title(seed_papers)
    last = titles['The Reversal Curse: LLMs trained on "A is B" fail to learn "B is A"']
    assert last.abstract.endswith("https://github.com/lukasberglund/reversal_curse.")


def test_listing_fields_are_parsed(seed_papers):
    titles = by_title(seed_papers)
    gender = titles[
        "Mitigating Gender Bias in Distilled Language Models via Counterfactual Role Reversal"
    ]
    assert (gender.authors, gender.date, gender.year, gender.upvotes) == (
        10,
        "Mar 23, 2022",
        2022,
        None,
    )
    assert "role reversal—modifying" in gender.abstract  # x2014 repaired to an em dash
    humor = titles["D-HUMOR: Dark Humor Understanding via Multimodal Open-ended Reasoning"]
    assert (humor.upvotes, humor.authors, humor.date, humor.year) == (5, 6, "Sep 8", None)
    assert humor.urls == [
        "https://github.com/Sai-Kartheek-Reddy/"
        "D-Humor-Dark-Humor-Understanding-via-Multimodal-Open-ended-Reasoning"
    ]


def test_paper_ids_are_stable_and_derived_from_the_title(seed_papers):
    again = read_corpus([SEEDS])
    assert [p.paper_id for p in again.papers] == [p.paper_id for p in seed_papers.papers]
    assert paper_id_for("The  Off-Switch Game") == paper_id_for("the off-switch game")
    assert (
        paper_id_for("The Off-Switch Game")
        == "p" + __import__("hashlib").sha1(b"the off switch game").hexdigest()[:12]
    )


def test_duplicates_across_files_are_merged(tmp_path: Path):
    line = (SEEDS / LINES_FILE).read_text(encoding="utf-8").splitlines()[5]
    (tmp_path / "a.txt").write_text(line + "\n", encoding="utf-8")
    title = "Role-Play with Large Language Models"
    abstract = line.split(title, 1)[1].rsplit(" 3 authors", 1)[0].strip()
    (tmp_path / "b.txt").write_text(f"Header\n\n{title}\n\n{abstract}\n", encoding="utf-8")
    load = read_corpus([tmp_path])
    assert len(load.papers) == 1
    assert load.papers[0].date == "May 25, 2023"


def test_malformed_records_are_reported_with_file_and_line_and_skipped(tmp_path: Path):
    good = (SEEDS / LINES_FILE).read_text(encoding="utf-8").splitlines()[0]
    (tmp_path / "broken.txt").write_text(
        f"{good}\nthis line is not a listing 3 authors · Mar 1, 2020\n"
        f"{good.replace('-', '7', 1)}\n",
        encoding="utf-8",
    )
    load = read_corpus([tmp_path / "broken.txt"])
    assert len(load.papers) == 1
    assert [(p.file, p.line) for p in load.problems] == [("broken.txt", 2)]
    assert "broken.txt:2:" in str(load.problems[0])


def test_a_jsonl_corpus_with_bad_lines_keeps_the_good_ones(tmp_path: Path):
    path = tmp_path / "mine.jsonl"
    path.write_bytes(
        b'{"title": "A paper", "abstract": "About things.", "authors": ["A B", "C D"], '
        b'"year": 2021, "url": "https://x.org/1"}\n'
        b"{broken json\n"
        b'{"abstract": "no title"}\n'
        b'{"title": "Caf\xe9"}\n'
    )
    load = read_corpus([path])
    assert [p.title for p in load.papers] == ["A paper"]
    assert load.papers[0].authors == ["A B", "C D"]
    assert load.papers[0].urls == ["https://x.org/1"]
    assert [p.line for p in load.problems] == [2, 3, 4]


def test_jsonl_fields_of_the_wrong_kind_are_reported_not_stored_garbled(tmp_path: Path):
    path = tmp_path / "odd.jsonl"
    lines = [
        {"id": "same", "title": "First paper", "abstract": "A."},
        {"id": "same", "title": "Another paper", "abstract": "B."},  # the id is taken
        {"title": "Listed abstract", "abstract": ["x"]},
        {"title": "Odd fields", "abstract": "C.", "year": 10**30, "authors": [1, None, "Ann"]},
        {"title": "Month year", "abstract": "D.", "year": "2023-05"},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    load = read_corpus([path])
    assert [p.title for p in load.papers] == ["First paper", "Odd fields", "Month year"]
    assert [str(p) for p in load.problems] == [
        "odd.jsonl:2: duplicate id 'same' (line 1 has it)",
        "odd.jsonl:3: the abstract is not text",
        "odd.jsonl:4: year 1000000000000000000000000000000 ignored (not a year from 1800 to 2100)",
    ]
    assert [p.skipped for p in load.problems] == [True, True, False]
    odd = load.papers[1]
    assert odd.year is None and odd.authors == ["Ann"]  # a number is no name
    assert load.papers[2].year == 2023


def test_unreadable_paths_raise_a_clear_error(tmp_path: Path):
    with pytest.raises(CorpusError, match="no such file or folder"):
        read_corpus([tmp_path / "missing"])
    (tmp_path / "notes.xyz").write_text("x")
    with pytest.raises(CorpusError, match="unknown corpus format"):
        read_corpus([tmp_path / "notes.xyz"])


def test_title_split_handles_sentence_case_titles_and_acronyms():
    assert split_title(
        "Interactive Natural Language Processing Interactive Natural Language Processing (iNLP) "
        "has emerged as a novel paradigm within the field of NLP."
    ) == (
        "Interactive Natural Language Processing",
        "Interactive Natural Language Processing (iNLP) has emerged as a novel paradigm "
        "within the field of NLP.",
    )
    title, abstract = split_title(
        "Alignment faking in large language models We present a demonstration of a large "
        "language model engaging in alignment faking."
    )
    assert title == "Alignment faking in large language models"
    assert abstract.startswith("We present")


def test_damaged_references_are_repaired_but_words_are_not():
    assert repair_text("reversalx2014modifying GPTx20122 exceed &amp; x00e9") == (
        "reversal—modifying GPT‒2 exceed & é"
    )


def test_latex_in_abstracts_is_decoded_and_plain_text_is_not(tmp_path: Path):
    assert repair_text(r"error falls by $\sim$13\% for Erd\H{o}s and Tur\'an") == (
        "error falls by ∼13% for Erdős and Turán"
    )
    assert repair_text(r"\textbf{bold} $k$-NN with $10^{4}$ steps") == "bold k-NN with 10^4 steps"
    for untouched in ("costs $5 and $10", r"C:\Users\me\data", "100% R&D", "a ~ b"):
        assert repair_text(untouched) == untouched
    path = tmp_path / "arxiv.jsonl"
    path.write_text(
        '{"title": "$\\\\alpha$-Tuning of {\\\\\\"O}zt\\\\\\"urk models", '
        '"abstract": "Accuracy rises by $\\\\approx$5\\\\% on $\\\\mathcal{O}(n)$ data."}\n',
        encoding="utf-8",
    )
    (paper,) = read_corpus([path]).papers
    assert paper.title == "α-Tuning of Öztürk models"
    assert paper.abstract == "Accuracy rises by ≈5% on 𝒪(n) data."


def binary_bytes() -> bytes:
    """A real program: NUL bytes and bytes that are not UTF-8, as a mislabelled file holds."""
    return Path(sys.executable).resolve().read_bytes()[:200_000]


@pytest.mark.parametrize("name", ["ls.txt", "ls.jsonl", "ls.csv", "ls.bib", "ls.json"])
def test_a_binary_file_of_any_format_is_skipped_and_the_others_read(tmp_path: Path, name: str):
    (tmp_path / name).write_bytes(binary_bytes())
    (tmp_path / "good.jsonl").write_text(json.dumps({"title": "Kept", "abstract": "A."}) + "\n")
    load = read_corpus([tmp_path])
    assert [p.title for p in load.papers] == ["Kept"]
    (problem,) = load.problems
    assert str(problem).startswith(f"{name}: not UTF-8 text (binary: a NUL byte on line ")


def test_a_utf16_file_is_told_apart_from_binary_data(tmp_path: Path):
    """UTF-16 is what Windows PowerShell's ">" writes: the fix is to convert it."""
    path = tmp_path / "papers.jsonl"
    path.write_text(json.dumps({"title": "T", "abstract": "A."}) + "\n", encoding="utf-16")
    (problem,) = read_corpus([path]).problems
    assert problem.message.startswith("UTF-16 text; save it as UTF-8")
    path.write_text(json.dumps({"title": "T", "abstract": "A."}) + "\n", encoding="utf-32")
    (problem,) = read_corpus([path]).problems
    assert "iconv -f UTF-32" in problem.message


def test_a_listing_with_a_bad_byte_is_skipped_whole_with_its_line(tmp_path: Path):
    good = (SEEDS / LINES_FILE).read_text(encoding="utf-8").splitlines()[0]
    (tmp_path / "latin.txt").write_bytes(good.encode() + b"\nCaf\xe9 society\n")
    (tmp_path / "other.txt").write_text(good + "\n", encoding="utf-8")
    load = read_corpus([tmp_path])
    assert len(load.papers) == 1 and load.papers[0].source == "other.txt"
    assert [str(p) for p in load.problems] == ["latin.txt:2: not UTF-8 text; the file is skipped"]


def test_a_latin1_bibtex_file_is_read_and_said_to_be(tmp_path: Path):
    path = tmp_path / "old.bib"
    path.write_bytes(
        b"@article{k1,\n  title = {Caf\xe9 owners},\n  abstract = {About caf\xe9s.}\n}\n"
    )
    load = read_corpus([path])
    assert [p.title for p in load.papers] == ["Café owners"]
    (problem,) = load.problems
    assert (problem.line, problem.skipped) == (2, False)
    assert problem.message.startswith("not UTF-8 text; read as Latin-1")


def csv_load(tmp_path: Path, text: str):
    titles, problems = file_load(tmp_path / "rows.csv", text)
    return titles, [(p.line, p.message) for p in problems]


def file_load(path: Path, text: str):
    """The titles read from a file of this text, and its problems."""
    path.write_text(text, encoding="utf-8")
    load = read_corpus([path])
    return [p.title for p in load.papers], load.problems


def test_a_csv_row_whose_quote_never_closes_is_skipped_not_merged(tmp_path: Path):
    titles, problems = csv_load(
        tmp_path,
        'title,abstract,year\n"unterminated,quote,2020\nok title,ok abstract about widgets,2020\n',
    )
    assert titles == ["ok title"]
    assert problems == [(2, "unterminated quote; row skipped")]
    # the quote is closed by a stray one further down: the rows after it are kept too
    titles, problems = csv_load(
        tmp_path,
        'title,abstract\n"runaway,a\nsecond,b\n"third",c\nfourth,d\n',
    )
    assert titles == ["second", "third", "fourth"]
    assert problems == [(2, "unterminated quote; row skipped")]


def test_csv_fields_that_hold_line_breaks_are_kept(tmp_path: Path):
    titles, problems = csv_load(
        tmp_path,
        'title,abstract\n"Two\nlines",ok\n"Sloppy" quote,"an abstract\nover lines"\n'
        'Last,"ends the file\nover lines"\n',
    )
    assert titles == ["Two lines", "Sloppy quote", "Last"]
    assert problems == []


def test_bibtex_string_macros_joined_to_quoted_literals(tmp_path: Path):
    path = tmp_path / "macros.bib"
    path.write_text(
        '@string{foo = "bar"}\n@string{both = foo # " and more"}\n'
        '@article{a1,\n  title = foo # " baz",\n  abstract = {x},\n  year = {20x1}\n}\n'
        "@article{a2,\n  title = both # {!},\n  abstract = {y},\n  year = 2020\n}\n"
        '@article{a3,\n  title = "C # and F # compared",\n  abstract = {z}\n}\n',
        encoding="utf-8",
    )
    load = read_corpus([path])
    assert [(p.title, p.year) for p in load.papers] == [
        ("bar baz", None),
        ("bar and more!", 2020),
        ("C # and F # compared", None),
    ]
    assert [(str(p), p.skipped) for p in load.problems] == [
        ("macros.bib:3: entry a1: year '20x1' ignored (not a year from 1800 to 2100)", False)
    ]


def test_an_implausible_year_is_noted_and_the_paper_kept_in_every_reader(tmp_path: Path):
    (tmp_path / "a.jsonl").write_text(
        '{"title": "J1", "abstract": "x", "year": "abc"}\n'
        '{"title": "J2", "abstract": "x", "year": 99999, "date": "2021-03-01"}\n'
        '{"title": "J3", "abstract": "x", "year": true}\n'
        '{"title": "J4", "abstract": "x", "year": "2023-05"}\n',
        encoding="utf-8",
    )
    (tmp_path / "b.csv").write_text("title,abstract,year\nC1,x,20x1\nC2,x,1999\n")
    (tmp_path / "c.bib").write_text("@misc{b1, title = {B1}, abstract = {x}, year = {0}}\n")
    load = read_corpus([tmp_path])
    years = {p.title: p.year for p in load.papers}
    assert years == {"J1": None, "J2": 2021, "J3": None, "J4": 2023, "C1": None, "C2": 1999,
                     "B1": None}  # fmt: skip
    assert all(not p.skipped for p in load.problems)
    assert [str(p).split(" ignored")[0] for p in load.problems] == [
        "a.jsonl:1: year 'abc'",
        "a.jsonl:2: year 99999",
        "a.jsonl:3: year True",
        "b.csv:2: year '20x1'",
        "c.bib:1: entry b1: year '0'",
    ]


def test_a_json_line_cut_inside_a_string_is_reported_as_unterminated(tmp_path: Path):
    titles, problems = file_load(
        tmp_path / "cut.jsonl",
        '{"title": "Kept", "abstract": "y"}\n{"title": "Cut", "abstract": "half a sent\n',
    )
    assert titles == ["Kept"]
    assert [str(p) for p in problems] == [
        "cut.jsonl:2: broken JSON (Unterminated string starting at column 30)"
    ]


def test_a_json_number_too_long_to_read_is_a_broken_line(tmp_path: Path):
    titles, problems = file_load(
        tmp_path / "long.jsonl",
        '{"title": "T", "abstract": "x", "year": 1' + "0" * 5000 + "}\n"
        '{"title": "Kept", "abstract": "y"}\n',
    )
    assert titles == ["Kept"]
    assert [str(p) for p in problems] == ["long.jsonl:1: broken JSON (a number too long to read)"]


def test_a_bare_percent_in_bibtex_keeps_the_rest_of_the_value(tmp_path: Path):
    """LaTeX decoding read "%" as a comment: "from 54% to 88%" was stored as "from 54"
    and quoted as fact."""
    path = tmp_path / "pct.bib"
    path.write_text(
        "@article{a1,\n  title = {Tactile Feedback at 100%},\n"
        "  abstract = {Success rises from 54% to 88%. Escaped 10\\% stays.},\n}\n",
        encoding="utf-8",
    )
    (paper,) = read_corpus([path]).papers
    assert paper.title == "Tactile Feedback at 100%"
    assert paper.abstract == "Success rises from 54% to 88%. Escaped 10% stays."


def test_a_bibtex_value_too_long_to_be_an_abstract_is_skipped_quickly(tmp_path: Path):
    """LaTeX decoding of a 2 MB abstract took minutes, holding the index lock: such a
    value is set aside before decoding."""
    titles, problems = file_load(
        tmp_path / "huge.bib",
        "@article{a1,\n  title = {Huge},\n  abstract = {" + "word " * 400_000 + "}\n}\n"
        "@article{a2,\n  title = {Small},\n  abstract = {Fine.}\n}\n"
        "@article{a3,\n  title = {Noted},\n  annote = {" + "note " * 40_000 + "},\n"
        "  abstract = {Kept.}\n}\n",  # a long field it does not read costs no paper
    )
    assert titles == ["Small", "Noted"]
    assert [str(p) for p in problems] == [
        "huge.bib:1: entry a1: abstract of 2,000,000 characters is too long to be an abstract"
    ]


def test_authors_in_one_string_separated_by_commas_are_each_an_author(tmp_path: Path):
    """ "Kenji Tanaka, Laura Schmidt, Omar Haddad" was one author (key
    "kenjitanaka2022..."); "Levine, Sergey" is one, surname first."""
    path = tmp_path / "papers.csv"
    path.write_text(
        "title,abstract,authors\n"
        'Comma,An abstract.,"Kenji Tanaka, Laura Schmidt, Omar Haddad"\n'
        'Surname,An abstract.,"Levine, Sergey and Kober, Jens"\n',
        encoding="utf-8",
    )
    papers = read_corpus([path]).papers
    assert [p.authors for p in papers] == [
        ["Kenji Tanaka", "Laura Schmidt", "Omar Haddad"],
        ["Levine, Sergey", "Kober, Jens"],
    ]


def test_a_csv_separated_by_semicolons_or_tabs_is_read(tmp_path: Path):
    """A European spreadsheet's "title;abstract" header got "no 'title' column"."""
    for delimiter in (";", "\t"):
        path = tmp_path / "papers.csv"
        path.write_text(
            f"title{delimiter}abstract{delimiter}year\n"
            f"A paper{delimiter}An abstract, with a comma.{delimiter}2021\n",
            encoding="utf-8",
        )
        load = read_corpus([path])
        assert [(p.title, p.abstract, p.year) for p in load.papers] == [
            ("A paper", "An abstract, with a comma.", 2021)
        ]


def test_terminal_escapes_in_a_record_are_never_stored(tmp_path: Path):
    """A title that sets the terminal's title bar ("ESC ] 0 ; PWNED BEL") reached the
    LaTeX output and the .bib file, which print and store what the paper holds."""
    record = {
        "id": "e1",
        "title": "Evil \x1b]0;PWNED\x07\x1b[2J\x1b[31mRed Title\x1b[0m about refusal",
        "abstract": "Refusal \x1b[5mblink\x1b[0m in chat models.\b\b",
    }
    (tmp_path / "esc.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    (paper,) = read_corpus([tmp_path / "esc.jsonl"]).papers
    assert (paper.title, paper.abstract) == (
        "Evil Red Title about refusal",
        "Refusal blink in chat models.",
    )
    # a form feed or carriage return parts words; a repaired "x202E" is no bidi override
    assert repair_text("end of page.\x0cNext.\rLast") == "end of page. Next. Last"
    assert "\u202e" not in repair_text("x202Egnp")


def test_a_folder_is_read_without_its_hidden_folders_and_files(tmp_path: Path):
    """Jupyter keeps a copy of each CSV in .ipynb_checkpoints/: it was indexed too."""
    row = "title,abstract\nWidgets,We study widgets.\n"
    (tmp_path / "papers.csv").write_text(row, encoding="utf-8")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "papers-checkpoint.csv").write_text(row, encoding="utf-8")
    (tmp_path / ".~lock.papers.csv").write_text("x", encoding="utf-8")
    assert [p.name for p in read_corpus([tmp_path]).files] == ["papers.csv"]


def test_a_title_too_long_to_be_one_is_skipped_and_said(tmp_path: Path):
    path = tmp_path / "p.jsonl"
    records = [{"title": "T" * 200_000, "abstract": "A."}, {"title": "Kept", "abstract": "B."}]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    load = read_corpus([path])
    assert [p.title for p in load.papers] == ["Kept"]
    assert (
        str(load.problems[0]) == "p.jsonl:1: title of 200,000 characters is too long to be a title"
    )


def test_numbers_and_bare_ampersands_are_no_damaged_references():
    """ "2048x2048 images" was stored as "2048⁈ images", "4x2000 GPUs" as "4 GPUs", and
    "?id=3&section=2&copy=1" as "?id=3§ion=2©=1" (a bare "&copy" read as an entity)."""
    text = "2048x2048 images, 1024x2016 crops, a 0x00FF mask, 4x2000 GPUs"
    assert repair_text(text) == text
    url = "https://ex.example/?id=3&section=2&copy=1 and the flag &notify; AT&amp;T"
    assert repair_text(url) == url.replace("&amp;", "&")
    assert repair_text("&eacute;t&eacute; &#8212; &#x2014;") == "été — —"


def test_metadata_fields_hold_neither_controls_nor_python_forms(tmp_path: Path):
    """An id, authors, date and url with ESC, BEL and a bidi override were stored and
    printed raw ("c6\\x1b[31mID"); a list id was stored as "['list', 'id']", a null url as
    "None", authors [true, 7] as "True" and "7", a NaN title as "nan"."""
    path = tmp_path / "hostile.jsonl"
    lines = [
        '{"id": "c6\\u001b[31mID", "title": "Controls", "abstract": "A.", '
        '"authors": ["Mal\\u202elory\\u0007"], "date": "2023\\u001b]0;x\\u0007", '
        '"url": "https://ex.example/\\u001b]0;title\\u001b\\\\x"}',
        '{"id": ["list"], "title": "Junk", "abstract": "B.", "url": [null, {"a": 1}, 5], '
        '"authors": [true, 7, "Ann"], "date": {"d": 1}}',
        '{"title": NaN, "abstract": "C."}',
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    load = read_corpus([path])
    controls, junk = load.papers
    assert controls.paper_id == "c6ID" and controls.authors == ["Mallory"]
    assert controls.date == "2023" and controls.urls == ["https://ex.example/x"]
    assert junk.paper_id == paper_id_for("Junk") and junk.urls == [] and junk.date is None
    assert junk.authors == ["Ann"]
    assert [str(p) for p in load.problems] == ["hostile.jsonl:3: the title is not text"]


def test_an_arxiv_record_is_dated_by_its_first_version_not_its_last_revision(tmp_path: Path):
    record = {
        "id": "1706.03762",
        "title": "Attention Is All You Need",
        "abstract": "The dominant sequence transduction models ...",
        "categories": "cs.CL cs.LG",
        "versions": [{"version": "v1", "created": "Mon, 12 Jun 2017 17:57:34 GMT"}],
        "update_date": "2023-08-02",
    }
    path = tmp_path / "arxiv.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    (paper,) = read_corpus([path]).papers
    assert paper.year == 2017


def test_a_csv_row_with_more_cells_than_the_header_is_reported_not_cut(tmp_path: Path):
    """An unquoted comma cut the abstract to "We study refusal" and lost the year."""
    path = tmp_path / "unquoted.csv"
    path.write_text(
        "title,abstract,year\n"
        "Unquoted comma paper,We study refusal, sycophancy, and honesty.,2023\n"
        'Quoted paper,"We study refusal, sycophancy.",2023,,\n',
        encoding="utf-8",
    )
    load = read_corpus([path])
    assert [p.title for p in load.papers] == ["Quoted paper"]
    (problem,) = load.problems
    assert str(problem).startswith("unquoted.csv:2: 5 cells for the header's 3 columns")


@pytest.mark.parametrize("name", ["stray.jsonl", "stray.csv", "stray.bib"])
def test_a_stray_nul_byte_costs_its_line_not_the_file(tmp_path: Path, name: str):
    """One NUL on line 3 of a JSONL file of ten papers skipped all ten as binary data."""
    records = {
        "stray.jsonl": [json.dumps({"title": f"Paper {i}", "abstract": "A."}) for i in range(9)],
        "stray.csv": ["title,abstract", *(f"Paper {i},A." for i in range(9))],
        "stray.bib": [f"@article{{k{i}, title={{Paper {i}}}, abstract={{A.}}}}" for i in range(9)],
    }[name]
    records.insert(3, '{"title": "Bad\x00 line"}' if name.endswith("jsonl") else "Bad\x00,x")
    (tmp_path / name).write_text("\n".join(records) + "\n", encoding="utf-8")
    load = read_corpus([tmp_path / name])
    assert {f"Paper {i}" for i in range(9)} <= {p.title for p in load.papers}


def test_two_papers_under_one_title_are_not_merged_into_one(tmp_path: Path):
    """Two records titled "Introduction", with no id, were stored as one paper: the second's
    abstract under the first's authors and year, with nothing reported."""
    # the first paper again, as a second export of it would hold it: merged
    again = {"title": "Introduction", "abstract": "Alpha studies refusal in chat models."}
    load = read_corpus([two_papers_under_one_title(tmp_path / "same.jsonl", again)])
    (paper,) = load.papers
    assert (paper.abstract, paper.authors, paper.year) == (
        "Alpha studies refusal in chat models.",
        ["Ann Alpha"],
        2021,
    )
    (problem,) = load.problems
    assert problem.skipped and "give each an `id` to keep both" in problem.message


def test_a_damaged_dash_between_years_is_still_repaired():
    assert repair_text("from 2010x20132020, 0x2013 kept") == "from 2010–2020, 0x2013 kept"


def test_a_json_array_of_papers_is_read_as_its_items(tmp_path: Path):
    """A JSON array (as many exports write papers) gave "broken JSON ... and 9 more skipped"
    line by line, without saying why."""
    papers = [{"title": f"Paper {i}", "abstract": "We study arrays."} for i in range(3)]
    path = tmp_path / "papers.json"
    path.write_text(json.dumps([*papers, {"abstract": "no title"}], indent=2), encoding="utf-8")
    load = read_corpus([path])
    assert [p.title for p in load.papers] == ["Paper 0", "Paper 1", "Paper 2"]
    assert [str(p) for p in load.problems] == ["papers.json:4: no title"]
    broken = tmp_path / "broken.jsonl"
    broken.write_text('[{"title": "x",', encoding="utf-8")
    (problem,) = read_corpus([broken]).problems
    assert str(problem).startswith("broken.jsonl: broken JSON array (")
