"""Regression tests of the hardening issue: files people export, clobbered files, citation
forms that slip past the guard, pasted keys, settings in words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.answer.citations import check_citations
from assistant.app import Assistant
from assistant.config import Settings
from assistant.corpus import read_corpus
from assistant.errors import InputError

from .conftest import assert_one_line_error, run_cli
from .test_chroma_server import free_port


def _papers_and_problems(path: Path):
    load = read_corpus([path])
    return load.papers, load.problems


def test_csv_from_excel_with_a_bom(tmp_path: Path):
    path = tmp_path / "export.csv"
    path.write_bytes("\ufefftitle,abstract\nA paper,Its abstract.\n".encode())
    papers, problems = _papers_and_problems(path)
    assert [p.title for p in papers] == ["A paper"] and problems == []


_ABSTRACT = (
    "Language models refuse harmless requests more often than they should. We measure how"
    " often they do so on a new benchmark and find that refusal rates vary widely."
)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("listing.txt", f"- A paper on refusal {_ABSTRACT} 3 authors · Mar 14, 2022\n"),
        ("listing.txt", f"A paper on refusal\n\n{_ABSTRACT}\n"),
        ("refs.bib", "@article{a, title={A paper on refusal}, abstract={Its abstract.}}\n"),
        ("papers.jsonl", '{"title": "A paper on refusal", "abstract": "Its abstract."}\n'),
        ("papers.json", '[{"title": "A paper on refusal", "abstract": "Its abstract."}]'),
    ],
)
def test_every_reader_reads_a_file_with_a_bom(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_bytes(("\ufeff" + text).encode())
    papers, problems = _papers_and_problems(path)
    assert [p.title for p in papers] == ["A paper on refusal"] and problems == []


def test_csv_with_one_bad_byte_keeps_the_good_rows(tmp_path: Path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"title,abstract\nFirst,Good.\nSecond,Bad \xff byte.\nThird,Good too.\n")
    papers, problems = _papers_and_problems(path)
    assert [p.title for p in papers] == ["First", "Third"]
    assert len(problems) == 1 and problems[0].line == 3 and "UTF-8" in problems[0].message


def test_csv_with_two_title_columns_is_refused_in_words(tmp_path: Path):
    path = tmp_path / "two.csv"
    path.write_text("title,abstract,Title\nA,B,C\n", encoding="utf-8")
    papers, problems = _papers_and_problems(path)
    assert papers == []
    assert "two 'title' columns" in problems[0].message


def test_jsonl_urls_given_as_one_string(tmp_path: Path):
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"title": "T", "abstract": "A", "urls": "http://x.org/p"}) + "\n")
    papers, _ = _papers_and_problems(path)
    assert papers[0].urls == ["http://x.org/p"]


def test_renaming_a_corpus_file_re_embeds_nothing(tmp_path: Path):
    data = tmp_path / "data"
    first = tmp_path / "mine.jsonl"
    lines = [json.dumps({"title": f"Paper {i}", "abstract": f"About topic {i}."}) for i in range(5)]
    first.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run_cli("index", str(first), data_dir=data).returncode == 0
    renamed = first.rename(tmp_path / "renamed.jsonl")
    again = run_cli("index", str(renamed), data_dir=data)
    assert again.returncode == 0, again.stderr
    assert "0 added" in again.stderr and "0 updated" in again.stderr
    assert "5 unchanged" in again.stderr
    listed = json.loads(run_cli("papers", "--json", data_dir=data).stdout)["papers"]
    assert {p["source"] for p in listed} == {"renamed.jsonl"}  # the record follows the file


def test_a_file_with_no_papers_fails_and_says_what_is_accepted(tmp_path: Path):
    notes = tmp_path / "notes.txt"
    notes.write_text("just some notes\n\nnothing like a paper\n", encoding="utf-8")
    result = run_cli("index", str(notes), data_dir=tmp_path / "data")
    assert result.returncode != 0
    assert "nothing in notes.txt looked like a paper" in result.stderr
    assert ".jsonl" in result.stderr and ".bib" in result.stderr and ".csv" in result.stderr


def test_related_work_bib_does_not_clobber_a_file(seeded_dir: Path, tmp_path: Path):
    bib = tmp_path / "mine.bib"
    bib.write_text("@misc{mine, title={My own entry}}\n", encoding="utf-8")
    topic = "refusal behaviour of aligned language models"
    refused = run_cli("related-work", topic, "--bib", str(bib), data_dir=seeded_dir)
    assert_one_line_error(refused, "exists", "--force")
    assert bib.read_text(encoding="utf-8") == "@misc{mine, title={My own entry}}\n"
    forced = run_cli("related-work", topic, "--bib", str(bib), "--force", data_dir=seeded_dir)
    assert forced.returncode == 0 and "@misc{" in bib.read_text(encoding="utf-8")
    assert "My own entry" not in bib.read_text(encoding="utf-8")


def test_citation_forms_that_used_to_slip_past_the_guard():
    text = "A [99.]. B ［99］. C [^99]. D [Source 99]. E [2.]. F ［１］. G [^3]. H [Paper 1]."
    checked = check_citations(text, evidence_count=3)
    assert "99" not in checked.text
    assert checked.text == "A. B. C. D. E [1]. F [2]. G [3]. H [2]."
    assert checked.order == [2, 1, 3]
    assert any("[99]" in w for w in checked.warnings)


def test_a_pasted_key_with_a_newline_is_cleaned(seeded_dir: Path):
    result = run_cli("doctor", data_dir=seeded_dir, env={
        "OPENAI_BASE_URL": f"http://127.0.0.1:{free_port()}/v1", "OPENAI_API_KEY": "sk-abc123\n",
        "COLUMNS": "200"})  # fmt: skip
    assert "set (hidden, 9 characters)" in result.stdout
    broken = run_cli("ask", "x", data_dir=seeded_dir, env={"OPENAI_API_KEY": "sk-abc 123"})
    assert_one_line_error(broken, "OPENAI_API_KEY", "whitespace")
    assert "abc" not in broken.stderr


def test_doctor_with_the_chroma_server_down_fails_the_index_check(seeded_dir: Path):
    result = run_cli("doctor", "--chroma-url", f"http://127.0.0.1:{free_port()}",
                     data_dir=seeded_dir, env={"COLUMNS": "200"})  # fmt: skip
    assert result.returncode != 0
    assert "ok  index" not in result.stdout
    assert "cannot reach the Chroma server" in result.stdout


def test_an_invalid_collection_name_is_explained_in_words(tmp_path: Path):
    result = run_cli("search", "x", "--collection", "a b!", data_dir=tmp_path)
    assert_one_line_error(result, "collection name")
    assert "pattern" not in result.stderr and "letters, digits" in result.stderr


def test_a_stream_that_stalls_or_breaks_off_is_an_endpoint_fault(seeded_dir: Path):
    from assistant.app import Assistant
    from assistant.config import Settings
    from assistant.errors import EndpointError

    from .fake_openai import FakeOpenAIServer, Reply

    question = "Which papers study reward models for RLHF?"
    for reply, needle in ((Reply(chunks=["Reward ", "models [1]."], stall=3), "stopped sending"),
                          (Reply(chunks=["Reward ", "models [1]."], truncated=True),
                           "broke off")):  # fmt: skip
        server = FakeOpenAIServer()
        with server as fake:
            fake.script(reply)
            settings = {"data_dir": seeded_dir, "openai_base_url": server.base_url,
                        "llm_model": "m", "llm_timeout": 1, "llm_max_retries": 0}  # fmt: skip
            try:
                Assistant(Settings(**settings)).ask(question, on_token=lambda _: None)
            except EndpointError as error:
                assert needle in str(error) and "\n" not in str(error)
            else:
                raise AssertionError("no endpoint error")
            answer = Assistant(Settings(**settings, fallback="offline")).ask(
                question, on_token=lambda _: None
            )
        assert answer.mode == "extractive" and answer.citations
        assert any("answered offline instead" in w for w in answer.warnings)


def test_a_stream_closed_without_a_finish_reason_is_answered_with_a_warning(seeded_dir: Path):
    """It was printed as a complete answer. Not an error: some servers and proxies send no
    finish reason (and llama-index skips a last chunk whose delta is null)."""
    from assistant.app import Assistant
    from assistant.config import Settings

    from .fake_openai import FakeOpenAIServer, Reply

    server = FakeOpenAIServer()
    with server as fake:
        fake.script(Reply(chunks=["Reward ", "models are studi"], unfinished=True))
        settings = Settings(data_dir=seeded_dir, openai_base_url=server.base_url,
                            llm_model="m", llm_max_retries=0)  # fmt: skip
        answer = Assistant(settings).ask("Which papers study reward models?", on_token=print)
    assert answer.mode == "llm" and answer.text.startswith("Reward models are studi")
    assert any("may be cut off" in w for w in answer.warnings)


def test_bibtex_latex_is_decoded_macros_expanded_duplicates_named(tmp_path: Path):
    path = tmp_path / "refs.bib"
    path.write_text(
        r"""@string{venue = "Proceedings of "}
