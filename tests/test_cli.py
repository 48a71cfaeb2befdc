"""The real console script, end to end, in temp data dirs; every error is one line."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pexpect

from .conftest import SEEDS, assert_one_line_error, in_terminal, run_cli


def test_first_ask_indexes_the_seeds_with_progress_then_answers(tmp_path: Path):
    data_dir = tmp_path / "fresh"
    result = run_cli("ask", "--json", "which papers study over-refusal?", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "87/87 papers" in result.stderr and "Done (seeds, first use)" in result.stderr
    # not a terminal: a line per stage as it starts, not one line at the end
    assert "Embedding papers (seeds, first use) …" in result.stderr
    assert result.stderr.index("Embedding papers") < result.stderr.index("Done")
    payload = json.loads(result.stdout)
    assert payload["mode"] == "extractive"
    assert payload["abstained"] is False
    assert payload["citations"]
    papers = json.loads(run_cli("papers", "--json", data_dir=data_dir).stdout)["papers"]
    assert len(papers) == 87
    assert set(papers[0]) >= {
        "paper_id", "title", "abstract", "authors", "date", "year", "upvotes", "urls", "source",
    }  # fmt: skip


def test_a_folder_where_indexing_found_no_paper_gets_no_seeds(tmp_path: Path):
    """A failed `index` of the user's own files, then `papers` or `ask`, filled the folder
    with the 87 bundled seeds: the next `index` reported 88 papers."""
    data_dir = tmp_path / "mine"
    notes = tmp_path / "notes.txt"
    notes.write_text("just some notes\n", encoding="utf-8")
    assert run_cli("index", str(notes), data_dir=data_dir).returncode != 0
    for command in (["papers"], ["ask", "which papers study protein folding?"]):
        assert_one_line_error(
            run_cli(*command, data_dir=data_dir), "holds no papers", "assistant index YOUR FILES"
        )
    doctor = run_cli("doctor", data_dir=data_dir)
    assert "index: no papers" in doctor.stdout + doctor.stderr
    # a first use stopped before its first paper (an empty catalog) starts again
    from assistant.index.catalog import Catalog

    stopped = tmp_path / "stopped"
    Catalog(stopped / "collections" / "papers" / "catalog.sqlite").close()
    result = run_cli("ask", "--json", "which papers study over-refusal?", data_dir=stopped)
    assert result.returncode == 0 and json.loads(result.stdout)["citations"], result.stderr


def test_the_first_ask_in_a_terminal_shows_each_stage(tmp_path: Path):
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path / "fresh")}
    with in_terminal(["ask", "which papers study jailbreaks?"], env) as child:
        child.expect("Loading the embedding model")
        child.expect("Embedding papers")
        child.expect("/87")  # the total is known from the start
        child.expect("papers in the collection study jailbreaks")
        child.expect(pexpect.EOF)


def test_ask_renders_markdown_with_references(seeded_dir: Path):
    result = run_cli("ask", "Which papers study reward models for RLHF?", data_dir=seeded_dir)
    assert result.returncode == 0, result.stderr
    assert "References" in result.stdout
    assert "[1]" in result.stdout
    assert "Sequence to Sequence Reward Modeling" in result.stdout


def test_piped_ask_prints_plain_markdown(seeded_dir: Path):
    question = "Which papers study reward models for RLHF?"
    result = run_cli("ask", question, data_dir=seeded_dir, env={"COLUMNS": "60"})
    lines = result.stdout.splitlines()
    assert "**References**" in lines and "_Quoted from the abstracts" in result.stdout
    assert any(len(line) > 60 for line in lines)  # not hard-wrapped to the terminal width
    assert all(line == line.rstrip() for line in lines)  # no padding
    assert any(line.startswith("- [1] ") for line in lines)


def test_llm_checks_without_an_llm_are_said_not_silently_skipped(seeded_dir: Path):
    question = "which papers study over-refusal?"
    result = run_cli("ask", "--json", "--verify", "--no-llm", question, data_dir=seeded_dir)
    warnings = json.loads(result.stdout)["warnings"]
    assert "--verify needs an LLM: this answer is quoted from the abstracts, unchecked" in warnings
    plain = json.loads(run_cli("ask", "--json", question, data_dir=seeded_dir).stdout)
    assert not any("needs an LLM" in w for w in plain["warnings"])


def test_ask_abstains_plainly(seeded_dir: Path):
    result = run_cli("ask", "--json", "What is the capital of Australia?", data_dir=seeded_dir)
    payload = json.loads(result.stdout)
    assert payload["abstained"] is True and payload["citations"] == []


def test_search_and_index_commands(seeded_dir: Path):
    result = run_cli("search", "-k", "3", "--json", "persuasion", data_dir=seeded_dir)
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)["results"]
    assert results[0]["title"] == "Teaching Models to Balance Resisting and Accepting Persuasion"
    table = run_cli("search", "persuasion", data_dir=seeded_dir)
    assert "Teaching Models to Balance" in table.stdout
    again = run_cli("index", data_dir=seeded_dir)
    assert again.returncode == 0, again.stderr
    assert "0 added, 0 updated, 87 unchanged" in again.stderr


def test_index_reports_bad_records_and_goes_on(tmp_path: Path):
    corpus = tmp_path / "mine.jsonl"
    corpus.write_text(
        '{"title": "Good paper", "abstract": "Useful words about retrieval."}\n{oops\n',
        encoding="utf-8",
    )
    result = run_cli("index", str(corpus), "--collection", "mine", data_dir=tmp_path / "d")
    assert result.returncode == 0, result.stderr
    assert "mine.jsonl:2: broken JSON" in result.stderr
    assert "1 added" in result.stderr and "1 skipped" in result.stderr


def test_empty_and_huge_questions_are_refused(seeded_dir: Path):
    assert_one_line_error(run_cli("ask", "   ", data_dir=seeded_dir), "question is empty")
    huge = "why " * 25_600  # 100 KB
    assert_one_line_error(run_cli("ask", huge, data_dir=seeded_dir), "limit is 2,000")
    assert_one_line_error(run_cli("search", "", data_dir=seeded_dir), "query is empty")


def test_missing_collection_says_how_to_build_it(tmp_path: Path):
    result = run_cli("ask", "anything", "--collection", "nothing-here", data_dir=tmp_path)
    assert_one_line_error(result, "assistant index PATH --collection nothing-here")


def test_corrupt_index_gets_one_line_and_keeps_the_files(seeded_dir: Path):
    catalog = seeded_dir / "collections" / "papers" / "catalog.sqlite"
    garbage = b"this is not a database" * 100
    catalog.write_bytes(garbage)
    result = run_cli("ask", "reward models", data_dir=seeded_dir)
    assert_one_line_error(result, "--rebuild")
    assert catalog.read_bytes() == garbage  # nothing deleted behind the user's back
    rebuilt = run_cli("index", "--rebuild", data_dir=seeded_dir)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert sqlite3.connect(catalog).execute("SELECT COUNT(*) FROM papers").fetchone()[0] == 87
    kept = list(catalog.parent.glob("catalog.sqlite.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == garbage


def test_unreadable_corpus_path(tmp_path: Path):
    result = run_cli("index", str(tmp_path / "nope"), data_dir=tmp_path / "d")
    assert_one_line_error(result, "no such file or folder")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_line_error(run_cli("index", str(empty), data_dir=tmp_path / "d"), "no corpus")


def test_help_lists_the_commands():
    result = run_cli("--help")
    for command in ("index", "papers", "search", "ask", "eval"):
        assert command in result.stdout
    assert SEEDS.name == "seeds"


def test_markup_and_escape_sequences_in_corpus_text_print_literally(tmp_path: Path):
    corpus = tmp_path / "hostile.jsonl"
    records = [
        {"title": "Prompting with [INST] tags [/INST] considered harmful",
         "abstract": "We study [bold]markup[/bold], \x1b]0;pwned\x07 [/INST] in refusal."},
        {"title": "A second paper on refusal", "abstract": "Refusal of harmful requests."},
    ]  # fmt: skip
    corpus.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    data = tmp_path / "data"
    assert run_cli("index", str(corpus), "--collection", "hostile", data_dir=data).returncode == 0
    for command in (["search", "refusal"], ["papers"], ["ask", "refusal of harmful requests"]):
        result = run_cli(*command, "--collection", "hostile", data_dir=data)
        assert result.returncode == 0, result.stderr
        assert "\x1b]0;" not in result.stdout and "\x07" not in result.stdout
    assert "[/INST]" in run_cli("papers", "--collection", "hostile", data_dir=data).stdout


def test_out_of_range_numbers_are_refused_with_the_flag_named(seeded_dir):
    """ "error: words must be at least 50" named a Python parameter, not --words."""
    for args, flag in (
        (("related-work", "--words", "-5", "jailbreaks"), "'--words'"),
        (("search", "-k", "0", "jailbreaks"), "'-k'"),
        (("ask", "--since", "0", "jailbreaks"), "'--since'"),
    ):
        result = run_cli(*args, data_dir=seeded_dir)
        assert result.returncode == 2 and flag in result.stderr, result.stderr
