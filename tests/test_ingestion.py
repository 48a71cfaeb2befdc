"""Users' own libraries: BibTeX, CSV, the arXiv snapshot, bad records, collections."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from assistant.app import Assistant
from assistant.config import Settings
from assistant.corpus import read_corpus

from .conftest import (
    assert_one_line_error,
    console_script,
    in_terminal,
    run_cli,
    two_papers_under_one_title,
)

BIB = r"""
@article{vaswani2017attention,
  title = {Attention Is All You Need},
  author = {Vaswani, Ashish and Shazeer, Noam},
  year = {2017},
  doi = {10.48550/arXiv.1706.03762},
  abstract = {The dominant sequence transduction models are based on complex recurrent
    networks. We propose the Transformer, based solely on attention mechanisms.}
}

@inproceedings{devlin2019bert,
  title = {{BERT}: Pre-training of Deep Bidirectional Transformers},
  author = {Devlin, Jacob and others},
  year = 2019,
  url = {https://aclanthology.org/N19-1423}
}

@misc{broken,
  author = {Nobody},
  year = {2020}
}
"""


def arxiv_line(i: int, categories: str, **extra) -> str:
    record = {
        "id": f"2401.{i:05d}",
        "title": f"Paper number {i} on {categories}",
        "abstract": f"  We study topic {i} in {categories}.\n Results are promising.  ",
        "authors": "Ada Lovelace and Alan Turing",
        "categories": categories,
        "update_date": "2024-01-15",
        **extra,
    }
    return json.dumps(record)


def test_bibtex_keeps_keys_and_reports_entries_without_abstract(tmp_path: Path):
    path = tmp_path / "library.bib"
    path.write_text(BIB, encoding="utf-8")
    load = read_corpus([path])
    by_key = {p.bibkey: p for p in load.papers}
    assert set(by_key) == {"vaswani2017attention", "devlin2019bert"}
    attention = by_key["vaswani2017attention"]
    assert attention.title == "Attention Is All You Need"
    assert attention.authors == ["Vaswani, Ashish", "Shazeer, Noam"]
    assert attention.year == 2017
    assert attention.urls == ["https://doi.org/10.48550/arXiv.1706.03762"]
    assert by_key["devlin2019bert"].title == "BERT: Pre-training of Deep Bidirectional Transformers"
    assert [str(p) for p in load.problems] == ["library.bib:18: entry broken: no title"]
    report = Assistant(Settings(data_dir=tmp_path / "d")).index([path])
    assert report.added == 2 and report.title_only == [by_key["devlin2019bert"].title]
    assert "by title only" in report.summary()


def test_related_work_latex_reuses_the_users_bib_keys(tmp_path: Path):
    path = tmp_path / "library.bib"
    path.write_text(BIB, encoding="utf-8")
    assistant = Assistant(Settings(data_dir=tmp_path / "d"))
    assistant.index([path])
    draft = assistant.related_work("attention mechanisms in sequence transduction")
    assert "\\cite{vaswani2017attention}" in draft.to_latex()


def test_csv_with_optional_columns_and_bad_rows(tmp_path: Path):
    path = tmp_path / "papers.csv"
    path.write_text(
        "title,abstract,authors,year,url,id\n"
        '"Sparse retrieval","BM25 still works, mostly.","A. B; C. D",2021,https://x.org/1,s1\n'
        ',"a row without a title",,,,\n'
        '"Dense retrieval","Vectors help.",,not-a-year,,\n',
        encoding="utf-8",
    )
    load = read_corpus([path])
    assert [p.title for p in load.papers] == ["Sparse retrieval", "Dense retrieval"]
    sparse = load.papers[0]
    assert (sparse.paper_id, sparse.authors, sparse.year) == ("s1", ["A. B", "C. D"], 2021)
    assert load.papers[1].year is None
    assert [(p.line, p.message, p.skipped) for p in load.problems] == [
        (3, "no title", True),
        (4, "year 'not-a-year' ignored (not a year from 1800 to 2100)", False),
    ]


def test_arxiv_snapshot_is_streamed_and_filtered_by_category(tmp_path: Path):
    path = tmp_path / "arxiv-metadata-oai-snapshot.json"
    lines = [arxiv_line(i, "cs.CL cs.AI" if i % 3 else "math.CO") for i in range(30)]
    lines.insert(5, "{not json")
    lines.insert(9, json.dumps({"id": "x", "abstract": "no title", "categories": "cs.CL"}))
    huge = arxiv_line(99, "cs.CL", abstract="word " * 1_100_000)  # a 5 MB abstract
    path.write_bytes(("\n".join([*lines, huge]) + "\n").encode() + b"\xff\xfe broken bytes\n")
    assistant = Assistant(Settings(data_dir=tmp_path / "d", collection="arxiv-cl"))
    report = assistant.index([path], categories=["cs.CL"])
    assert report.added == 20  # i % 3 != 0
    messages = sorted((p.line, p.message.split(" (")[0]) for p in report.problems)
    assert messages[0] == (6, "broken JSON")
    assert (10, "no title") in messages
    assert any("too long" in m for _, m in messages)
    assert any(m == "not UTF-8 text" for _, m in messages)
    papers = {p.paper_id: p for p in assistant.papers()}
    first = papers["arxiv:2401.00001"]
    assert first.abstract == "We study topic 1 in cs.CL cs.AI. Results are promising."
    assert first.urls == ["https://arxiv.org/abs/2401.00001"]
    assert (first.year, first.authors) == (2024, ["Ada Lovelace", "Alan Turing"])
    # a JSONL file of other records has no categories to filter by: it says so, rather
    # than "nothing looked like a paper" for want of a reason
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps({"title": "Refusal", "abstract": "We study refusal."}) + "\n")
    report = assistant.index([plain], categories=["cs.CL"])
    assert report.added == 0 and "no categories field" in report.problems[0].message


def test_collections_live_side_by_side(seeded_dir: Path, tmp_path: Path):
    corpus = tmp_path / "mine.jsonl"
    corpus.write_text(json.dumps({"title": "Bananas", "abstract": "Bananas ripen."}) + "\n")
    result = run_cli("index", str(corpus), "--collection", "fruit", data_dir=seeded_dir)
    assert result.returncode == 0, result.stderr
    fruit = json.loads(run_cli("papers", "--json", "--collection", "fruit",
                               data_dir=seeded_dir).stdout)["papers"]  # fmt: skip
    assert [p["title"] for p in fruit] == ["Bananas"]
    default = json.loads(run_cli("papers", "--json", data_dir=seeded_dir).stdout)["papers"]
    assert len(default) == 87
    search = run_cli("search", "--json", "ripening", "--collection", "fruit", data_dir=seeded_dir)
    assert json.loads(search.stdout)["results"][0]["title"] == "Bananas"


def test_invalid_collection_name_is_a_one_line_error(tmp_path: Path):
    result = run_cli("papers", "--collection", "../etc", data_dir=tmp_path)
    assert result.returncode != 0 and result.stderr.startswith("error: invalid setting")


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_format_option_overrides_the_extension(tmp_path: Path, fmt: str):
    path = tmp_path / "data.txt"
    if fmt == "jsonl":
        path.write_text(json.dumps({"title": "T", "abstract": "A b c."}) + "\n")
    else:
        path.write_text("title,abstract\nT,A b c.\n")
    assert [p.title for p in read_corpus([path], fmt).papers] == ["T"]


def test_a_binary_file_in_a_folder_is_skipped_and_the_good_one_indexed(tmp_path: Path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "ls.txt").write_bytes(Path(sys.executable).resolve().read_bytes()[:200_000])
    good = {"title": "Widgets at scale", "abstract": "We study widgets."}
    (folder / "good.jsonl").write_text(json.dumps(good) + "\n", encoding="utf-8")
    result = run_cli("index", str(folder), data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert "skipped ls.txt: not UTF-8 text (binary" in result.stderr
    assert "1 added" in result.stderr and "1 skipped" in result.stderr
    alone = run_cli("index", str(folder / "ls.txt"), data_dir=tmp_path / "data")
    assert_one_line_error(
        alone, "nothing in ls.txt looked like a paper (ls.txt: not UTF-8 text (binary"
    )


@pytest.mark.parametrize("suffix", [".jsonl", ".bib", ".csv", ".txt"])
def test_an_empty_file_is_one_error_line_and_nothing_else(tmp_path: Path, suffix: str):
    empty = tmp_path / f"empty{suffix}"
    empty.write_bytes(b"")
    result = run_cli("index", str(empty), data_dir=tmp_path / "data")
    assert_one_line_error(result, f"{empty.name} is empty: nothing to index")


def test_a_file_whose_every_record_is_skipped_says_why(tmp_path: Path):
    path = tmp_path / "mid.jsonl"
    path.write_text(json.dumps({"title": "T", "abstract": "x " * 60_000}) + "\n", "utf-8")
    result = run_cli("index", str(path), data_dir=tmp_path / "data")
    assert_one_line_error(result, "nothing in mid.jsonl looked like a paper (mid.jsonl:1: abstract")


def test_an_empty_file_in_a_terminal_shows_only_the_error(tmp_path: Path):
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path / "data")}
    with in_terminal(["index", str(empty)], env) as child:
        child.expect(pexpect.EOF)
        shown = [line for line in child.before.splitlines() if line.strip()]
    assert len(shown) == 1 and shown[0].startswith("error: empty.jsonl is empty"), shown


def test_notes_on_ignored_years_are_printed_and_the_papers_indexed(tmp_path: Path):
    path = tmp_path / "years.jsonl"
    path.write_text(
        '{"title": "Year as text", "abstract": "About widgets.", "year": "abc"}\n'
        '{"title": "Year too big", "abstract": "About gadgets.", "year": 99999}\n',
        encoding="utf-8",
    )
    result = run_cli("index", str(path), data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert "note years.jsonl:1: year 'abc' ignored" in result.stderr
    assert "note years.jsonl:2: year 99999 ignored" in result.stderr
    assert "2 added" in result.stderr and "0 skipped" in result.stderr
    papers = json.loads(run_cli("papers", "--json", data_dir=tmp_path / "data").stdout)["papers"]
    assert sorted((p["title"], p["year"]) for p in papers) == [
        ("Year as text", None),
        ("Year too big", None),
    ]


def test_a_csv_with_an_unterminated_quote_indexes_the_good_rows(tmp_path: Path):
    path = tmp_path / "broken.csv"
    path.write_text(
        'title,abstract,year\n"unterminated,quote,2020\nok title,ok abstract about widgets,2020\n',
        encoding="utf-8",
    )
    result = run_cli("index", str(path), data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert "skipped broken.csv:2: unterminated quote" in result.stderr
    assert "1 added" in result.stderr and "1 skipped" in result.stderr
    papers = json.loads(run_cli("papers", "--json", data_dir=tmp_path / "data").stdout)["papers"]
    assert [p["title"] for p in papers] == ["ok title"]


def test_a_paper_indexed_by_title_alone_is_not_quoted_as_its_own_evidence(tmp_path: Path):
    """ "*Robotic Grasping Without an Abstract*: Robotic Grasping Without an Abstract [1]."
    in answers, "According to *X* [1], X." in drafts; and "One study [2] studies X"."""
    records = [
        {"title": "Robotic Grasping Without an Abstract", "year": 2020},
        {"title": "Grasp Detection Networks", "abstract": "We propose a grasp detection "
         "network for robot grasping that predicts antipodal grasps from depth images."},
        {"title": "Learning Robot Grasping with Tactile Feedback for Cluttered Bins and "
         "Unknown Objects in Warehouses", "abstract": "We study robot grasping under pose "
         "uncertainty and propose a tactile grasp planner for cluttered bins."},
        {"title": "Grasping from Human Video", "abstract": "We propose to learn robot "
         "grasping from 10,000 human videos of grasps."},
    ]  # fmt: skip
    path = tmp_path / "grasp.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    assistant = Assistant(Settings(data_dir=tmp_path / "data"))
    assistant.index([path])
    answer = assistant.ask("which papers study robot grasping?")
    line = next(t for t in answer.text.splitlines() if "Without an Abstract*" in t)
    assert "No abstract is indexed for this paper" in line
    draft = assistant.related_work("robot grasping", words=150)
    assert "See also *Robotic Grasping Without an Abstract* [" in draft.text
    assert "According to *Robotic Grasping" not in draft.text
    assert not re.search(r"study \[\d\] studies", draft.text)
    assert re.search(r"paper \[\d\] studies", draft.text)
    # a paper that proposes a network or a planner proposes a method, not an analysis
    assert "In contrast to these analyses" not in draft.text


def test_a_users_bib_entry_is_written_back_with_its_type_and_venue(tmp_path: Path):
    """Own entries came back as @misc, without booktitle, journal or doi."""
    import bibtexparser

    from assistant.bibtex import to_bibtex

    path = tmp_path / "mine.bib"
    path.write_text(
        "@inproceedings{levine2016learning,\n  title = {Learning Hand-Eye Coordination},\n"
        "  author = {Levine, Sergey},\n  booktitle = {ISER},\n  year = {2016},\n"
        "  doi = {10.1000/a_b},\n  abstract = {We learn grasping from images.}\n}\n",
        encoding="utf-8",
    )
    (paper,) = read_corpus([path]).papers
    (entry,) = bibtexparser.parse_string(to_bibtex([paper])).entries
    assert (entry.key, entry.entry_type) == ("levine2016learning", "inproceedings")
    assert (entry["booktitle"], entry["doi"]) == ("ISER", "10.1000/a_b")
    # a paper from elsewhere is still a @misc
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps({"title": "T", "abstract": "A."}) + "\n", encoding="utf-8")
    other = read_corpus([plain]).papers
    assert bibtexparser.parse_string(to_bibtex(other)).entries[0].entry_type == "misc"


def test_a_category_filter_that_matches_nothing_says_so(tmp_path: Path):
    """ "--filter-category cs.XX" said "nothing in arxiv.json looked like a paper" of a
    valid snapshot; "cs.cl" matched nothing though arXiv's cs.CL is meant."""
    path = tmp_path / "arxiv.json"
    path.write_text("\n".join(arxiv_line(i, "cs.CL cs.AI") for i in range(3)) + "\n")
    data = tmp_path / "d"
    result = run_cli("index", str(path), "--filter-category", "cs.XX", data_dir=data)
    assert_one_line_error(result, "no record in arxiv.json is in cs.XX", "--filter-category")
    result = run_cli("index", str(path), "--filter-category", "cs.cl", data_dir=data)
    assert result.returncode == 0 and "3 added" in result.stderr


def test_indexing_two_papers_under_one_title_keeps_the_first_and_says_so(tmp_path: Path):
    """The index merged two "Introduction" records (no ids) into one paper with the
    second's abstract and the first's authors, and reported nothing."""
    path = two_papers_under_one_title(tmp_path / "same.jsonl")
    assistant = Assistant(Settings(data_dir=tmp_path / "d"))
    report = assistant.index([path])
    assert (report.added, len(report.problems)) == (1, 1)
    assert "give each an `id`" in report.problems[0].message
    (paper,) = assistant.papers()
    assert paper.abstract.startswith("Alpha") and paper.authors == ["Ann Alpha"]


def test_an_unreadable_subfolder_stops_the_run_before_prune_removes_its_papers(tmp_path: Path):
    """A subfolder without read permission was passed over in silence, and --prune then
    removed the papers of the files in it."""
    import shutil

    folder = tmp_path / "corpus"
    (folder / "locked").mkdir(parents=True)
    line = {"title": "Locked paper", "abstract": "We study locks."}
    (folder / "locked" / "inner.jsonl").write_text(json.dumps(line) + "\n")
    (folder / "open.jsonl").write_text(json.dumps({"title": "Open", "abstract": "A."}) + "\n")
    data = tmp_path / "d"
    assert run_cli("index", str(folder), data_dir=data).returncode == 0
    prefix: list[str] = []
    if os.geteuid() == 0:  # root reads any folder: run without its capabilities
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: no folder is unreadable")
        prefix = ["setpriv", "--bounding-set", "-all", "--inh-caps", "-all", "--"]
    (folder / "locked").chmod(0)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
        result = subprocess.run(
            [*prefix, console_script(), "index", str(folder), "--prune"],
            capture_output=True, text=True, env={**env, "ASSISTANT_DATA_DIR": str(data)},
        )  # fmt: skip
    finally:
        (folder / "locked").chmod(0o755)
    assert_one_line_error(result, "locked: cannot be read (permission denied)")
    titles = {p.title for p in Assistant(Settings(data_dir=data)).papers()}
    assert titles == {"Locked paper", "Open"}