@string{acl = "ACL"}
@article{a1,
  title = {\"Uber \textbf{harmless} Refusals in Caf\'e Models},
  author = {M{\"u}ller, J{\"o}rg and Garc\'{i}a, Ana},
  abstract = venue # acl # { 2023: 95\% of refusals.},
  year = {2023}
}
@article{a1,
  title = {Duplicate},
  year = {2024}
}
""",
        encoding="utf-8",
    )
    papers, problems = _papers_and_problems(path)
    (paper,) = papers
    assert paper.title == "Über harmless Refusals in Café Models"
    assert paper.authors == ["Müller, Jörg", "García, Ana"]
    assert paper.abstract == "Proceedings of ACL 2023: 95% of refusals."
    assert [p.message for p in problems] == ["duplicate key a1 (the first entry with it is kept)"]
    assert problems[0].line == 9


def test_bibtex_links_math_letters_ties_and_braced_literals_are_read(tmp_path: Path):
    """bibtexparser's decoder failed the whole entry on "\\href", and wrote
    "$O(\\sqrt{n})$" as "O()"; "{A} # { B}" was kept as "A # B"; letter commands
    ("{\\L}ukasz"), nested formatting and dashes are decoded as they were; an empty
    literal ("") joins as nothing (it crashed the run)."""
    path = tmp_path / "refs.bib"
    path.write_text(
        r"""@article{k1,
  title = {Sparse} # { Steering of~{LLMs}},
  author = {Kaiser, {\L}ukasz and S{\o}ren, A. and Erd\H{o}s, Paul},
  abstract = {We show $O(\sqrt{n})$ bounds (Fig.~2) -- \emph{and \textbf{nested}}.
              Code at \href{https://x.org/~me}{this URL}.},
  url = {https://x.org/~me},
  year = {2024}
}
@article{k2,
  title = {A} # "",
  abstract = {Plain.}
}
""",
        encoding="utf-8",
    )
    papers, problems = _papers_and_problems(path)
    first, second = papers
    assert problems == []
    assert first.title == "Sparse Steering of LLMs"
    assert first.authors == ["Kaiser, Łukasz", "Søren, A.", "Erdős, Paul"]
    assert first.abstract == (
        "We show O(√(n)) bounds (Fig. 2) – and nested. Code at this URL (https://x.org/~me)."
    )
    assert first.urls[0] == "https://x.org/~me"
    assert second.title == "A"


def test_rebuild_recovers_from_a_garbage_vector_store(tmp_path: Path):
    corpus = tmp_path / "few.jsonl"
    corpus.write_text(json.dumps({"title": "A paper", "abstract": "About refusal."}) + "\n")
    data = tmp_path / "data"
    assert run_cli("index", str(corpus), data_dir=data).returncode == 0
    (data / "chroma" / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    broken = run_cli("search", "refusal", data_dir=data)
    assert_one_line_error(broken, "--rebuild")
    rebuilt = run_cli("index", str(corpus), "--rebuild", data_dir=data)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "moved to chroma.corrupt-" in rebuilt.stderr
    assert [p.name for p in data.glob("chroma.corrupt-*")]  # kept for the user
    found = json.loads(run_cli("search", "--json", "refusal", data_dir=data).stdout)
    assert [r["title"] for r in found["results"]] == ["A paper"]


def test_no_log_or_error_shows_a_key_an_endpoint_echoes(seeded_dir: Path):
    import pexpect

    from .conftest import in_terminal
    from .fake_openai import FakeOpenAIServer, Reply

    key = "sk-echoed0123456789abcdef"
    for status in (500, 429):
        server = FakeOpenAIServer()
        with server as fake:
            fake.script(Reply(status=status, echo_headers=True))
            for debug in ("", "1"):
                env = {"OPENAI_API_KEY": key, "OPENAI_BASE_URL": server.base_url,
                       "ASSISTANT_LLM_MAX_RETRIES": "1", "ASSISTANT_DEBUG": debug}  # fmt: skip
                for command in (["ask", "Which papers study reward models for RLHF?"],
                                ["related-work", "reward models for RLHF"]):  # fmt: skip
                    result = run_cli(*command, data_dir=seeded_dir, env=env)
                    assert result.returncode != 0
                    shown = result.stdout + result.stderr
                    assert key not in shown and "echoed0123" not in shown, shown
                terminal = {**env, "ASSISTANT_DATA_DIR": str(seeded_dir), "COLUMNS": "100"}
                with in_terminal(["chat"], terminal) as child:
                    child.expect("ask>")
                    child.sendline("Which papers study reward models for RLHF?")
                    child.expect("error")
                    child.expect("ask>")
                    child.sendline("/quit")
                    child.expect(pexpect.EOF)
                    assert "echoed0123" not in child.before
        assert any("Bearer" in r.headers.get("Authorization", "") for r in fake.requests)


def test_doctor_shows_no_key_written_into_the_endpoint_url(tmp_path: Path):
    for url in ("http://sk-inurl0123456789@127.0.0.1:9/v1", "http://127.0.0.1:9/v1?key=inurl0123"):
        result = run_cli(
            "doctor", data_dir=tmp_path, env={"OPENAI_API_KEY": "k-0000", "OPENAI_BASE_URL": url}
        )
        shown = result.stdout + result.stderr
        assert "127.0.0.1:9" in shown and "***" in shown
        assert "inurl0123" not in shown


def test_log_records_and_tracebacks_are_redacted(monkeypatch, capsys):
    import logging

    from assistant.cli import one_line_errors
    from assistant.redaction import install_log_redaction

    key = "sk-logged0123456789abcdef"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    monkeypatch.setenv("CHROMA_API_KEY", "chroma-token-42")
    install_log_redaction(debug=False)
    try:
        logging.getLogger("some.library").warning("a warning repeats what the error says")
        assert "a warning" not in capsys.readouterr().err
        logging.getLogger("some.library").error(
            "retrying after 500: %s",
            {
                "Authorization": f"Bearer {key}",
                "X-Chroma-Token": "chroma-token-42",
                "other": "sk-unknownkey123456",
            },
        )
        shown = capsys.readouterr().err
        assert "retrying after 500" in shown and "***" in shown
        assert key not in shown and "chroma-token-42" not in shown and "unknownkey" not in shown

        @one_line_errors
        def failing() -> None:
            raise RuntimeError(f"server said: Authorization: Bearer {key}")

        for debug in ("", "1"):
            monkeypatch.setenv("ASSISTANT_DEBUG", debug)
            with pytest.raises(SystemExit):
                failing()
            shown = capsys.readouterr().err
            assert "server said" in shown and key not in shown
            assert ("Traceback" in shown) == bool(debug)
    finally:
        logging.getLogger().handlers[:] = []


def test_a_deleted_catalog_never_mixes_the_seeds_into_a_users_vectors(tmp_path: Path):
    corpus = tmp_path / "mine.jsonl"
    corpus.write_text(json.dumps({"title": "My paper", "abstract": "About refusal."}) + "\n")
    data = tmp_path / "data"
    assert run_cli("index", str(corpus), data_dir=data).returncode == 0
    (data / "collections" / "papers" / "catalog.sqlite").unlink()
    result = run_cli("ask", "which papers study refusal?", data_dir=data)
    assert_one_line_error(result, "catalog", "--rebuild", "seeds were not added")
    assert (
        not (data / "collections" / "papers" / "catalog.sqlite").exists()
        or json.loads(run_cli("papers", "--json", data_dir=data).stdout)["papers"] == []
    )
    rebuilt = run_cli("index", str(corpus), "--rebuild", data_dir=data)
    assert rebuilt.returncode == 0, rebuilt.stderr
    papers = json.loads(run_cli("papers", "--json", data_dir=data).stdout)["papers"]
    assert [p["title"] for p in papers] == ["My paper"]


def test_a_full_disk_is_said_in_words_and_leaves_no_orphan_vectors(tmp_path: Path, monkeypatch):
    from assistant.app import Assistant
    from assistant.config import Settings
    from assistant.errors import IndexError_
    from assistant.index.catalog import Catalog

    corpus = tmp_path / "mine.jsonl"
    corpus.write_text("\n".join(json.dumps({"title": f"Paper {i}", "abstract": "About refusal."})
                                for i in range(3)) + "\n")  # fmt: skip
    data = tmp_path / "data"

    def full(self, papers):  # as Chroma's Rust core reports it, after writing the vectors
        raise RuntimeError("Error in compaction: database or disk is full")

    monkeypatch.setattr(Catalog, "put", full)
    with pytest.raises(IndexError_, match=r"disk holding .* is full; free some space"):
        Assistant(Settings(data_dir=data)).index([corpus])
    monkeypatch.undo()
    from assistant.index.embeddings import expected_model_id
    from assistant.index.store import VectorStore

    settings = Settings(data_dir=data)
    store = VectorStore(settings, expected_model_id(settings), None)
    assert store.count() == 0  # the vectors written before the failure were removed
    assert Assistant(Settings(data_dir=data)).index([corpus]).added == 3


@pytest.mark.parametrize(
    ("call", "said"),
    [
        (lambda a: a.ask(123), "the question must be text (a str), not int"),
        (lambda a: a.search("refusal", k="5"), "k must be a whole number, not '5'"),
        (lambda a: a.search("refusal", k=2.5), "k must be a whole number, not 2.5"),
        (lambda a: a.search("refusal", mode="semantic"), "mode must be one of hybrid"),
        (lambda a: a.ask("refusal", since="2023"), "since must be a whole number"),
        (lambda a: a.ask("refusal", author=5), "author must be text (a str), not int"),
        (lambda a: a.related_work("refusal", words="300"), "words must be a whole number"),
        (lambda a: a.related_work(["refusal"]), "the topic must be text (a str), not list"),
        (lambda a: a.index([5]), "a corpus path must be a str or Path, not int"),
        (lambda a: a.chat(year=2024), "chat() takes since, until and author, not year"),
        (lambda a: a.chat().paper("2"), "the reference number must be a whole number"),
        (lambda a: a.ask("refusal", llm="no"), "llm must be True, False or None, not 'no'"),
        (lambda a: a.ask("refusal", on_token=5), "on_token must be a function"),
        (lambda a: a.chat(llm="yes"), "llm must be True, False or None"),
        (lambda a: a.index(5), "paths must be a str, a Path or a list of them"),
        (lambda a: a.index("x.jsonl", rebuild="no"), "rebuild must be True, False or None"),
        (lambda a: a.index("x.jsonl", fmt="bogus"), "fmt must be one of arxiv, bib, csv, jsonl"),
        (lambda a: a.ask("refusal", only=5), "only must be paper ids"),
        (
            lambda a: a.describe("refusal", ["p1"]),
            "describe() takes a non-empty list of Paper records",
        ),
        (lambda a: Assistant(data_dirr="/tmp/x"), "unknown setting data_dirr (did you mean"),
        (lambda a: Assistant(collection="a b"), "invalid setting collection: a collection name"),
        (lambda a: Assistant(llm_model=""), "invalid setting llm_model"),
        (lambda a: Assistant(embedding_model="bge-small"), "runs all-MiniLM-L6-v2 only"),
        (lambda a: Assistant(llm_timeout=1e10), "invalid setting llm_timeout"),
    ],
)
def test_library_arguments_of_the_wrong_type_are_explained(seeded: Assistant, call, said):
    with pytest.raises(InputError) as caught:
        call(seeded)
    assert said in str(caught.value)
    assert "\n" not in str(caught.value)


def test_index_takes_one_path_as_a_string(tmp_path: Path):
    corpus = tmp_path / "papers.jsonl"
    corpus.write_text(json.dumps({"title": "A paper on refusal", "abstract": "We study it."}))
    assistant = Assistant(Settings(data_dir=tmp_path / "data"))
    report = assistant.index(str(corpus))
    assert report.added == 1 and [p.title for p in assistant.papers()] == ["A paper on refusal"]


def test_an_empty_data_dir_setting_means_the_default_never_the_current_folder():
    from assistant.config import default_data_dir

    assert Settings(data_dir="").data_dir == default_data_dir()
    assert Settings(data_dir="   ").data_dir == default_data_dir()


def test_a_data_dir_that_is_a_file_or_an_endpoint_that_is_no_url_is_refused(tmp_path: Path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine", encoding="utf-8")
    result = run_cli("papers", data_dir=a_file)
    assert_one_line_error(result, "ASSISTANT_DATA_DIR", "is a file, not a folder")
    assert a_file.read_text(encoding="utf-8") == "mine"
    for url in ("not a url", "ftp://127.0.0.1:9"):
        result = run_cli("ask", "which papers study refusal?", data_dir=tmp_path / "d",
                         env={"OPENAI_BASE_URL": url})  # fmt: skip
        assert_one_line_error(result, "OPENAI_BASE_URL", "http://")
        assert "Retrying" not in result.stderr
    bad_server = run_cli("search", "refusal", "--chroma-url", "not a url", data_dir=tmp_path / "d")
    assert_one_line_error(bad_server, "expected http://HOST:PORT")
    bad_port = run_cli("search", "refusal", data_dir=tmp_path / "d",
                       env={"CHROMA_HOST": "localhost", "CHROMA_PORT": "99999"})  # fmt: skip
    assert_one_line_error(bad_port, "CHROMA_PORT")


def test_a_search_for_only_common_words_finds_nothing_and_says_why(seeded_dir: Path):
    result = run_cli("search", "the of", "--json", data_dir=seeded_dir)
    assert result.returncode == 0
    shown = json.loads(result.stdout)
    assert shown["results"] == [] and "names no topic" in shown["note"]
    empty = run_cli("search", "  ", data_dir=seeded_dir)
    assert_one_line_error(empty, "the query is empty")


def test_paths_and_settings_that_cannot_serve_say_what_is_wrong(tmp_path: Path):
    result = run_cli("index", "/dev/null", data_dir=tmp_path / "d")
    assert_one_line_error(result, "not a regular file")
    empty = tmp_path / "questions.jsonl"
    empty.write_text("\n", encoding="utf-8")
    assert_one_line_error(run_cli("eval", str(empty), data_dir=tmp_path / "d"), "no questions")
    missing = tmp_path / "no-prompts"
    result = run_cli("papers", data_dir=tmp_path / "d", env={"ASSISTANT_PROMPTS_DIR": str(missing)})
    assert_one_line_error(result, "ASSISTANT_PROMPTS_DIR", "not a folder")


def test_a_masked_query_key_keeps_the_sentence_after_it():
    """ "...?api_key=KEY; is the server running?" lost its ";" with the key."""
    from assistant.redaction import redact

    assert redact("cannot connect to http://h:9/v1?api_key=SECRET123; is it running?") == (
        "cannot connect to http://h:9/v1?api_key=***; is it running?"
    )


def test_a_link_in_quoted_text_shows_its_address_on_the_terminal(monkeypatch):
    """A quoted abstract's "[click](http://evil.example)" became an OSC 8 terminal
    hyperlink: the reader saw "click", not where it goes."""
    import io

    from rich.console import Console

    from assistant import display
    from assistant.answer.model import Answer

    screen = io.StringIO()
    monkeypatch.setattr(display, "out", Console(file=screen, force_terminal=True, width=200))
    text = "The authors say [click](http://evil.example) \x1b]0;renamed\x07 [1]."
    display.render_answer(Answer("q", text, "extractive", False))
    shown = screen.getvalue()
    assert "http://evil.example" in shown and "\x1b]8;" not in shown and "renamed\x07" not in shown


def test_json_masks_the_messages_but_never_a_papers_words(monkeypatch, capsys):
    """Every string of the JSON went through the redactor: "the bearer of tail risk" in
    an abstract became "bearer *** tail risk"."""
    import json

    from assistant.display import print_json

    monkeypatch.setenv("OPENAI_API_KEY", "sk-json-0123456789abcdef")
    print_json(
        {
            "answer": "Who is the bearer of tail risk? Role-based authorization: we study it.",
            "warnings": ["LLM failed (cannot connect to http://u:PASSWORD@h/v1?api_key=K1)"],
        }
    )
    shown = json.loads(capsys.readouterr().out)
    assert shown["answer"].startswith(
        "Who is the bearer of tail risk? Role-based authorization: we"
    )
    assert "PASSWORD" not in shown["warnings"][0] and "K1" not in shown["warnings"][0]
